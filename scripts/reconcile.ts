/**
 * npm run reconcile -- --since <ISO time> [--dry-run] [--outputs outputs.json] [--table <name>] [--region <region>]
 *
 * Reconciles the order ledger and DynamoDB after a data-losing failover (lambda/reconcile/reconcile.ts),
 * from an operator's machine. The stack outputs file (default ./outputs.json or $TAP_OUTPUTS_FILE) gives the
 * table (dynamoTableName), the Region (secondaryRegion) and the connection the reconcile function uses
 * (ledgerSecretArn, globalWriterEndpoint, ledgerTlsServerNames); flags override them, and without the file
 * ORDERS_TABLE_NAME and AWS_REGION are read. DATABASE_URL or DB_SECRET_ARN (+ DB_HOST etc., as the
 * processor reads them) replace the connection.
 * The writer lives in private subnets: from outside its VPC the connection fails, and the CLI says so and
 * prints the invoke of the deployed reconcile function (reconcileFunctionName), which runs the same code
 * inside the VPC.
 * Prints the report as JSON; exit 0 when nothing conflicts, 1 on conflicts or errors, 2 on bad usage.
 */
import { readFileSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Database, dbSettingsFromEnv } from "../lambda/order-processor/db";
import { DB_ENV } from "../lambda/order-processor/db-env";
import type { Sql } from "../lambda/order-processor/sql";
import { RECONCILE_TIMEOUT_SECONDS } from "../lambda/reconcile/env";
import type { ReconcileEvent } from "../lambda/reconcile/event";
import { reconcileStores, type ReconcileDeps } from "../lambda/reconcile/reconcile";
import type { Log } from "../lambda/shared/log";
import { checkOutputs, OUTPUTS_FILE_ENV, type OutputKey, type StackOutputs } from "../lib/stack-outputs";

export const USAGE =
  "usage: npm run reconcile -- --since <ISO-8601 time> [--dry-run] [--outputs outputs.json] [--table <name>] [--region <region>]";

export const HELP = `${USAGE}

Compares the order ledger (Aurora) with the orders table (DynamoDB) from --since on: re-books orders only
the table holds, rewrites items the table lacks, counts conflicts without touching them.

  --since    ISO-8601 time, e.g. 2025-01-01T09:00:00Z (one hour before the failover request)
  --dry-run  count only, change nothing
  --outputs  stack outputs JSON (default $${OUTPUTS_FILE_ENV} or ./outputs.json); gives the table
             (dynamoTableName), the Region (secondaryRegion: the writer after a failover) and the ledger
             connection (ledgerSecretArn, globalWriterEndpoint, ledgerTlsServerNames)
  --table    override the table; without an outputs file: ORDERS_TABLE_NAME
  --region   override the Region; without an outputs file: AWS_REGION

It connects to the ledger writer on port 5432. The writer sits in private subnets of its Region's VPC,
so this works only from inside that VPC (VPN or bastion). From anywhere else, invoke the deployed
reconcile function instead (reconcileFunctionName output; see docs/runbook.md, "Reconcile the two stores").
Exit codes: 0 nothing conflicts, 1 conflicts or errors, 2 bad usage.`;

export interface ReconcileArgs {
  since: string;
  dryRun: boolean;
  help: boolean;
  outputs?: string;
  table?: string;
  region?: string;
}

export function parseArgs(argv: readonly string[]): ReconcileArgs {
  const args: Partial<ReconcileArgs> = { dryRun: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--since") args.since = value();
    else if (a === "--dry-run") args.dryRun = true;
    else if (a === "--outputs") args.outputs = value();
    else if (a === "--table") args.table = value();
    else if (a === "--region") args.region = value();
    else if (a === "--help" || a === "-h") args.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.help) return args as ReconcileArgs;
  if (!args.since) throw new Error("--since is required");
  if (Number.isNaN(Date.parse(args.since))) throw new Error(`--since: "${args.since}" is not a date-time`);
  return args as ReconcileArgs;
}

export interface CliDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Reads the outputs file; default fs. */
  readonly readFile?: (path: string) => string;
  /** Builds the stores; tests inject a real PostgreSQL and dynalite. */
  readonly stores?: (
    target: Target,
    log: Log,
  ) => { db: Sql & { end?(): Promise<void> }; ddb: ReconcileDeps["ddb"] };
}

/** The outputs the CLI reads, named by the stack-outputs contract. */
export const RECONCILE_OUTPUT_KEYS = [
  "dynamoTableName",
  "secondaryRegion",
  "ledgerSecretArn",
  "globalWriterEndpoint",
  "ledgerTlsServerNames",
  "reconcileFunctionName",
] as const satisfies readonly OutputKey[];
type ReconcileOutputs = Partial<Pick<StackOutputs, (typeof RECONCILE_OUTPUT_KEYS)[number]>>;

/** Where the reconciliation runs, and what says so. */
export interface Target {
  readonly table: string;
  readonly region: string;
  /** The database settings' environment: the caller's, plus the ledger secret from the outputs. */
  readonly dbEnv: NodeJS.ProcessEnv;
  readonly functionName?: string;
}

/** Flags first, then the outputs file, then the environment. */
export function resolveTarget(
  args: ReconcileArgs,
  env: NodeJS.ProcessEnv,
  outputs: ReconcileOutputs,
): Target {
  const table = args.table ?? outputs.dynamoTableName ?? env.ORDERS_TABLE_NAME;
  const region = args.region ?? outputs.secondaryRegion ?? env.AWS_REGION;
  if (!table || !region) {
    throw new Error(
      "no table or Region: give --outputs (a file from pulumi stack output --json --show-secrets), or --table and --region",
    );
  }
  return { table, region, dbEnv: ledgerEnv(env, outputs), functionName: outputs.reconcileFunctionName };
}

/**
 * The reconcile function's own connection (lib/failover/reconcile-function.ts): the ledger secret, the
 * global writer endpoint, the names its certificate may carry. The caller's own settings win.
 */
function ledgerEnv(env: NodeJS.ProcessEnv, outputs: ReconcileOutputs): NodeJS.ProcessEnv {
  if (env[DB_ENV.url] || env[DB_ENV.secretArn] || !outputs.ledgerSecretArn) return env;
  return {
    ...env,
    [DB_ENV.secretArn]: outputs.ledgerSecretArn,
    ...(outputs.globalWriterEndpoint ? { [DB_ENV.host]: outputs.globalWriterEndpoint } : {}),
    ...(outputs.ledgerTlsServerNames
      ? { [DB_ENV.tlsServerNames]: outputs.ledgerTlsServerNames.join(",") }
      : {}),
  };
}

/** The outputs file's values for the CLI; a missing default file is not an error, a bad one is. */
export function readOutputs(args: ReconcileArgs, env: NodeJS.ProcessEnv, readFile: (p: string) => string) {
  const path = args.outputs ?? env[OUTPUTS_FILE_ENV] ?? "outputs.json";
  let raw: string;
  try {
    raw = readFile(path);
  } catch (e) {
    if (args.outputs || env[OUTPUTS_FILE_ENV])
      throw new Error(`cannot read ${path}: ${(e as Error).message}`);
    return {};
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
  const { values, invalid } = checkOutputs(data as Record<string, unknown>, RECONCILE_OUTPUT_KEYS);
  if (invalid.length > 0) throw new Error(`${path}: ${invalid.join("; ")}`);
  return values as ReconcileOutputs;
}

/** The CLI's read timeout for a synchronous invoke: longer than the function may run. */
export const INVOKE_READ_TIMEOUT_SECONDS = RECONCILE_TIMEOUT_SECONDS + 20;

/**
 * The deployed function's invoke, for a machine outside the writer's VPC. The AWS CLI gives up after 60 s
 * by default and retries, so it waits longer than the function may run and does not retry.
 * https://docs.aws.amazon.com/cli/latest/reference/lambda/invoke.html
 */
export function deployedInvoke(region: string, functionName: string, event: ReconcileEvent): string {
  return (
    `AWS_MAX_ATTEMPTS=1 aws lambda invoke --region ${region} --function-name ${functionName} ` +
    `--cli-read-timeout ${INVOKE_READ_TIMEOUT_SECONDS} --cli-binary-format raw-in-base64-out --payload '${JSON.stringify(event)}' reconcile.json`
  );
}

function awsStores(target: Target, log: Log) {
  const db = new Database(dbSettingsFromEnv(target.dbEnv), {
    logger: log,
    secrets: new SecretsManagerClient({ region: target.region }),
    applicationName: "tap-reconcile-cli",
  });
  return { db, ddb: DynamoDBDocumentClient.from(new DynamoDBClient({ region: target.region })) };
}

const UNREACHABLE = /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|timeout/i;

export async function main(argv: readonly string[], deps: CliDeps): Promise<number> {
  let args: ReconcileArgs;
  let target: Target;
  try {
    args = parseArgs(argv);
    if (args.help) {
      deps.out(HELP);
      return 0;
    }
    const outputs = readOutputs(args, deps.env, deps.readFile ?? ((p) => readFileSync(p, "utf8")));
    target = resolveTarget(args, deps.env, outputs);
  } catch (e) {
    deps.err(`reconcile: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const event: ReconcileEvent = { sinceIso: args.since, dryRun: args.dryRun };
  const instead = target.functionName
    ? `run the deployed function instead:\n  ${deployedInvoke(target.region, target.functionName, event)}`
    : "run the deployed reconcile function instead (reconcileFunctionName output; docs/runbook.md)";
  if (!target.dbEnv[DB_ENV.url]) {
    deps.err(
      `reconcile: connects to the ledger writer in ${target.region} on port 5432; it sits in private subnets, ` +
        `so this works only from inside that VPC. From anywhere else, ${instead}`,
    );
  }
  const log: Log = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m, d) => deps.err(`! ${m} ${d ? JSON.stringify(d) : ""}`),
    error: (m, d) => deps.err(`! ${m} ${d ? JSON.stringify(d) : ""}`),
  };
  let stores: ReturnType<NonNullable<CliDeps["stores"]>>;
  try {
    stores = (deps.stores ?? awsStores)(target, log);
  } catch (e) {
    deps.err(`reconcile: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const report = await reconcileStores(
      { db: stores.db, ddb: stores.ddb, tableName: target.table, region: target.region, logger: log },
      event,
    );
    deps.out(JSON.stringify(report, null, 2));
    return report.conflicts > 0 || report.unreadable > 0 ? 1 : 0;
  } catch (e) {
    const message = (e as Error).message;
    const code = String((e as { code?: unknown }).code ?? "");
    deps.err(`reconcile: ${message}`);
    if (UNREACHABLE.test(`${code} ${message}`))
      deps.err(`reconcile: the ledger writer is not reachable from here; ${instead}`);
    return 1;
  } finally {
    await stores.db.end?.();
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    env: process.env,
    out: (l) => console.log(l),
    err: (l) => console.error(l),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`reconcile: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
