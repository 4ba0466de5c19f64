/**
 * B4: loads the deployed stack's outputs and decides whether the live integration tests run or skip.
 * Pure logic (no jest, no AWS) so test/integration-unit/ can cover it in the unit suite.
 *
 *   - no outputs.json at the repo root      → "skip", with a reason naming the file and the command.
 *   - TAP_OUTPUTS_FILE names a missing file → StackOutputsError: an explicitly requested file that isn't
 *     there (e.g. a CI step that failed to write it) must not turn into a green, all-skipped run.
 *   - file present but unreadable, invalid JSON, missing keys or wrong-typed values → StackOutputsError
 *     listing every problem at once; a broken or fake file fails, it never skips.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

export const OUTPUTS_ENV = "TAP_OUTPUTS_FILE";
export const DB_REACHABLE_ENV = "TAP_DB_REACHABLE";
export const PRODUCE_OUTPUTS_COMMAND = "pulumi stack output --json --show-secrets > outputs.json";
export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const DEFAULT_OUTPUTS_FILE = path.join(REPO_ROOT, "outputs.json");

/**
 * What each value must look like:
 *   region   – an AWS region name (it selects SDK endpoints, so garbage must not reach the SDK)
 *   text     – any non-empty string (names, ids, versions)
 *   host     – a DNS name without scheme, port or path (Aurora endpoints)
 *   arn      – an ARN
 *   url      – an absolute http(s) URL
 *   names    – a non-empty array of non-empty strings (an empty list would let a check pass vacuously)
 *   count    – a positive integer (configured tuning values the live checks compare against)
 *   flag     – a boolean
 */
type ValueKind = "region" | "text" | "host" | "arn" | "url" | "names" | "count" | "flag";

/** Every key here is REQUIRED; the stack may export more, which the loader ignores. */
const OUTPUT_SPEC = {
  primaryRegion: "region",
  secondaryRegion: "region",
  globalClusterId: "text",
  globalWriterEndpoint: "host",
  auroraPrimaryEndpoint: "host",
  auroraSecondaryEndpoint: "host",
  primaryClusterArn: "arn",
  secondaryClusterArn: "arn",
  dbSecretArn: "arn",
  dynamoTableName: "text",
  primaryBucketName: "text",
  secondaryBucketName: "text",
  primarySnsTopicArn: "arn",
  secondarySnsTopicArn: "arn",
  /** Base URL of the API stage, e.g. https://abc.execute-api.us-east-1.amazonaws.com/v1 (no trailing /orders). */
  primaryApiEndpoint: "url",
  secondaryApiEndpoint: "url",
  primaryHealthUrl: "url",
  secondaryHealthUrl: "url",
  primaryQueueUrl: "url",
  secondaryQueueUrl: "url",
  primaryHealthCheckId: "text",
  /** Canary names; each lives in one of the two regions. */
  canaryNames: "names",
  failoverFunctionArn: "arn",
  dashboardName: "text",
  /** The configured Aurora engine version; both clusters must report exactly this. */
  dbEngineVersion: "text",
  /** Route 53 health-check settings the stack configured; the live check compares against these. */
  healthCheckIntervalSeconds: "count",
  healthCheckFailureThreshold: "count",
  /** Region of the Route 53 health-check alarms (Route 53 metrics exist only in us-east-1). */
  metricsRegion: "region",
  /** Canaries by role: primary in primaryRegion; secondary and probe (watching the primary) in secondaryRegion. */
  primaryCanaryName: "text",
  secondaryCanaryName: "text",
  probeCanaryName: "text",
  /** Composite alarm of the primary region's critical alarms (lives in primaryRegion). */
  compositeAlarmName: "text",
  /** Failover-trigger alarms: Route 53's view (metricsRegion) and the secondary's probe canary (secondaryRegion). */
  primaryHealthAlarmName: "text",
  probeAlarmName: "text",
  primaryDlqUrl: "url",
  secondaryDlqUrl: "url",
  /** True for production stacks: the end-to-end order check refuses to run against them. */
  production: "flag",
} as const satisfies Record<string, ValueKind>;

type ValueOf<K extends ValueKind> = K extends "names"
  ? readonly string[]
  : K extends "count"
    ? number
    : K extends "flag"
      ? boolean
      : string;

export type StackOutputs = {
  readonly [K in keyof typeof OUTPUT_SPEC]: ValueOf<(typeof OUTPUT_SPEC)[K]>;
};

export type OutputKey = keyof StackOutputs;

export const REQUIRED_OUTPUT_KEYS = Object.keys(OUTPUT_SPEC) as OutputKey[];

export type OutputsDecision =
  | { readonly kind: "run"; readonly file: string; readonly outputs: StackOutputs }
  | { readonly kind: "skip"; readonly file: string; readonly reason: string };

export class StackOutputsError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    readonly missingKeys: readonly string[] = [],
  ) {
    super(
      `B4: stack outputs file ${file} is not usable:\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        `\nRegenerate it at the repo root with \`${PRODUCE_OUTPUTS_COMMAND}\` or point ${OUTPUTS_ENV} at a valid file.`,
    );
    this.name = "StackOutputsError";
  }
}

export interface LoadOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Base for a relative TAP_OUTPUTS_FILE. */
  readonly cwd?: string;
  readonly defaultFile?: string;
}

export function skipReason(file: string): string {
  return `B4: skipped — no stack outputs at ${file}; run \`${PRODUCE_OUTPUTS_COMMAND}\` or set ${OUTPUTS_ENV}`;
}

export function loadStackOutputs(options: LoadOptions = {}): OutputsDecision {
  const env = options.env ?? process.env;
  const requested = env[OUTPUTS_ENV]?.trim();
  const file = requested
    ? path.resolve(options.cwd ?? process.cwd(), requested)
    : (options.defaultFile ?? DEFAULT_OUTPUTS_FILE);

  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !requested) return { kind: "skip", file, reason: skipReason(file) };
    const what = code === "ENOENT" ? `${OUTPUTS_ENV} names a file that does not exist` : "cannot be read";
    throw new StackOutputsError(file, [`${what}: ${(err as Error).message}`]);
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StackOutputsError(file, [`invalid JSON: ${(err as Error).message}`]);
  }
  return { kind: "run", file, outputs: parseStackOutputs(json, file) };
}

/** Validates parsed JSON; throws a StackOutputsError listing every missing key and every bad value. */
export function parseStackOutputs(json: unknown, file: string): StackOutputs {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new StackOutputsError(file, [`expected a JSON object of stack outputs, got ${show(json)}`]);
  }
  const record = json as Record<string, unknown>;
  const missing = REQUIRED_OUTPUT_KEYS.filter((k) => record[k] === undefined || record[k] === null);
  const invalid: string[] = [];
  let secretPlaceholder = false;
  for (const key of REQUIRED_OUTPUT_KEYS) {
    const value = record[key];
    if (value === undefined || value === null) continue;
    if (value === "[secret]") secretPlaceholder = true;
    const problem = checkValue(OUTPUT_SPEC[key], value);
    if (problem) invalid.push(`${key}: ${problem}, got ${show(value)}`);
  }

  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing keys (${missing.length}): ${missing.join(", ")}`);
  problems.push(...invalid.map((p) => `invalid value — ${p}`));
  if (secretPlaceholder) problems.push('values read "[secret]": the file was written without --show-secrets');
  if (problems.length > 0) throw new StackOutputsError(file, problems, missing);

  const outputs: Record<string, unknown> = {};
  for (const key of REQUIRED_OUTPUT_KEYS) outputs[key] = record[key];
  return outputs as StackOutputs;
}

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const HOST_RE = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const ARN_RE = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/;

function checkValue(kind: ValueKind, value: unknown): string | undefined {
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
    case "region":
      return REGION_RE.test(value) ? undefined : "expected an AWS region such as us-east-1";
    case "host":
      return HOST_RE.test(value) ? undefined : "expected a host name without scheme, port or path";
    case "arn":
      return ARN_RE.test(value) ? undefined : "expected an ARN";
    case "url":
      return isHttpUrl(value) ? undefined : "expected an absolute http(s) URL";
    case "text":
      return undefined;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return typeof value;
}

/** Region field of an ARN (arn:partition:service:region:account:resource). */
export function regionOfArn(arn: string): string {
  const region = arn.split(":")[3];
  if (!region) throw new Error(`ARN has no region: ${arn}`);
  return region;
}

export type DbCheckDecision = { readonly run: true } | { readonly run: false; readonly reason: string };

/** The ledger check needs a route into the private VPC, which a laptop or CI runner usually lacks. */
export function dbCheckDecision(env: NodeJS.ProcessEnv = process.env): DbCheckDecision {
  if (env[DB_REACHABLE_ENV] === "1") return { run: true };
  return {
    run: false,
    reason: `skipped — Aurora is in a private VPC; set ${DB_REACHABLE_ENV}=1 when this machine can reach it`,
  };
}
