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
import {
  checkOutputs,
  OUTPUTS_FILE_ENV,
  show,
  type OutputKey,
  type StackOutputs as AllStackOutputs,
} from "../../../lib/stack-outputs";

export const DB_REACHABLE_ENV = "TAP_DB_REACHABLE";
export const PRODUCE_OUTPUTS_COMMAND = "pulumi stack output --json --show-secrets > outputs.json";
export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const DEFAULT_OUTPUTS_FILE = path.join(REPO_ROOT, "outputs.json");

/**
 * The outputs the live checks read. Names, value kinds and checks come from the stack-outputs contract
 * (lib/stack-outputs.ts), the same one TapStack's outputs are typed by and the drill reads.
 * Every key here is REQUIRED; the stack may export more, which the loader ignores.
 */
export const REQUIRED_OUTPUT_KEYS = [
  "primaryRegion",
  "secondaryRegion",
  "globalClusterId",
  "globalWriterEndpoint",
  "auroraPrimaryEndpoint",
  "auroraSecondaryEndpoint",
  "primaryClusterArn",
  "secondaryClusterArn",
  "dbSecretArn",
  "dynamoTableName",
  "primaryBucketName",
  "secondaryBucketName",
  "primarySnsTopicArn",
  "secondarySnsTopicArn",
  "primaryApiEndpoint",
  "secondaryApiEndpoint",
  "primaryHealthUrl",
  "secondaryHealthUrl",
  "primaryQueueUrl",
  "secondaryQueueUrl",
  "primaryHealthCheckId",
  "canaryNames",
  "failoverFunctionArn",
  "dashboardName",
  "dbEngineVersion",
  "healthCheckIntervalSeconds",
  "healthCheckFailureThreshold",
  "metricsRegion",
  "primaryCanaryName",
  "processingSites",
  "secondaryCanaryName",
  "probeCanaryName",
  "compositeAlarmName",
  "primaryHealthAlarmName",
  "probeAlarmName",
  "primaryDlqUrl",
  "secondaryDlqUrl",
  "production",
  "secondaryHealthCheckId",
  "primaryOrderProcessorName",
  "secondaryOrderProcessorName",
  "primaryRejectsQueueUrl",
  "secondaryRejectsQueueUrl",
] as const satisfies readonly OutputKey[];

export type StackOutputs = Pick<AllStackOutputs, (typeof REQUIRED_OUTPUT_KEYS)[number]>;

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
        `\nRegenerate it at the repo root with \`${PRODUCE_OUTPUTS_COMMAND}\` or point ${OUTPUTS_FILE_ENV} at a valid file.`,
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
  return `B4: skipped — no stack outputs at ${file}; run \`${PRODUCE_OUTPUTS_COMMAND}\` or set ${OUTPUTS_FILE_ENV}`;
}

export function loadStackOutputs(options: LoadOptions = {}): OutputsDecision {
  const env = options.env ?? process.env;
  const requested = env[OUTPUTS_FILE_ENV]?.trim();
  const file = requested
    ? path.resolve(options.cwd ?? process.cwd(), requested)
    : (options.defaultFile ?? DEFAULT_OUTPUTS_FILE);

  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !requested) return { kind: "skip", file, reason: skipReason(file) };
    const what =
      code === "ENOENT" ? `${OUTPUTS_FILE_ENV} names a file that does not exist` : "cannot be read";
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
  const { values, missing, invalid, secretPlaceholder } = checkOutputs(
    json as Record<string, unknown>,
    REQUIRED_OUTPUT_KEYS,
  );
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing keys (${missing.length}): ${missing.join(", ")}`);
  problems.push(...invalid.map((p) => `invalid value — ${p}`));
  if (secretPlaceholder) problems.push('values read "[secret]": the file was written without --show-secrets');
  if (problems.length > 0) throw new StackOutputsError(file, problems, missing);
  return values as StackOutputs;
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
