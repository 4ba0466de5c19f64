/**
 * The stack outputs contract: every output's name and what its value must look like. TapStack's
 * `outputs` is typed by it (a missing or extra output fails to compile), and the drill
 * (scripts/drill.ts), the integration suite (test/integration/) and any other reader of
 * `pulumi stack output --json` validate with it. Type-only imports of Pulumi: readers do not load it.
 */

/** Names the outputs file a reader uses instead of its default (the drill, the integration suite). */
export const OUTPUTS_FILE_ENV = "TAP_OUTPUTS_FILE";
import type * as pulumi from "@pulumi/pulumi";
import { FAILOVER_ENV, parseProcessingSites } from "../lambda/failover/config";
import type { TapConfig } from "./config";
import type { TapStack } from "./tap-stack";

/**
 *   region – an AWS region name (it selects SDK endpoints, so garbage must not reach the SDK)
 *   text   – any non-empty string (names, ids, versions)
 *   host   – a DNS name without scheme, port or path (Aurora endpoints)
 *   arn    – an ARN
 *   url    – an absolute http(s) URL
 *   names  – a non-empty array of non-empty strings (an empty list would let a check pass vacuously)
 *   count  – a positive integer (configured tuning values the live checks compare against)
 *   flag   – a boolean
 *   sites  – the failover orchestrator's PROCESSING_SITES text, exactly as its environment carries it
 *            (lambda/failover/env-keys.ts ProcessingSite[]), checked by the Lambda's own parser; at least
 *            one site
 */
export type ValueKind = "region" | "text" | "host" | "arn" | "url" | "names" | "count" | "flag" | "sites";

export const OUTPUT_SPEC = {
  primaryRegion: "region",
  secondaryRegion: "region",
  primaryVpcId: "text",
  secondaryVpcId: "text",
  primaryKmsKeyArn: "arn",
  secondaryKmsKeyArn: "arn",
  primarySnsTopicArn: "arn",
  secondarySnsTopicArn: "arn",
  metricsSnsTopicArn: "arn",
  dbSecretArn: "arn",
  globalClusterId: "text",
  globalWriterEndpoint: "host",
  auroraPrimaryEndpoint: "host",
  auroraPrimaryReaderEndpoint: "host",
  auroraSecondaryEndpoint: "host",
  primaryClusterArn: "arn",
  secondaryClusterArn: "arn",
  dynamoTableName: "text",
  primaryBucketName: "text",
  secondaryBucketName: "text",
  /** The configured Aurora engine version; both clusters must report exactly this. */
  dbEngineVersion: "text",
  /** Base URL of the API stage, e.g. https://abc.execute-api.us-east-1.amazonaws.com/v1 (no trailing /orders). */
  primaryApiEndpoint: "url",
  secondaryApiEndpoint: "url",
  primaryHealthUrl: "url",
  secondaryHealthUrl: "url",
  primaryQueueUrl: "url",
  secondaryQueueUrl: "url",
  primaryDlqUrl: "url",
  secondaryDlqUrl: "url",
  /** Where each region's processor parks refused orders (not redriven; a person reads them). */
  primaryRejectsQueueUrl: "url",
  secondaryRejectsQueueUrl: "url",
  primaryOrderProcessorName: "text",
  secondaryOrderProcessorName: "text",
  primaryHealthCheckId: "text",
  secondaryHealthCheckId: "text",
  primaryHealthAlarmName: "text",
  /** Canary names; each lives in one of the two regions. */
  canaryNames: "names",
  failoverFunctionArn: "arn",
  failoverFunctionName: "text",
  /** Composite alarm of the primary region's critical alarms (lives in primaryRegion). */
  compositeAlarmName: "text",
  dashboardName: "text",
  /** Route 53 health-check settings the stack configured; the live check compares against these. */
  healthCheckIntervalSeconds: "count",
  healthCheckFailureThreshold: "count",
  /** Region of the Route 53 health-check alarms (Route 53 metrics exist only in us-east-1). */
  metricsRegion: "region",
  /** Canaries by role: primary in primaryRegion; secondary and probe (watching the primary) in secondaryRegion. */
  primaryCanaryName: "text",
  secondaryCanaryName: "text",
  probeCanaryName: "text",
  /** The secondary's probe canary alarm: a failover trigger, in secondaryRegion. */
  probeAlarmName: "text",
  /** True for production stacks: the end-to-end order check refuses to run against them. */
  production: "flag",
  /** Each region's order intake (mapping UUIDs, queue and DLQ ARNs), the value of the orchestrator's
   *  PROCESSING_SITES: the drill makes processing follow the writer with it (F2). */
  processingSites: "sites",
  /** Each region's DLQ ARN: what `aws sqs start-message-move-task --source-arn` takes (O3). */
  primaryDlqArn: "arn",
  secondaryDlqArn: "arn",
  /** Cluster identifiers: the DBClusterIdentifier dimension of the lag metrics (O3). */
  primaryClusterId: "text",
  secondaryClusterId: "text",
  /** The configured Aurora RPO target: the decision table and the drill compare the lag with it (O3). */
  auroraRpoTargetSeconds: "count",
  /** The reconcile function in the secondary region: the runbook invokes it when no workstation can
   *  reach the writer (O3). */
  reconcileFunctionName: "text",
  /** The order processor's secret in the secondary region, which the reconcile function reads;
   *  `npm run reconcile` reads it too (O3). */
  ledgerSecretArn: "arn",
  /** The names the ledger's TLS certificate may carry besides the global writer endpoint: the reconcile
   *  function's DB_TLS_SERVER_NAMES, which `npm run reconcile` sets too (O3). */
  ledgerTlsServerNames: "names",
  /** A least-privilege IAM policy document (JSON) for the on-call operator, to grant in advance (O3). */
  operatorPolicy: "text",
} as const satisfies Record<string, ValueKind>;

/** Exported only when the stack has them: apiUrl with a failover DNS name (tap:hostedZoneName); the
 *  writer lease's witness with tap:writerLease (X3: the drill moves the lease, the runbook reads it). */
export const OPTIONAL_OUTPUT_SPEC = {
  apiUrl: "url",
  witnessTableName: "text",
  witnessRegion: "region",
  writerLeaseMs: "count",
} as const satisfies Record<string, ValueKind>;

type ValueOf<K extends ValueKind> = K extends "names"
  ? readonly string[]
  : K extends "count"
    ? number
    : K extends "flag"
      ? boolean
      : string;
export type OutputKey = keyof typeof OUTPUT_SPEC;
export type OptionalOutputKey = keyof typeof OPTIONAL_OUTPUT_SPEC;
export type StackOutputs = { readonly [K in OutputKey]: ValueOf<(typeof OUTPUT_SPEC)[K]> } & {
  readonly [K in keyof typeof OPTIONAL_OUTPUT_SPEC]?: ValueOf<(typeof OPTIONAL_OUTPUT_SPEC)[K]>;
};
export const OUTPUT_KEYS = Object.keys(OUTPUT_SPEC) as OutputKey[];

type InputOf<T> = T extends readonly string[] ? pulumi.Input<string>[] : pulumi.Input<T>;
/** What the program exports: the same keys, as Pulumi Inputs. */
export type StackOutputValues = { readonly [K in keyof StackOutputs]: InputOf<StackOutputs[K]> };

/** Every output of the stack, read off the components that own them. */
export function stackOutputs(stack: TapStack, cfg: TapConfig): StackOutputValues {
  const { primary, secondary, services } = stack;
  const { aurora, credentials, ordersTable, buckets } = stack.data;
  const [p, s] = [services.primary, services.secondary];
  return {
    primaryRegion: cfg.primaryRegion,
    secondaryRegion: cfg.secondaryRegion,
    primaryVpcId: primary.vpc.vpcId,
    secondaryVpcId: secondary.vpc.vpcId,
    primaryKmsKeyArn: primary.key.arn,
    secondaryKmsKeyArn: secondary.key.arn,
    primarySnsTopicArn: primary.topic.arn,
    secondarySnsTopicArn: secondary.topic.arn,
    metricsSnsTopicArn: stack.metrics.topic.arn,
    dbSecretArn: credentials.secretArn,
    globalClusterId: aurora.globalClusterId,
    globalWriterEndpoint: aurora.globalWriterEndpoint,
    auroraPrimaryEndpoint: aurora.primaryWriterEndpoint,
    auroraPrimaryReaderEndpoint: aurora.primaryReaderEndpoint,
    auroraSecondaryEndpoint: aurora.secondaryReaderEndpoint,
    primaryClusterArn: aurora.primaryClusterArn,
    secondaryClusterArn: aurora.secondaryClusterArn,
    dynamoTableName: ordersTable.tableName,
    primaryBucketName: buckets.primaryBucketName,
    secondaryBucketName: buckets.secondaryBucketName,
    dbEngineVersion: cfg.dbEngineVersion,
    primaryApiEndpoint: p.api.endpoint,
    secondaryApiEndpoint: s.api.endpoint,
    primaryHealthUrl: p.api.healthUrl,
    secondaryHealthUrl: s.api.healthUrl,
    primaryQueueUrl: p.queue.queueUrl,
    secondaryQueueUrl: s.queue.queueUrl,
    primaryDlqUrl: p.queue.dlqUrl,
    secondaryDlqUrl: s.queue.dlqUrl,
    primaryRejectsQueueUrl: p.queue.rejectsQueueUrl,
    secondaryRejectsQueueUrl: s.queue.rejectsQueueUrl,
    primaryOrderProcessorName: p.processor.functionName,
    secondaryOrderProcessorName: s.processor.functionName,
    primaryHealthCheckId: p.healthCheck.healthCheckId,
    secondaryHealthCheckId: s.healthCheck.healthCheckId,
    primaryHealthAlarmName: p.healthCheck.alarmName,
    canaryNames: [p, s].flatMap((r) => [r.canary, ...(r.probe ? [r.probe] : [])]).map((c) => c.canaryName),
    failoverFunctionArn: stack.failover.functionArn,
    failoverFunctionName: stack.failover.functionName,
    compositeAlarmName: stack.monitoring.compositeAlarmName,
    dashboardName: stack.monitoring.dashboardName,
    healthCheckIntervalSeconds: cfg.healthCheckIntervalSeconds,
    healthCheckFailureThreshold: cfg.healthCheckFailureThreshold,
    metricsRegion: stack.providers.metricsRegion,
    primaryCanaryName: p.canary.canaryName,
    secondaryCanaryName: s.canary.canaryName,
    probeCanaryName: probeOf(s).canaryName,
    probeAlarmName: probeOf(s).alarmName,
    production: cfg.production,
    processingSites: stack.failover.processingSites,
    ...operatorOutputs(stack, cfg),
    ...(stack.apiUrl ? { apiUrl: stack.apiUrl } : {}),
    ...(stack.witness
      ? {
          witnessTableName: stack.witness.tableName,
          witnessRegion: stack.witness.region,
          writerLeaseMs: stack.witness.leaseMs,
        }
      : {}),
  };
}

/** What the runbook's commands need besides the outputs above (O3). */
function operatorOutputs(stack: TapStack, cfg: TapConfig) {
  const { aurora } = stack.data;
  const [p, s] = [stack.services.primary, stack.services.secondary];
  const reconcile = reconcileOf(stack.failover);
  return {
    primaryDlqArn: p.queue.dlqArn,
    secondaryDlqArn: s.queue.dlqArn,
    primaryClusterId: aurora.primaryClusterId,
    secondaryClusterId: aurora.secondaryClusterId,
    auroraRpoTargetSeconds: cfg.targets.auroraRpoSeconds,
    reconcileFunctionName: reconcile.name,
    ledgerSecretArn: s.ledgerAccess.secretArn,
    ledgerTlsServerNames: [...stack.data.dbTlsServerNames],
    operatorPolicy: stack.operatorPolicy,
  };
}

/** TapStack always deploys the reconcile function next to the orchestrator. */
export function reconcileOf(failover: TapStack["failover"]) {
  if (!failover.reconcileFunctionName || !failover.reconcileFunctionArn)
    throw new Error("the failover orchestrator has no reconcile function");
  return { name: failover.reconcileFunctionName, arn: failover.reconcileFunctionArn };
}

/** The secondary watches the primary's API; TapStack always builds that probe. */
function probeOf(service: TapStack["services"]["secondary"]) {
  if (!service.probe) throw new Error("the secondary region's service has no probe canary");
  return service.probe;
}

/** The outcome of checking `pulumi stack output --json` text against the contract. */
export interface OutputsCheck<K extends string> {
  readonly values: Partial<Record<K, unknown>>;
  readonly missing: K[];
  /** "<key>: <problem>, got <value>" per malformed value. */
  readonly invalid: string[];
  /** Some value reads "[secret]": the file was written without --show-secrets. */
  readonly secretPlaceholder: boolean;
}

/** Checks the named keys of parsed outputs (default: every required key); reports every problem. */
export function checkOutputs<K extends OutputKey | OptionalOutputKey>(
  record: Record<string, unknown>,
  keys: readonly K[] = OUTPUT_KEYS as K[],
): OutputsCheck<K> {
  const values: Partial<Record<K, unknown>> = {};
  const missing: K[] = [];
  const invalid: string[] = [];
  let secretPlaceholder = false;
  for (const key of keys) {
    const value = record[key];
    if (value === undefined || value === null) {
      missing.push(key);
      continue;
    }
    if (value === "[secret]") secretPlaceholder = true;
    const problem = checkValue({ ...OUTPUT_SPEC, ...OPTIONAL_OUTPUT_SPEC }[key], value);
    if (problem) invalid.push(`${key}: ${problem}, got ${show(value)}`);
    else values[key] = typeof value === "string" ? value.trim() : value;
  }
  return { values, missing, invalid, secretPlaceholder };
}

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const HOST_RE = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const ARN_RE = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/;

export function checkValue(kind: ValueKind, value: unknown): string | undefined {
  if (kind === "names") {
    if (!Array.isArray(value)) return "expected an array of names";
    if (value.length === 0) return "expected at least one name";
    if (!value.every((v) => typeof v === "string" && v.trim() !== ""))
      return "expected only non-empty strings";
    return undefined;
  }
  if (kind === "count") {
    return Number.isInteger(value) && (value as number) > 0 ? undefined : "expected a positive integer";
  }
  if (kind === "flag") return typeof value === "boolean" ? undefined : "expected true or false";
  if (typeof value !== "string" || value.trim() === "") return "expected a non-empty string";
  switch (kind) {
    case "sites":
      return sitesProblem(value);
    case "region":
      return REGION_RE.test(value) ? undefined : "expected an AWS region such as us-east-1";
    case "host":
      return HOST_RE.test(value) ? undefined : "expected a host name without scheme, port or path";
    case "arn":
      return ARN_RE.test(value) ? undefined : "expected an ARN";
    case "url":
      return isHttpUrl(value) ? undefined : "expected an absolute http(s) URL";
    default:
      return undefined;
  }
}

/** The orchestrator's parser decides, so a value the Lambda would refuse is refused here too. */
function sitesProblem(value: string): string | undefined {
  const problems: string[] = [];
  const sites = parseProcessingSites(value, problems);
  if (problems.length > 0)
    return `not what the orchestrator's ${FAILOVER_ENV.processingSites} accepts (${problems.join("; ")})`;
  return sites.length === 0 ? "expected at least one processing site" : undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

export function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return typeof value;
}
