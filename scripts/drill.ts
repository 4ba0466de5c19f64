/**
 * Disaster-recovery drill, run by an operator from a workstation (see docs/runbook.md):
 *
 *   npx tsx scripts/drill.ts --mode switchover|failover [--target-region R] [--dry-run] [--yes] [--force] [--outputs outputs.json] [--reason text]
 *
 * Reads the stack outputs written by `pulumi stack output --json --show-secrets > outputs.json`
 * (default ./outputs.json, or $TAP_OUTPUTS_FILE) and runs the SAME orchestrator as the failover Lambda,
 * against the secondary Region (or, with --target-region naming the primary's Region, against the primary:
 * a failback is the same operation aimed the other way, X4; lambda/failover/aim.ts), with the same processing sites (the `processingSites` output is the
 * function's PROCESSING_SITES): after the writer moves, processing follows it and the DLQs are redriven.
 * An outputs file written before that output existed moves the database only, with a warning.
 * X3: with the witness outputs (witnessTableName, witnessRegion, writerLeaseMs) it moves the writer lease
 * before the promotion, as the function does, through a DynamoDB client in the witness Region; a stack
 * deployed with the lease but an outputs file without them is warned about (the lease would not move).
 * Before the plan (and before asking for --yes) it prints the target's RPO lag from CloudWatch, against
 * the stack's auroraRpoTargetSeconds: the number a data-losing failover decision hangs on.
 * Without --yes nothing is changed: it prints the plan and exits 2.
 * Every AWS client it builds has connect and request timeouts, so an unreachable Region fails the call
 * instead of hanging the drill.
 * Exit codes: 0 success, 1 the run failed, 2 usage/outputs error or not confirmed with --yes,
 * 3 a confirmed run that started nothing (blocked, or nothing to do); the reason is printed.
 */
import { readFileSync } from "node:fs";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient } from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import {
  clusterArnRegion,
  hasTimeBudget,
  parseProcessingSites,
  parseTuning,
  topicArnRegion,
} from "../lambda/failover/config";
import type { ProcessingSite } from "../lambda/failover/env-keys";
import { aim } from "../lambda/failover/aim";
import type { FailoverMode } from "../lambda/failover/events";
import {
  describeGlobalCluster,
  type BlockOn,
  describeSnapshot,
  runFailover,
  type Clock,
  type FailoverResult,
  type GlobalClusterSnapshot,
  type OrchestratorDeps,
} from "../lambda/failover/orchestrator";
import { clusterIdOf, latestRpoLag, RPO_LAG_METRIC, RPO_LAG_WINDOW_MS } from "../lambda/failover/rpo-lag";
import { cachedPerKey } from "../lambda/shared/client-cache";
import type { Env } from "../lambda/shared/env";
import type { WriterLease } from "../lambda/failover/lease-transfer";
import type { WriterLeaseSettings } from "../lambda/shared/writer-lease";
import type { Log } from "../lambda/shared/log";
import { rdsClientCache } from "../lambda/shared/rds-clients";
import { errorMessage } from "../lambda/shared/retry";
import {
  checkOutputs,
  OUTPUTS_FILE_ENV,
  type OptionalOutputKey,
  type OutputKey,
  type StackOutputs,
} from "../lib/stack-outputs";
import { httpTimeouts } from "../lambda/shared/http-timeouts";

export interface DrillDeps {
  readonly readFile: (path: string) => string;
  readonly env: Env;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly rdsClient: (region: string) => RDSClient;
  readonly snsClient: (region: string) => SNSClient;
  /** Per region: the processing sites' event source mappings and DLQ redrives (F2). */
  readonly lambdaClient: (region: string) => LambdaClient;
  readonly sqsClient: (region: string) => SQSClient;
  /** CloudWatch in the target's Region, where Aurora publishes that secondary's RPO lag. */
  readonly cloudwatchClient: (region: string) => CloudWatchClient;
  /** X3: the writer lease's witness, in its own Region. */
  readonly witnessClient: (region: string) => WriterLease["ddb"];
  readonly clock: Clock;
  readonly random: () => number;
}

/** The stack outputs the drill needs, named and typed by the stack-outputs contract (lib/stack-outputs.ts). */
export const REQUIRED_OUTPUT_KEYS = [
  "globalClusterId",
  "secondaryClusterArn",
  "secondaryRegion",
  "secondarySnsTopicArn",
] as const satisfies readonly OutputKey[];
/** Read when present: an outputs file written before the stack exported it lacks it. */
export const SITES_OUTPUT_KEY = "processingSites" satisfies OutputKey;
/** Read when present: the RPO target the lag is compared with (O3). */
export const RPO_TARGET_OUTPUT_KEY = "auroraRpoTargetSeconds" satisfies OutputKey;
/** Read when present: what a failback (--target-region <primary's Region>) promotes. */
export const FAILBACK_OUTPUT_KEY = "primaryClusterArn" satisfies OutputKey;
/** X3: read when present (a stack with tap:writerLease): the witness the orchestrator moves the lease in. */
export const WITNESS_OUTPUT_KEYS = [
  "witnessTableName",
  "witnessRegion",
  "writerLeaseMs",
] as const satisfies readonly OptionalOutputKey[];
export type DrillOutputs = Pick<StackOutputs, (typeof REQUIRED_OUTPUT_KEYS)[number]> & {
  /** The orchestrator's processing sites; undefined when the outputs file has none (database only). */
  readonly processingSites?: readonly ProcessingSite[];
  /** Undefined when the outputs file predates the output. */
  readonly auroraRpoTargetSeconds?: number;
  /** The original primary's cluster; undefined in an outputs file without it (no failback then). */
  readonly primaryClusterArn?: string;
  /** X3: the writer lease's witness; undefined for a stack without one (or an older outputs file). */
  readonly writerLease?: WriterLeaseSettings;
};

/** A hand-run drill is not bound by the Lambda timeout; switchovers commonly take a few minutes. */
const DRILL_TIME_BUDGET_MS = 900_000;

/** Bounds on every AWS call the drill makes: a Region that does not answer fails the call, not the operator. */
export const DRILL_HTTP_TIMEOUTS = httpTimeouts(5_000, 20_000);

/** Client settings for every AWS client the drill builds; retries are the orchestrator's (MAX_ATTEMPTS). */
export function drillClientConfig(region: string) {
  return { region, maxAttempts: 1, requestHandler: { ...DRILL_HTTP_TIMEOUTS } };
}

/** Exit codes; see the header. */
export const EXIT = { ok: 0, failed: 1, usage: 2, nothingStarted: 3 } as const;

export const USAGE = `Usage: npx tsx scripts/drill.ts --mode switchover|failover [--target-region R] [--dry-run] [--yes] [--force] [--outputs outputs.json] [--reason text]

  --mode      switchover: planned, no data loss, both Regions must be healthy
              failover:   unplanned, AllowDataLoss=true, for when the primary Region is impaired
  --target-region
              the Region whose cluster becomes the writer: the secondary's (default) or the
              primary's, to fail back (the same operation aimed the other way)
  --dry-run   only report the plan (default unless --yes is given)
  --yes       really do it
  --force     failover only: go ahead even though a switchover/failover is already in progress
              (without it, that is the only state that blocks a failover; see docs/runbook.md)
  --outputs   stack outputs JSON (default $${OUTPUTS_FILE_ENV} or ./outputs.json), from:
              pulumi stack output --json --show-secrets > outputs.json
  --reason    free text recorded in the SNS notifications`;

export class DrillUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrillUsageError";
  }
}

interface DrillArgs {
  mode: FailoverMode;
  dryRun: boolean;
  yes: boolean;
  force: boolean;
  outputs?: string;
  reason?: string;
  targetRegion?: string;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): DrillArgs {
  const args: Partial<DrillArgs> & { dryRun: boolean; yes: boolean; force: boolean; help: boolean } = {
    dryRun: false,
    yes: false,
    force: false,
    help: false,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new DrillUsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = value(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case "--mode": {
        const m = take();
        if (m !== "switchover" && m !== "failover")
          throw new DrillUsageError(`--mode must be switchover or failover, got "${m}"`);
        args.mode = m;
        break;
      }
      case "--dry-run":
        args.dryRun = true;
        break;
      case "--yes":
        args.yes = true;
        break;
      case "--force":
        args.force = true;
        break;
      case "--outputs":
        args.outputs = take();
        break;
      case "--reason":
        args.reason = take();
        break;
      case "--target-region":
        args.targetRegion = take();
        break;
      case "--help":
      case "-h":
        args.help = true;
        break;
      default:
        throw new DrillUsageError(`unknown argument "${argv[i]}"`);
    }
  }
  if (!args.help && !args.mode) throw new DrillUsageError("--mode is required");
  if (args.force && args.mode !== "failover") {
    throw new DrillUsageError(
      "--force applies to --mode failover only (a switchover needs both Regions healthy)",
    );
  }
  return args as DrillArgs;
}

/** Reads and validates the stack outputs, naming every missing or malformed key. */
export function loadOutputs(path: string, readFile: (p: string) => string): DrillOutputs {
  const data = readOutputsFile(path, readFile);
  const { values, missing, invalid } = checkOutputs(data, REQUIRED_OUTPUT_KEYS);
  if (missing.length > 0) {
    throw new DrillUsageError(
      `${path} is missing stack output key(s): ${missing.join(", ")} (expected ${REQUIRED_OUTPUT_KEYS.join(", ")})`,
    );
  }
  if (invalid.length > 0) throw new DrillUsageError(`${path}: ${invalid.join("; ")}`);
  const out = values as DrillOutputs;
  const problems: string[] = [];
  if (clusterArnRegion(out.secondaryClusterArn) !== out.secondaryRegion) {
    problems.push(
      `secondaryClusterArn ${out.secondaryClusterArn} is not an RDS cluster ARN in ${out.secondaryRegion}`,
    );
  }
  if (topicArnRegion(out.secondarySnsTopicArn) !== out.secondaryRegion) {
    problems.push(
      `secondarySnsTopicArn ${out.secondarySnsTopicArn} is not an SNS topic ARN in ${out.secondaryRegion}`,
    );
  }
  const processingSites = sitesOf(data, problems);
  const optional = checkOutputs(data, [RPO_TARGET_OUTPUT_KEY, FAILBACK_OUTPUT_KEY]);
  problems.push(...optional.invalid);
  const primaryClusterArn = optional.values[FAILBACK_OUTPUT_KEY] as string | undefined;
  const writerLease = witnessOf(data, problems);
  if (problems.length > 0) throw new DrillUsageError(`${path}: ${problems.join("; ")}`);
  return {
    ...out,
    processingSites,
    auroraRpoTargetSeconds: optional.values[RPO_TARGET_OUTPUT_KEY] as number,
    ...(primaryClusterArn ? { primaryClusterArn } : {}),
    ...(writerLease ? { writerLease } : {}),
  };
}

/** X3: the witness, all three outputs or none (a half-written file is a problem, not "no lease"). */
function witnessOf(data: Record<string, unknown>, problems: string[]): WriterLeaseSettings | undefined {
  const { values, missing, invalid } = checkOutputs(data, WITNESS_OUTPUT_KEYS);
  if (missing.length === WITNESS_OUTPUT_KEYS.length) return undefined;
  if (missing.length > 0)
    problems.push(`the writer lease's outputs are incomplete: ${missing.join(", ")} missing`);
  problems.push(...invalid);
  if (missing.length > 0 || invalid.length > 0) return undefined;
  return {
    table: values.witnessTableName as string,
    region: values.witnessRegion as string,
    leaseMs: values.writerLeaseMs as number,
  };
}

function readOutputsFile(path: string, readFile: (p: string) => string): Record<string, unknown> {
  let raw: string;
  try {
    raw = readFile(path);
  } catch (err) {
    throw new DrillUsageError(
      `cannot read stack outputs from ${path} (${errorMessage(err)}); create it with: pulumi stack output --json --show-secrets > ${path}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new DrillUsageError(`${path} is not valid JSON`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new DrillUsageError(`${path} must contain a JSON object of stack outputs`);
  }
  return data as Record<string, unknown>;
}

/**
 * The processing sites, checked by the contract (the orchestrator's own parser); undefined when the
 * file predates the output. The Region the drill promotes must have a site (checked in main).
 */
function sitesOf(data: Record<string, unknown>, problems: string[]): ProcessingSite[] | undefined {
  const { values, missing, invalid } = checkOutputs(data, [SITES_OUTPUT_KEY]);
  if (missing.length > 0) return undefined;
  problems.push(...invalid);
  if (invalid.length > 0) return undefined;
  return parseProcessingSites(values[SITES_OUTPUT_KEY] as string, problems);
}

/** The cluster the drill promotes (the orchestrator's own rule, aim.ts), or why it cannot aim there. */
function aimDrill(args: DrillArgs, outputs: DrillOutputs): { arn: string; region: string } {
  const aimed = aim(args, {
    targetClusterArn: outputs.secondaryClusterArn,
    failbackClusterArn: outputs.primaryClusterArn,
  });
  if ("refused" in aimed) throw new DrillUsageError(`--target-region: ${aimed.refused}`);
  const region = clusterArnRegion(aimed.targetClusterArn)!;
  if (outputs.processingSites && !outputs.processingSites.some((site) => site.region === region)) {
    throw new DrillUsageError(`${SITES_OUTPUT_KEY}: no site in ${region}, the Region the drill promotes`);
  }
  return { arn: aimed.targetClusterArn, region };
}

export function defaultDeps(): DrillDeps {
  return {
    readFile: (p) => readFileSync(p, "utf8"),
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    rdsClient: (region) => new RDSClient(drillClientConfig(region)),
    snsClient: (region) => new SNSClient(drillClientConfig(region)),
    lambdaClient: (region) => new LambdaClient(drillClientConfig(region)),
    sqsClient: (region) => new SQSClient(drillClientConfig(region)),
    cloudwatchClient: (region) => new CloudWatchClient(drillClientConfig(region)),
    witnessClient: (region) => DynamoDBDocumentClient.from(new DynamoDBClient(drillClientConfig(region))),
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    random: Math.random,
  };
}

function printState(out: (line: string) => void, label: string, snap: GlobalClusterSnapshot): void {
  out(`${label}: ${describeSnapshot(snap)}`);
  if (snap.endpoint) out(`  global writer endpoint: ${snap.endpoint}`);
}

export async function main(argv: readonly string[], overrides: Partial<DrillDeps> = {}): Promise<number> {
  const deps: DrillDeps = { ...defaultDeps(), ...overrides };
  const { out, err } = deps;

  let args: DrillArgs;
  let outputs: DrillOutputs;
  let path: string;
  let target: { arn: string; region: string };
  try {
    args = parseArgs(argv);
    if (args.help) {
      out(USAGE);
      return 0;
    }
    path = args.outputs ?? deps.env[OUTPUTS_FILE_ENV] ?? "outputs.json";
    outputs = loadOutputs(path, deps.readFile);
    target = aimDrill(args, outputs);
  } catch (e) {
    err(`drill: ${e instanceof Error ? e.message : String(e)}`);
    if (e instanceof DrillUsageError) err(USAGE);
    return 2;
  }

  const problems: string[] = [];
  const tuning = parseTuning(deps.env, problems);
  if (problems.length > 0) {
    err(`drill: invalid settings:\n  - ${problems.join("\n  - ")}`);
    return 2;
  }
  const timeBudgetMs = hasTimeBudget(deps.env) ? tuning.timeBudgetMs : DRILL_TIME_BUDGET_MS;

  const dryRun = !(args.yes && !args.dryRun);
  // Read and promote through the target's Region: after a failover that may be the only one that answers.
  // The target's RPO lag is published there too (it is the secondary being promoted).
  const region = target.region;
  const cloudwatch = deps.cloudwatchClient(region);
  const orchestratorDeps = drillOrchestratorDeps(deps, region, outputs, cloudwatch);
  const { rds } = orchestratorDeps;

  out(`DR drill: mode=${args.mode} ${dryRun ? "DRY RUN (no change will be made)" : "REAL RUN"}`);
  out(`  global cluster: ${outputs.globalClusterId}`);
  out(
    `  target (${region === outputs.secondaryRegion ? "secondary" : "primary: failback"}) cluster: ${target.arn} in ${region}`,
  );
  out(`  notifications: ${outputs.secondarySnsTopicArn}`);
  printSites(deps, path, outputs.processingSites);
  printWitness(deps, path, outputs.writerLease);

  out("Step 1/3: live state before");
  try {
    printState(out, "before", await describeGlobalCluster(rds, outputs.globalClusterId));
  } catch (e) {
    err(`drill: cannot read global cluster ${outputs.globalClusterId} in ${region}: ${errorMessage(e)}`);
    return 1;
  }
  await printRpoLag(deps, outputs, target, cloudwatch);

  out(`Step 2/3: ${dryRun ? "planning" : "executing"} ${args.mode}`);
  const result = await runFailover(
    {
      mode: args.mode,
      dryRun,
      reason: args.reason ?? `DR drill (${args.mode})`,
      requestedBy: `drill:${deps.env.USER ?? deps.env.USERNAME ?? "unknown"}`,
      trigger: "drill",
      ...(args.targetRegion ? { targetRegion: args.targetRegion } : {}),
    },
    {
      globalClusterId: outputs.globalClusterId,
      targetClusterArn: outputs.secondaryClusterArn,
      failbackClusterArn: outputs.primaryClusterArn,
      alertTopicArn: outputs.secondarySnsTopicArn,
      ...tuning,
      timeBudgetMs,
      // Without sites the orchestrator reports follow-writer as a step to do by hand (runbook).
      processingSites: outputs.processingSites ?? [],
    },
    orchestratorDeps,
    blockOn(args),
  );

  out("Step 3/3: live state after");
  try {
    printState(out, "after", await describeGlobalCluster(rds, outputs.globalClusterId));
  } catch (e) {
    err(`drill: cannot read global cluster state after the run: ${errorMessage(e)}`);
  }

  printResult(out, result);
  return verdict(result, args, out);
}

/**
 * The orchestrator's dependencies, as the Lambda builds them (lambda/failover/index.ts) but from the
 * drill's clients, all with the drill's timeouts. No reconcile function: after a data-losing failover
 * the reconcile step reports `npm run reconcile` to run by hand.
 */
function drillOrchestratorDeps(
  deps: DrillDeps,
  region: string,
  outputs: DrillOutputs,
  cloudwatch: CloudWatchClient,
): OrchestratorDeps {
  const topicRegion = outputs.secondaryRegion;
  const lease = outputs.writerLease;
  const rdsFor = rdsClientCache((r) => deps.rdsClient(r));
  const rds = rdsFor(region);
  const { out } = deps;
  const logger: Log = {
    debug: () => undefined,
    info: (message) => out(`  - ${message}`),
    warn: (message, data) => out(`  ! ${message}${data?.error ? ` (${String(data.error)})` : ""}`),
    error: (message, data) => out(`  ! ${message}${data?.error ? ` (${String(data.error)})` : ""}`),
  };
  return {
    rds,
    rdsForRegion: (r) => (r === region ? rds : rdsFor(r, true)),
    sns: deps.snsClient(topicRegion),
    lambdaForRegion: cachedPerKey((r) => deps.lambdaClient(r)),
    sqsForRegion: cachedPerKey((r) => deps.sqsClient(r)),
    cloudwatch,
    clock: deps.clock,
    random: deps.random,
    logger,
    writerLease: lease && { settings: lease, ddb: deps.witnessClient(lease.region) },
  };
}

/** X3: where the lease moves, or why it will not. */
function printWitness(deps: DrillDeps, path: string, lease: WriterLeaseSettings | undefined): void {
  if (lease) {
    deps.out(`  writer lease: ${lease.table} in ${lease.region} (moved to the target before the promotion)`);
    return;
  }
  deps.err(
    `drill: warning: ${path} has no writer lease outputs (${WITNESS_OUTPUT_KEYS.join(", ")}): the lease will not ` +
      "move. If the stack has tap:writerLease (the default), write the outputs again: the new writer's " +
      "processor books nothing until the lease is moved (docs/runbook.md, Fencing the old writer).",
  );
}

/**
 * The number the decision hangs on, read before the plan and before any --yes: the target's (the
 * secondary being promoted) AuroraGlobalDBRPOLag in its own Region (lambda/failover/rpo-lag.ts), against the stack's RPO target.
 */
async function printRpoLag(
  deps: DrillDeps,
  outputs: DrillOutputs,
  target: { arn: string; region: string },
  cw: CloudWatchClient,
): Promise<void> {
  const clusterId = clusterIdOf(target.arn) ?? target.arn;
  const label = `RPO lag (${RPO_LAG_METRIC.name} of ${clusterId} in ${target.region})`;
  const unknown = "treat the writes at risk as unknown";
  let lag;
  try {
    lag = await latestRpoLag(cw, clusterId, deps.clock.now());
  } catch (e) {
    deps.out(`${label}: could not be read (${errorMessage(e)}); ${unknown}`);
    return;
  }
  if (!lag) {
    deps.out(
      `${label}: no datapoint in the last ${RPO_LAG_WINDOW_MS / 60_000} min (published only while that cluster is a connected secondary); ${unknown}`,
    );
    return;
  }
  const at = lag.at ? ` at ${lag.at.toISOString()}` : "";
  deps.out(`${label}: ${lag.ms} ms${at}${rpoVerdict(lag.ms, outputs.auroraRpoTargetSeconds)}`);
}

/** How the lag compares with the RPO target; see the decision table in docs/runbook.md. */
export function rpoVerdict(lagMs: number, targetSeconds: number | undefined): string {
  if (targetSeconds === undefined) return " (no auroraRpoTargetSeconds in the outputs file to compare with)";
  if (lagMs <= targetSeconds * 1000) return `, within the RPO target of ${targetSeconds} s`;
  return `, ABOVE the RPO target of ${targetSeconds} s: a failover now loses more than the target allows; see the decision table in docs/runbook.md`;
}

/** Which intake the run will switch, or a warning that it will not. */
function printSites(deps: DrillDeps, path: string, sites: readonly ProcessingSite[] | undefined): void {
  if (sites) {
    deps.out(`  processing sites: ${sites.map((s) => s.region).join(", ")}`);
    return;
  }
  deps.err(
    `drill: warning: ${path} has no ${SITES_OUTPUT_KEY} output (written before the stack exported it): ` +
      `this run moves the database only; processing does not follow and no DLQ is redriven. Regenerate ` +
      `it (pulumi stack output --json --show-secrets > ${path}) or do those steps by hand (docs/runbook.md).`,
  );
}

function printResult(out: (line: string) => void, result: FailoverResult): void {
  out(`Result: ${result.result} (${result.ok ? "ok" : "NOT ok"}) in ${result.timings.durationMs} ms`);
  out(`  ${result.message}`);
  if (result.plan) {
    out(
      `  plan: ${result.plan.apiCall} ${JSON.stringify(result.plan.parameters)}; data loss possible: ${result.plan.dataLossPossible ? "yes" : "no"}`,
    );
  }
  for (const s of result.steps ?? [])
    out(`  step ${s.step}: ${s.ok ? "ok" : "NEEDS ATTENTION"}: ${s.detail}`);
  for (const n of result.notificationErrors ?? []) out(`  ! notification not delivered: ${n}`);
}

/**
 * In failover mode only a switchover/failover already in progress blocks the drill (--force overrides
 * that too): during a regional outage the global cluster is often not "available", and waiting for it
 * would defeat the purpose. A switchover keeps every precondition.
 */
export function blockOn(args: Pick<DrillArgs, "mode" | "force">): BlockOn {
  if (args.mode !== "failover") return "any";
  return args.force ? "none" : "failover-state";
}

/** Exit code of a finished run; a confirmed run that started nothing is not a success and says why. */
function verdict(result: FailoverResult, args: DrillArgs, out: (line: string) => void): number {
  if (!result.ok) return EXIT.failed;
  if (!args.dryRun && !args.yes) {
    out(`Nothing was changed. To execute this ${args.mode} for real, re-run with --yes.`);
    return EXIT.usage;
  }
  if (args.dryRun) return EXIT.ok;
  if (result.result === "in-progress") {
    out(`Nothing was started: ${result.message}`);
    out(
      args.mode === "failover"
        ? '  Blocked by a switchover/failover already in progress. See docs/runbook.md, "When the drill is blocked"; --force overrides.'
        : '  See docs/runbook.md, "When the drill is blocked".',
    );
    return EXIT.nothingStarted;
  }
  if (result.result === "already-writer") {
    out(`Nothing was started: ${result.message}`);
    return EXIT.nothingStarted;
  }
  return EXIT.ok;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`drill: ${errorMessage(e)}`);
      process.exitCode = 1;
    },
  );
}
