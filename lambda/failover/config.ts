/**
 * The failover function's environment parser and defaults; the keys are env-keys.ts. lib/failover/
 * writes the environment, index.ts and scripts/drill.ts read it. Every problem is collected and reported
 * at once so that a broken deployment is fixed in one pass, not one variable per invocation.
 */
import { intFromEnv, optionalEnv, RUNTIME_ENV, type Env } from "../shared/env";
import { FAILOVER_ENV as K, type ProcessingSite } from "./env-keys";

export { FAILOVER_ENV } from "./env-keys";

/** What an alarm-triggered run does: report a dry run only, or really fail over. */
export const ALARM_ACTIONS = ["notify", "failover"] as const;
export type AlarmAction = (typeof ALARM_ACTIONS)[number];

/** R21: RDS global-cluster operations take minutes; the Lambda timeout, in seconds. */
export const FAILOVER_TIMEOUT_SECONDS = 300;
/** Left inside the Lambda timeout for the final notification and the runtime. */
const FINAL_REPORT_MARGIN_SECONDS = 30;

export interface OrchestratorSettings {
  readonly globalClusterId: string;
  /** ARN of the secondary cluster that should become the writer (the API wants the ARN, not the name). */
  readonly targetClusterArn: string;
  /** The original primary's cluster ARN: what a request aimed at its Region promotes (X4, aim.ts). */
  readonly failbackClusterArn?: string;
  readonly alertTopicArn: string;
  readonly timeBudgetMs: number;
  readonly maxAttempts: number;
  readonly pollIntervalMs: number;
  /** Full-jitter base and cap for retries; not env-configurable, exposed for tests and the drill. */
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  /** Cap on each SNS publish; the final one is reserved at the end of the budget. */
  readonly notifyTimeoutMs: number;
  /** Where orders are consumed in each region; empty = the follow-writer and redrive steps are skipped. */
  readonly processingSites: readonly ProcessingSite[];
}

export interface FailoverEnvConfig extends OrchestratorSettings {
  readonly region: string;
  readonly alarmAction: AlarmAction;
  /** Alarm names whose ALARM may start a run; anything else is ignored even if SNS delivers it. */
  readonly allowedAlarms: readonly string[];
  /** Function that reconciles the stores after a data-losing failover (in this region), if deployed. */
  readonly reconcileFunctionName?: string;
  /** Route 53 health check whose checkers judge the primary from several Regions (X2). */
  readonly primaryHealthCheckId?: string;
}

export const DEFAULTS = {
  timeBudgetMs: (FAILOVER_TIMEOUT_SECONDS - FINAL_REPORT_MARGIN_SECONDS) * 1000,
  maxAttempts: 5,
  pollIntervalMs: 15_000,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 20_000,
  // Route 53 and SNS answer in well under a second when healthy; two seconds each keeps four
  // notifications (started, steps, result, escalation) inside 10 s of a 270 s budget.
  notifyTimeoutMs: 2_000,
  alarmAction: "notify" as AlarmAction,
} as const;

/** The [min, max] each numeric setting may take; anything outside is a configuration error. */
export const SETTING_BOUNDS = {
  timeBudgetMs: [1_000, 900_000],
  maxAttempts: [1, 10],
  pollIntervalMs: [100, 300_000],
  notifyTimeoutMs: [100, 10_000],
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

export const isRegionName = (name: string): boolean => REGION_RE.test(name);

/** Region of an RDS cluster ARN, or undefined when the string is not one. */
export function clusterArnRegion(arn: string): string | undefined {
  return CLUSTER_ARN_RE.exec(arn)?.[1];
}

export function topicArnRegion(arn: string): string | undefined {
  return TOPIC_ARN_RE.exec(arn)?.[1];
}

/** Numeric tuning shared by the Lambda and the drill (TIME_BUDGET_MS, MAX_ATTEMPTS, POLL_INTERVAL_MS). */
export function parseTuning(
  env: Env,
  problems: string[],
): Pick<
  OrchestratorSettings,
  | "timeBudgetMs"
  | "maxAttempts"
  | "pollIntervalMs"
  | "retryBaseDelayMs"
  | "retryMaxDelayMs"
  | "notifyTimeoutMs"
> {
  return {
    // 15 min upper bound: the longest a Lambda can run; the handler also clamps to the remaining time.
    timeBudgetMs: intFromEnv(
      env,
      K.timeBudgetMs,
      DEFAULTS.timeBudgetMs,
      ...SETTING_BOUNDS.timeBudgetMs,
      problems,
    ),
    maxAttempts: intFromEnv(
      env,
      K.maxAttempts,
      DEFAULTS.maxAttempts,
      ...SETTING_BOUNDS.maxAttempts,
      problems,
    ),
    pollIntervalMs: intFromEnv(
      env,
      K.pollIntervalMs,
      DEFAULTS.pollIntervalMs,
      ...SETTING_BOUNDS.pollIntervalMs,
      problems,
    ),
    notifyTimeoutMs: intFromEnv(
      env,
      K.notifyTimeoutMs,
      DEFAULTS.notifyTimeoutMs,
      ...SETTING_BOUNDS.notifyTimeoutMs,
      problems,
    ),
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

  const optional = parseOptional(env, problems);

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

  const rawAction = env[K.alarmAction]?.trim();
  let alarmAction: AlarmAction = DEFAULTS.alarmAction;
  if (rawAction !== undefined && rawAction !== "") {
    const known = ALARM_ACTIONS.find((a) => a === rawAction);
    if (known) alarmAction = known;
    else problems.push(`${K.alarmAction}: "${rawAction}" is not one of ${ALARM_ACTIONS.join(", ")}`);
  }

  const tuning = parseTuning(env, problems);
  const allowedAlarms = (env[K.allowedAlarms] ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  const processingSites = parseProcessingSites(env[K.processingSites], problems);

  if (problems.length > 0) throw new FailoverConfigError(problems);
  return {
    region,
    globalClusterId,
    targetClusterArn,
    alertTopicArn,
    alarmAction,
    allowedAlarms,
    processingSites,
    ...optional,
    ...tuning,
  };
}

/** The optional settings: the failback target (X4), the Route 53 evidence (X2), the reconcile function. */
function parseOptional(
  env: Env,
  problems: string[],
): Pick<FailoverEnvConfig, "failbackClusterArn" | "primaryHealthCheckId" | "reconcileFunctionName"> {
  const failbackClusterArn = env[K.failbackClusterArn]?.trim() || undefined;
  if (failbackClusterArn !== undefined && !clusterArnRegion(failbackClusterArn)) {
    problems.push(`${K.failbackClusterArn}: "${failbackClusterArn}" is not an RDS cluster ARN`);
  }
  return {
    failbackClusterArn,
    primaryHealthCheckId: env[K.primaryHealthCheckId]?.trim() || undefined,
    reconcileFunctionName: env[K.reconcileFunction]?.trim() || undefined,
  };
}

const QUEUE_ARN_RE = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,80}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PROCESSING_SITES: a JSON array of {region, mappingUuid, forwarderMappingUuid, queueArn, dlqArn};
 *  absent means none. */
export function parseProcessingSites(raw: string | undefined, problems: string[]): ProcessingSite[] {
  if (raw === undefined || raw.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${K.processingSites}: not JSON`);
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push(`${K.processingSites}: expected a JSON array`);
    return [];
  }
  const sites: ProcessingSite[] = [];
  parsed.forEach((item: unknown, i) => {
    const o = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    const where = `${K.processingSites}[${i}]`;
    const str = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : "");
    const site = {
      region: str("region"),
      mappingUuid: str("mappingUuid"),
      forwarderMappingUuid: str("forwarderMappingUuid"),
      queueArn: str("queueArn"),
      dlqArn: str("dlqArn"),
    };
    const before = problems.length;
    if (!REGION_RE.test(site.region)) problems.push(`${where}.region: not an AWS region name`);
    for (const k of ["mappingUuid", "forwarderMappingUuid"] as const) {
      if (!UUID_RE.test(site[k])) problems.push(`${where}.${k}: not a mapping UUID`);
    }
    for (const k of ["queueArn", "dlqArn"] as const) {
      const m = QUEUE_ARN_RE.exec(site[k]);
      if (!m) problems.push(`${where}.${k}: not an SQS queue ARN`);
      else if (m[1] !== site.region) problems.push(`${where}.${k}: queue is in ${m[1]}, not ${site.region}`);
    }
    if (problems.length === before) sites.push(site);
  });
  return sites;
}
