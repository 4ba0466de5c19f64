/**
 * Where the game day meets work that has not landed yet (issue 13), in one place, so that turning its
 * failing scenarios into passing ones is a change here rather than in every scenario.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Client } from "pg";
import type { ReconcileCounts } from "../lambda/failover/report";
import { reconcileStores, type ReconcileReport, type ReconcileRequest } from "../lambda/reconcile/reconcile";
import type { Log } from "../lambda/shared/log";
import { CREDENTIALS, TABLE_NAME } from "./dynamo-global";
import type { World } from "./world";

export interface ReconcileOutcome {
  /** Orders present in DynamoDB but missing from the ledger, booked again from their stored contents. */
  readonly rebooked: number;
  /** Ledger rows missing from DynamoDB, written again. */
  readonly rewritten: number;
}

/**
 * The reconcile step that follows an unplanned failover, as the deployed stack runs it today: the
 * orchestrator reports reconciliation as a manual step, and the operator runs `npm run reconcile`
 * (scripts/reconcile.ts), which calls the same `reconcileStores` against the new writer and its Region's
 * DynamoDB replica. Orders DynamoDB holds but the ledger lost are re-booked with their stored contents.
 */
export async function reconcile(
  world: World,
  region: string,
  since: Date,
): Promise<ReconcileOutcome | undefined> {
  const report = await reconcileAgainstWriter(world, region, {
    sinceIso: since.toISOString(),
    dryRun: false,
  });
  return { rebooked: report.rebookedIntoLedger, rewritten: report.rewrittenIntoTable };
}

/**
 * The reconcile function (lambda/reconcile) as the orchestrator invokes it in production: the same
 * `reconcileStores` against the writer of the moment and `region`'s DynamoDB replica.
 */
export function reconcileFunction(
  world: World,
  region: string,
): (request: ReconcileRequest) => Promise<ReconcileCounts> {
  return (request) => reconcileAgainstWriter(world, region, request);
}

async function reconcileAgainstWriter(
  world: World,
  region: string,
  request: ReconcileRequest,
): Promise<ReconcileReport> {
  const db = new Client({ connectionString: world.aurora.writer().server.url() });
  await db.connect();
  // As the program's reconcile function: its role and VPC endpoints gate its DynamoDB calls (access.ts).
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region,
      endpoint: world.dynamoEndpointOf("reconcile", region),
      credentials: CREDENTIALS,
    }),
  );
  try {
    return await reconcileStores({ db, ddb, tableName: TABLE_NAME, region, logger: quietLog }, request);
  } finally {
    ddb.destroy();
    await db.end();
  }
}

const quietLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
