/** The alert relay's environment contract: lib/foundation/alert-relay.ts writes it, index.ts reads it. */
import { optionalEnv, type Env } from "../shared/env";

export const ALERT_RELAY_ENV = {
  /** The topic in this (the secondary) region that every relayed alert is published to. */
  targetTopicArn: "TARGET_TOPIC_ARN",
} as const;

export interface AlertRelaySettings {
  readonly targetTopicArn?: string;
}

/** Never throws at load time: the handler reports a missing target on its first event. */
export function parseAlertRelayEnv(env: Env): AlertRelaySettings {
  return { targetTopicArn: optionalEnv(env, ALERT_RELAY_ENV.targetTopicArn) };
}
