/**
 * Failover orchestrator Lambda. Runs in the SECONDARY Region; handler "index.handler".
 *
 * Accepted events
 * (a) Direct invocation (console, CLI, scripts/drill.ts):
 *       { "mode": "switchover" | "failover", "dryRun"?: boolean, "reason"?: string, "requestedBy"?: string }
 *     dryRun defaults to FALSE for direct runs. Unknown keys are rejected (a typo must not turn a
 *     rehearsal into a real failover).
 * (b) SNS event whose Records[].Sns.Message is a CloudWatch alarm state change (JSON string):
 *       { "Records": [ { "EventSource": "aws:sns", "Sns": { "Message":
 *         "{\"AlarmName\":\"...\",\"NewStateValue\":\"ALARM\",\"NewStateReason\":\"...\",\"StateChangeTime\":\"...\"}" } } ] }
 *     Only NewStateValue "ALARM" acts, always as mode "failover" (unplanned). Alarm action "notify" makes
 *     it a dry run that only reports; "failover" executes it. OK / INSUFFICIENT_DATA → "ignored".
 *
 * Environment: the contract in config.ts (FAILOVER_ENV, DEFAULTS, loadFailoverConfig); alarm runs
 * notify (dry run) unless the alarm action is "failover".
 *
 * Returns a FailoverResult; ok=false results are already reported to SNS and are returned, not thrown,
 * so Lambda's async retries do not repeat them. Throws only for invalid configuration or a malformed
 * event (both reported to SNS when the topic is usable).
 */
import { SNSClient } from "@aws-sdk/client-sns";
import type { Env } from "../shared/env";
import type { Log } from "../shared/log";
import { rdsClientCache } from "../shared/rds-clients";
import { errorMessage } from "../shared/retry";
import {
  alertTopicFromEnv,
  DEFAULTS,
  FailoverConfigError,
  loadFailoverConfig,
  topicArnRegion,
  type FailoverEnvConfig,
} from "./config";
import { EventValidationError, parseEvent } from "./events";
import { publishNotification, runFailover, type FailoverResult, type OrchestratorDeps } from "./orchestrator";

/** Leaves room for the final SNS publish before Lambda's hard timeout. */
const CONTEXT_SAFETY_MS = 10_000;

export const jsonLogger: Log = {
  debug: (message, data) => console.debug(JSON.stringify({ level: "DEBUG", message, ...data })),
  info: (message, data) => console.log(JSON.stringify({ level: "INFO", message, ...data })),
  warn: (message, data) => console.warn(JSON.stringify({ level: "WARN", message, ...data })),
  error: (message, data) => console.error(JSON.stringify({ level: "ERROR", message, ...data })),
};

const rdsClient = rdsClientCache();
const snsClients = new Map<string, SNSClient>();

function snsClient(region: string): SNSClient {
  let client = snsClients.get(region);
  if (!client) {
    client = new SNSClient({
      region,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 },
    });
    snsClients.set(region, client);
  }
  return client;
}

/** Production dependencies; clients are cached across warm invocations. */
export function defaultDeps(region: string): OrchestratorDeps {
  return {
    rds: rdsClient(region, false),
    rdsForRegion: (r) => rdsClient(r, r !== region),
    sns: snsClient(region),
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    random: Math.random,
    logger: jsonLogger,
  };
}

export interface HandlerOptions {
  readonly env?: () => Env;
  readonly buildDeps?: (region: string) => OrchestratorDeps;
}

interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

function notifyRetry(deps: OrchestratorDeps) {
  return {
    maxAttempts: DEFAULTS.maxAttempts,
    baseDelayMs: DEFAULTS.retryBaseDelayMs,
    maxDelayMs: DEFAULTS.retryMaxDelayMs,
    random: deps.random,
    sleep: (ms: number) => deps.clock.sleep(ms),
    now: () => deps.clock.now(),
  };
}

export function createHandler(options: HandlerOptions = {}) {
  const readEnv = options.env ?? (() => process.env);
  const buildDeps = options.buildDeps ?? defaultDeps;

  return async function handler(event: unknown, context?: RemainingTime): Promise<FailoverResult> {
    const env = readEnv();
    let config: FailoverEnvConfig;
    try {
      config = loadFailoverConfig(env);
    } catch (err) {
      if (err instanceof FailoverConfigError) await reportConfigError(env, err, buildDeps);
      throw err;
    }
    const deps = buildDeps(config.region);

    let parsed;
    try {
      parsed = parseEvent(event, config.alarmAction);
    } catch (err) {
      if (err instanceof EventValidationError) {
        deps.logger.error("rejected malformed event", { problems: err.problems });
        await publishNotification(
          deps,
          config.alertTopicArn,
          `[DR] REJECTED: malformed failover event for ${config.globalClusterId}`,
          { event: "failover-rejected", problems: err.problems, received: truncate(event) },
          notifyRetry(deps),
        );
      }
      throw err;
    }

    if (parsed.kind === "ignored") {
      deps.logger.info(parsed.message, { alarms: parsed.alarms });
      const now = new Date(deps.clock.now()).toISOString();
      return {
        ok: true,
        result: "ignored",
        message: parsed.message,
        trigger: "alarm",
        globalClusterId: config.globalClusterId,
        targetClusterArn: config.targetClusterArn,
        timings: { startedAt: now, finishedAt: now, durationMs: 0 },
      };
    }

    let timeBudgetMs = config.timeBudgetMs;
    const remaining = context?.getRemainingTimeInMillis();
    if (remaining !== undefined && Number.isFinite(remaining)) {
      timeBudgetMs = Math.max(1_000, Math.min(timeBudgetMs, remaining - CONTEXT_SAFETY_MS));
    }
    return runFailover(parsed.request, { ...config, timeBudgetMs }, deps);
  };
}

async function reportConfigError(
  env: Env,
  err: FailoverConfigError,
  buildDeps: (region: string) => OrchestratorDeps,
): Promise<void> {
  const topic = alertTopicFromEnv(env);
  const region = topic ? topicArnRegion(topic) : undefined;
  if (!topic || !region) return; // nowhere to report to; the thrown error is in the logs
  try {
    const deps = buildDeps(region);
    await publishNotification(
      deps,
      topic,
      "[DR] REJECTED: failover Lambda configuration is invalid",
      { event: "failover-config-invalid", problems: err.problems },
      notifyRetry(deps),
    );
  } catch (notifyErr) {
    console.error(
      JSON.stringify({
        level: "ERROR",
        message: "could not report config error",
        error: errorMessage(notifyErr),
      }),
    );
  }
}

function truncate(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 2_000 ? `${text.slice(0, 2_000)}...` : text;
}

export const handler = createHandler();
