/**
 * Environment configuration of the failover orchestrator. Every problem is collected and reported at
 * once so that a broken deployment is fixed in one pass, not one variable per invocation.
 */

export type AlarmAction = "notify" | "failover";

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
  // Lambda timeout is 300 s (R21); 30 s are left for the final notification and the runtime.
  timeBudgetMs: 270_000,
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

export type Env = Readonly<Record<string, string | undefined>>;

function intSetting(
  env: Env,
  key: string,
  def: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === "") return def;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    problems.push(`${key}: expected an integer from ${min} to ${max}, got "${raw}"`);
    return def;
  }
  return n;
}

/** Numeric tuning shared by the Lambda and the drill (TIME_BUDGET_MS, MAX_ATTEMPTS, POLL_INTERVAL_MS). */
export function parseTuning(
  env: Env,
  problems: string[],
): Pick<
  OrchestratorSettings,
  "timeBudgetMs" | "maxAttempts" | "pollIntervalMs" | "retryBaseDelayMs" | "retryMaxDelayMs"
> {
  return {
    // 15 min upper bound: the longest a Lambda can run; the handler also clamps to the remaining time.
    timeBudgetMs: intSetting(env, "TIME_BUDGET_MS", DEFAULTS.timeBudgetMs, 1_000, 900_000, problems),
    maxAttempts: intSetting(env, "MAX_ATTEMPTS", DEFAULTS.maxAttempts, 1, 10, problems),
    pollIntervalMs: intSetting(env, "POLL_INTERVAL_MS", DEFAULTS.pollIntervalMs, 100, 300_000, problems),
    retryBaseDelayMs: DEFAULTS.retryBaseDelayMs,
    retryMaxDelayMs: DEFAULTS.retryMaxDelayMs,
  };
}

/** Reads and validates the Lambda's environment; throws FailoverConfigError listing every problem. */
export function loadFailoverConfig(env: Env): FailoverEnvConfig {
  const problems: string[] = [];
  const required = (key: string): string => {
    const v = env[key]?.trim();
    if (!v) problems.push(`${key}: is required`);
    return v ?? "";
  };

  const region = required("AWS_REGION");
  if (region && !REGION_RE.test(region)) problems.push(`AWS_REGION: "${region}" is not an AWS region name`);

  const globalClusterId = required("GLOBAL_CLUSTER_ID");
  if (globalClusterId && !GLOBAL_ID_RE.test(globalClusterId)) {
    problems.push(`GLOBAL_CLUSTER_ID: "${globalClusterId}" is not a valid global cluster identifier`);
  }

  const targetClusterArn = required("TARGET_CLUSTER_ARN");
  if (targetClusterArn) {
    const targetRegion = clusterArnRegion(targetClusterArn);
    if (!targetRegion) {
      problems.push(
        `TARGET_CLUSTER_ARN: "${targetClusterArn}" is not an RDS cluster ARN (arn:aws:rds:<region>:<account>:cluster:<name>)`,
      );
    } else if (region && targetRegion !== region) {
      // The orchestrator must run where the promoted cluster lives: the primary Region may be the one that is down.
      problems.push(`TARGET_CLUSTER_ARN: cluster is in ${targetRegion} but the function runs in ${region}`);
    }
  }

  const alertTopicArn = required("ALERT_TOPIC_ARN");
  if (alertTopicArn) {
    const topicRegion = topicArnRegion(alertTopicArn);
    if (!topicRegion) {
      problems.push(`ALERT_TOPIC_ARN: "${alertTopicArn}" is not an SNS topic ARN`);
    } else if (region && topicRegion !== region) {
      problems.push(
        `ALERT_TOPIC_ARN: topic is in ${topicRegion}; it must be in the surviving Region ${region}`,
      );
    }
  }

  const rawAction = env.ALARM_ACTION?.trim();
  let alarmAction: AlarmAction = DEFAULTS.alarmAction;
  if (rawAction !== undefined && rawAction !== "") {
    if (rawAction === "notify" || rawAction === "failover") alarmAction = rawAction;
    else problems.push(`ALARM_ACTION: "${rawAction}" is not one of notify, failover`);
  }

  const tuning = parseTuning(env, problems);

  if (problems.length > 0) throw new FailoverConfigError(problems);
  return { region, globalClusterId, targetClusterArn, alertTopicArn, alarmAction, ...tuning };
}
