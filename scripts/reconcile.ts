/**
 * npm run reconcile -- --since <ISO time> [--dry-run] [--table <name>] [--region <region>]
 *
 * Reconciles the order ledger and DynamoDB after a data-losing failover (lambda/reconcile/reconcile.ts),
 * from an operator's machine. Database: DATABASE_URL, or DB_SECRET_ARN (+ DB_HOST etc.) as the processor
 * reads them. Table: --table or ORDERS_TABLE_NAME. Region: --region or AWS_REGION (the new writer).
 * Prints the report as JSON; exit 0 when nothing conflicts, 1 on conflicts or errors, 2 on bad usage.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Database, dbSettingsFromEnv } from "../lambda/order-processor/db";
import type { Sql } from "../lambda/order-processor/sql";
import type { Log } from "../lambda/shared/log";
import { reconcileStores, type ReconcileDeps } from "../lambda/reconcile/reconcile";

export const USAGE =
  "usage: npm run reconcile -- --since <ISO-8601 time> [--dry-run] [--table <name>] [--region <region>]";

export interface ReconcileArgs {
  since: string;
  dryRun: boolean;
  table?: string;
  region?: string;
}

export function parseArgs(argv: readonly string[]): ReconcileArgs {
  const args: Partial<ReconcileArgs> = { dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--since") args.since = value();
    else if (a === "--dry-run") args.dryRun = true;
    else if (a === "--table") args.table = value();
    else if (a === "--region") args.region = value();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.since) throw new Error("--since is required");
  if (Number.isNaN(Date.parse(args.since))) throw new Error(`--since: "${args.since}" is not a date-time`);
  return args as ReconcileArgs;
}

export interface CliDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Builds the stores; tests inject a real PostgreSQL and dynalite. */
  readonly stores?: (
    args: ReconcileArgs,
    log: Log,
  ) => { db: Sql & { end?(): Promise<void> }; ddb: ReconcileDeps["ddb"] };
}

function awsStores(env: NodeJS.ProcessEnv, region: string | undefined, log: Log) {
  const db = new Database(dbSettingsFromEnv(env), {
    logger: log,
    secrets: new SecretsManagerClient({ region }),
    applicationName: "tap-reconcile-cli",
  });
  return { db, ddb: DynamoDBDocumentClient.from(new DynamoDBClient({ region })) };
}

export async function main(argv: readonly string[], deps: CliDeps): Promise<number> {
  let args: ReconcileArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    deps.err(`reconcile: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const table = args.table ?? deps.env.ORDERS_TABLE_NAME;
  const region = args.region ?? deps.env.AWS_REGION;
  if (!table || !region) {
    deps.err(`reconcile: set --table (or ORDERS_TABLE_NAME) and --region (or AWS_REGION)\n${USAGE}`);
    return 2;
  }
  const log: Log = {
    debug: () => undefined,
    info: () => undefined,
    warn: (m, d) => deps.err(`! ${m} ${d ? JSON.stringify(d) : ""}`),
    error: (m, d) => deps.err(`! ${m} ${d ? JSON.stringify(d) : ""}`),
  };
  const stores = (deps.stores ?? ((a, l) => awsStores(deps.env, a.region ?? region, l)))(args, log);
  try {
    const report = await reconcileStores(
      { db: stores.db, ddb: stores.ddb, tableName: table, region, logger: log },
      { sinceIso: args.since, dryRun: args.dryRun },
    );
    deps.out(JSON.stringify(report, null, 2));
    return report.conflicts > 0 || report.unreadable > 0 ? 1 : 0;
  } catch (e) {
    deps.err(`reconcile: ${(e as Error).message}`);
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
