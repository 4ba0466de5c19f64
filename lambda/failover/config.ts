/**
 * The failover function's environment contract: keys, defaults and parser. lib/failover/ writes it,
 * index.ts and scripts/drill.ts read it. Every problem is collected and reported at once so that a
 * broken deployment is fixed in one pass, not one variable per invocation.
 */
import { intFromEnv, optionalEnv, RUNTIME_ENV, type Env } from "../shared/env";

/** What an alarm-triggered run does: report a dry run only, or really fail over. */
export const ALARM_ACTIONS = ["notify", "failover"] as const;
export type AlarmAction = (typeof ALARM_ACTIONS)[number];

export const FAILOVER_ENV = {
  globalClusterId: "GLOBAL_CLUSTER_ID",
  /** ARN of the secondary cluster to promote. */
  targetClusterArn: "TARGET_CLUSTER_ARN",
  /** Topic in this region. */
  alertTopicArn: "ALERT_TOPIC_ARN",
  alarmAction: "ALARM_ACTION",
  timeBudgetMs: "TIME_BUDGET_MS",
  maxAttempts: "MAX_ATTEMPTS",
  pollIntervalMs: "POLL_INTERVAL_MS",
} as const;
const K = FAILOVER_ENV;

/** R21: RDS global-cluster operations take minutes; the Lambda timeout, in seconds. */
export const FAILOVER_TIMEOUT_SECONDS = 300;
/** Left inside the Lambda timeout for the final notification and the runtime. */
const FINAL_REPORT_MARGIN_SECONDS = 30;

export interface OrchestratorSettings {
  readonly globalClusterId: string;
  /** ARN of the secondary cluster that should become the writer (the API wants the ARN, not the name). */
  readonly targetClusterArn: string;
  readonly alertTopicArn: string;
  readonly timeBudgetMs: number;
  readonly maxAttempts: number;
  readonly pollIntervalMs: number;
  /** Full-jitter base and cap for retries; not env-configurable, exposed for tests and the drill. */
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
}

export interface FailoverEnvConfig extends OrchestratorSettings {
  readonly region: string;
  readonly alarmAction: AlarmAction;
}

export const DEFAULTS = {
  timeBudgetMs: (FAILOVER_TIMEOUT_SECONDS - FINAL_REPORT_MARGIN_SECONDS) * 1000,
  maxAttempts: 5,
  pollIntervalMs: 15_000,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 20_000,
  alarmAction: "notify" as AlarmAction,
} as const;

export class FailoverConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid failover configuration (${problems.length} problem(s)):\n  - ${problems.join("\n  - ")}`);
    this.name = "FailoverConfigError";
  }
}

const REGION_RE = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const CLUSTER_ARN_RE = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):cluster:([A-Za-z][A-Za-z0-9-]{0,62})$/;
const TOPIC_ARN_RE = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$/;
const GLOBAL_ID_RE = /^[A-Za-z][0-9A-Za-z\-:._]{0,254}$/;

/** Region of an RDS cluster ARN, or undefined when the string is not one. */
export function clusterArnRegion(arn: string): string | undefined {
  return CLUSTER_ARN_RE.exec(arn)?.[1];
}

export function topicArnRegion(arn: string): string | undefined {
  return TOPIC_ARN_RE.exec(arn)?.[1];
}

/** Numeric tuning shared by the Lambda and the drill. */
export function parseTuning(
  env: Env,
  problems: string[],
): Pick<
  OrchestratorSettings,
  "timeBudgetMs" | "maxAttempts" | "pollIntervalMs" | "retryBaseDelayMs" | "retryMaxDelayMs"
> {
  return {
    // 15 min upper bound: the longest a Lambda can run; the handler also clamps to the remaining time.
    timeBudgetMs: intFromEnv(env, K.timeBudgetMs, DEFAULTS.timeBudgetMs, 1_000, 900_000, problems),
    maxAttempts: intFromEnv(env, K.maxAttempts, DEFAULTS.maxAttempts, 1, 10, problems),
    pollIntervalMs: intFromEnv(env, K.pollIntervalMs, DEFAULTS.pollIntervalMs, 100, 300_000, problems),
    retryBaseDelayMs: DEFAULTS.retryBaseDelayMs,
    retryMaxDelayMs: DEFAULTS.retryMaxDelayMs,
  };
}

/** Whether the drill was given an explicit time budget (it has its own default otherwise). */
export const hasTimeBudget = (env: Env): boolean => optionalEnv(env, K.timeBudgetMs) !== undefined;

/** The alert topic named by the environment, for reporting a configuration that failed to load. */
export const alertTopicFromEnv = (env: Env): string | undefined => optionalEnv(env, K.alertTopicArn);

/** Reads and validates the Lambda's environment; throws FailoverConfigError listing every problem. */
export function loadFailoverConfig(env: Env): FailoverEnvConfig {
  const problems: string[] = [];
  const required = (key: string): string => {
    const v = env[key]?.trim();
    if (!v) problems.push(`${key}: is required`);
    return v ?? "";
  };

  const region = required(RUNTIME_ENV.region);
  if (region && !REGION_RE.test(region))
    problems.push(`${RUNTIME_ENV.region}: "${region}" is not an AWS region name`);

  const globalClusterId = required(K.globalClusterId);
  if (globalClusterId && !GLOBAL_ID_RE.test(globalClusterId)) {
    problems.push(`${K.globalClusterId}: "${globalClusterId}" is not a valid global cluster identifier`);
  }

  const targetClusterArn = required(K.targetClusterArn);
  if (targetClusterArn) {
    const targetRegion = clusterArnRegion(targetClusterArn);
    if (!targetRegion) {
      problems.push(
        `${K.targetClusterArn}: "${targetClusterArn}" is not an RDS cluster ARN (arn:aws:rds:<region>:<account>:cluster:<name>)`,
      );
    } else if (region && targetRegion !== region) {
      // The orchestrator must run where the promoted cluster lives: the primary Region may be the one that is down.
      problems.push(
        `${K.targetClusterArn}: cluster is in ${targetRegion} but the function runs in ${region}`,
      );
    }
  }

  const alertTopicArn = required(K.alertTopicArn);
  if (alertTopicArn) {
    const topicRegion = topicArnRegion(alertTopicArn);
    if (!topicRegion) {
      problems.push(`${K.alertTopicArn}: "${alertTopicArn}" is not an SNS topic ARN`);
    } else if (region && topicRegion !== region) {
      problems.push(
        `${K.alertTopicArn}: topic is in ${topicRegion}; it must be in the surviving Region ${region}`,
      );
    }
  }

  const rawAction = optionalEnv(env, K.alarmAction);
  let alarmAction: AlarmAction = DEFAULTS.alarmAction;
  if (rawAction !== undefined) {
    if ((ALARM_ACTIONS as readonly string[]).includes(rawAction)) alarmAction = rawAction as AlarmAction;
    else problems.push(`${K.alarmAction}: "${rawAction}" is not one of ${ALARM_ACTIONS.join(", ")}`);
  }

  const tuning = parseTuning(env, problems);

  if (problems.length > 0) throw new FailoverConfigError(problems);
  return { region, globalClusterId, targetClusterArn, alertTopicArn, alarmAction, ...tuning };
}
