/**
 * The failover function, live: it must run in the secondary region (the primary may be the one that is
 * down) and its environment must name THIS stack's global cluster, target (secondary) cluster and topic.
 * The rest of its environment contract too: all of it must load as the function loads it
 * (loadFailoverConfig), ALLOWED_ALARMS must be exactly the failover trigger (empty, no alarm can
 * start a run) and PROCESSING_SITES the stack's processingSites (empty, a failover would neither move
 * processing to the new writer nor redrive a DLQ, and still report success).
 * Optionally (TAP_INVOKE_FAILOVER_DRY_RUN=1) a real dry-run invoke exercises its permissions: the
 * function reads the global cluster and publishes the plan to the alert topic, changing nothing.
 * Fields: https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
 * Invoke (RequestResponse; FunctionError set when the handler threw):
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import { GetFunctionConfigurationCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import {
  FAILOVER_ENV,
  FailoverConfigError,
  loadFailoverConfig,
  parseProcessingSites,
} from "../../../lambda/failover/config";
import { RUNTIME_ENV } from "../../../lambda/shared/env";
import { awsCall } from "../support/aws";
import type { AwsClients } from "../support/clients";
import { regionOfArn, type StackOutputs } from "../support/outputs";
import { passOrThrow } from "./check-failure";

export const INVOKE_DRY_RUN_ENV = "TAP_INVOKE_FAILOVER_DRY_RUN";
/** A dry run takes seconds; this bounds the call well inside the function's 300 s timeout. */
const DRY_RUN_TIMEOUT_MS = 60_000;

type FnOutputs = Pick<
  StackOutputs,
  | "failoverFunctionArn"
  | "secondaryRegion"
  | "globalClusterId"
  | "secondaryClusterArn"
  | "secondarySnsTopicArn"
  | "primaryHealthAlarmName"
  | "processingSites"
>;

const sortedSites = (raw: string | undefined) =>
  JSON.stringify(parseProcessingSites(raw, []).sort((a, b) => a.region.localeCompare(b.region)));

/** What the function's environment gets wrong beyond the three names: loading, allowlist, sites. */
export function envContractProblems(env: Record<string, string>, region: string, o: FnOutputs): string[] {
  const problems: string[] = [];
  try {
    loadFailoverConfig({ ...env, [RUNTIME_ENV.region]: region });
  } catch (err) {
    if (!(err instanceof FailoverConfigError)) throw err;
    problems.push(...err.problems.map((p) => `the function cannot load its environment: ${p}`));
  }
  const K = FAILOVER_ENV;
  const allowed = (env[K.allowedAlarms] ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean)
    .sort();
  // X2: the primary's health alarm (Route 53's checkers, several Regions) is the one trigger; the probe
  // canary runs in the secondary only, one vantage point, so it notifies but never starts a failover.
  const triggers = [o.primaryHealthAlarmName].sort();
  if (allowed.length === 0) problems.push(`${K.allowedAlarms} is empty: no alarm can start a failover`);
  else if (allowed.join(",") !== triggers.join(","))
    problems.push(
      `${K.allowedAlarms} is [${allowed.join(", ")}], expected the failover triggers [${triggers.join(", ")}]`,
    );
  const sites = parseProcessingSites(env[K.processingSites], []);
  if (sites.length === 0)
    problems.push(
      `${K.processingSites} is empty: a failover would neither move processing to the new writer nor redrive a DLQ`,
    );
  else if (sortedSites(env[K.processingSites]) !== sortedSites(o.processingSites))
    problems.push(`${K.processingSites} differs from the stack's processingSites output`);
  return problems;
}

export async function checkFailoverFunction(c: AwsClients, o: FnOutputs): Promise<void> {
  const region = regionOfArn(o.failoverFunctionArn);
  const problems: string[] = [];
  if (region !== o.secondaryRegion)
    problems.push(`function is in ${region}, expected the secondary region ${o.secondaryRegion}`);
  const cfg = await awsCall(`Lambda GetFunctionConfiguration ${o.failoverFunctionArn}`, (abortSignal) =>
    c
      .lambda(region)
      .send(new GetFunctionConfigurationCommand({ FunctionName: o.failoverFunctionArn }), { abortSignal }),
  );
  if (cfg.State !== "Active") problems.push(`State is ${cfg.State ?? "missing"}, expected Active`);
  if (cfg.LastUpdateStatus !== undefined && cfg.LastUpdateStatus !== "Successful") {
    problems.push(`LastUpdateStatus is ${cfg.LastUpdateStatus}: ${cfg.LastUpdateStatusReason ?? ""}`);
  }
  const env = cfg.Environment?.Variables ?? {};
  const expected: Record<string, string> = {
    [FAILOVER_ENV.globalClusterId]: o.globalClusterId,
    [FAILOVER_ENV.targetClusterArn]: o.secondaryClusterArn,
    [FAILOVER_ENV.alertTopicArn]: o.secondarySnsTopicArn,
  };
  for (const [key, want] of Object.entries(expected)) {
    if (env[key] !== want) problems.push(`${key} is ${env[key] ?? "unset"}, expected ${want}`);
  }
  problems.push(...envContractProblems(env, region, o));
  passOrThrow(`failover function ${o.failoverFunctionArn}`, problems, undefined);
}

/** A real invoke with dryRun: true. Passes only on result "dry-run" with ok: true. */
export async function invokeFailoverDryRun(c: AwsClients, o: FnOutputs): Promise<Record<string, unknown>> {
  const region = regionOfArn(o.failoverFunctionArn);
  const payload = {
    mode: "failover",
    dryRun: true,
    reason: "live integration check",
    requestedBy: "integration-suite",
  };
  const out = await awsCall(
    `Lambda Invoke (dry run) ${o.failoverFunctionArn}`,
    (abortSignal) =>
      c.lambda(region).send(
        new InvokeCommand({
          FunctionName: o.failoverFunctionArn,
          InvocationType: "RequestResponse",
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
        { abortSignal },
      ),
    DRY_RUN_TIMEOUT_MS,
  );
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : "";
  let result: Record<string, unknown> = {};
  try {
    result = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  const problems: string[] = [];
  if (out.FunctionError) problems.push(`the function failed (${out.FunctionError}): ${text.slice(0, 300)}`);
  else if (result.result !== "dry-run" || result.ok !== true) {
    problems.push(`expected result "dry-run" with ok: true, got ${text.slice(0, 300) || "an empty payload"}`);
  }
  return passOrThrow(`failover function dry run`, problems, result);
}
