/**
 * Reconciles the order ledger (Aurora) and the order state (DynamoDB global table) after a data-losing
 * failover (F2). Aurora's unplanned failover may lose the last writes not yet replicated to the promoted
 * cluster, while DynamoDB replicates on its own, so the stores can disagree for orders booked just before
 * the failover: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 *
 * - An order in DynamoDB but not in the ledger is re-booked from its stored contents, through the
 *   processor's own booking path (ledger.ts insertOrders): same orderId, same contents.
 * - A ledger row with no DynamoDB item is written back through the processor's state path (state.ts).
 * - An order in both whose content hashes differ is a conflict: counted and listed, never overwritten.
 * Both writes are idempotent (ON CONFLICT DO NOTHING; attribute_not_exists), so a re-run is safe.
 * Dry run: counts only.
 */
import { ScanCommand, type ScanCommandOutput } from "@aws-sdk/lib-dynamodb";
import type { Log } from "../shared/log";
import { orderContentHash } from "../order-processor/content-hash";
import { insertOrders, readLedgerRows, type LedgerRow } from "../order-processor/ledger";
import { OrderSchema, type Order } from "../order-processor/order-schema";
import type { Sql } from "../order-processor/sql";
import { putOrderState, type PutSender } from "../order-processor/state";

export interface ScanSender {
  send(command: ScanCommand): Promise<ScanCommandOutput>;
}

export interface ReconcileDeps {
  readonly db: Sql;
  readonly ddb: PutSender & ScanSender;
  readonly tableName: string;
  /** Region that writes now (the new writer); recorded on rewritten rows and items. */
  readonly region: string;
  readonly logger: Log;
  readonly now?: () => Date;
}

export interface ReconcileRequest {
  /** Orders written at or after this instant are compared (ISO-8601). */
  readonly sinceIso: string;
  readonly dryRun: boolean;
}

export interface ReconcileReport {
  readonly since: string;
  readonly dryRun: boolean;
  readonly examined: { readonly ledger: number; readonly table: number };
  /** In DynamoDB, missing from the ledger: re-booked (or, in a dry run, would be). */
  readonly rebookedIntoLedger: number;
  /** In the ledger, missing from DynamoDB: rewritten (or would be). */
  readonly rewrittenIntoTable: number;
  readonly conflicts: number;
  /** Items whose stored contents are not a valid order: reported, not booked. */
  readonly unreadable: number;
  readonly details: { readonly orderId: string; readonly action: string }[];
}

/** An order's contents from a DynamoDB item, validated by the processor's own schema. */
export function orderFromItem(item: Record<string, unknown>): Order | undefined {
  const parsed = OrderSchema.safeParse({
    orderId: item.orderId,
    account: item.account,
    symbol: item.symbol,
    side: item.side,
    quantity: item.quantity,
    orderType: item.orderType,
    limitPrice: item.limitPrice,
    clientTimestamp: item.clientTimestamp,
  });
  return parsed.success ? parsed.data : undefined;
}

async function scanTable(deps: ReconcileDeps, sinceIso: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.ddb.send(
      new ScanCommand({
        TableName: deps.tableName,
        FilterExpression: "updatedAt >= :since",
        ExpressionAttributeValues: { ":since": sinceIso },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function reconcileStores(
  deps: ReconcileDeps,
  request: ReconcileRequest,
): Promise<ReconcileReport> {
  const since = new Date(request.sinceIso);
  if (Number.isNaN(since.getTime())) throw new Error(`since: "${request.sinceIso}" is not a date-time`);
  const sinceIso = since.toISOString();
  const items = await scanTable(deps, sinceIso);
  const recentLedger = await readLedgerRows(deps.db, "received_at >= $1", since);
  const itemOrders = new Map<string, { order: Order; hash: unknown }>();
  let unreadable = 0;
  const details: { orderId: string; action: string }[] = [];
  for (const item of items) {
    const order = orderFromItem(item);
    if (order) itemOrders.set(order.orderId, { order, hash: item.contentHash });
    else {
      unreadable++;
      details.push({ orderId: String(item.orderId), action: "unreadable item: not a valid order" });
    }
  }
  // Items in the window may belong to rows booked before it: look those up by id.
  const byId = new Map(
    (await readLedgerRows(deps.db, "order_id = ANY($1::text[])", [...itemOrders.keys()])).map((r) => [
      r.orderId,
      r,
    ]),
  );
  const missingInLedger = [...itemOrders.values()].filter((o) => !byId.has(o.order.orderId));
  const conflicts = [...itemOrders.values()].filter(
    (o) => byId.has(o.order.orderId) && byId.get(o.order.orderId)!.contentHash !== o.hash,
  );
  const itemIds = new Set(items.map((i) => String(i.orderId)));
  const missingInTable = recentLedger.filter((r) => !itemIds.has(r.orderId));
  for (const o of conflicts)
    details.push({ orderId: o.order.orderId, action: "conflict: contents differ; left as is" });

  const rebooked = await rebook(deps, missingInLedger, request.dryRun, details);
  const rewritten = await rewrite(deps, missingInTable, request.dryRun, details);
  const report: ReconcileReport = {
    since: sinceIso,
    dryRun: request.dryRun,
    examined: { ledger: recentLedger.length, table: items.length },
    rebookedIntoLedger: rebooked,
    rewrittenIntoTable: rewritten,
    conflicts: conflicts.length + details.filter((d) => d.action.startsWith("conflict: DynamoDB")).length,
    unreadable,
    details,
  };
  deps.logger.info("reconciliation finished", { ...report, details: details.slice(0, 100) });
  return report;
}

async function rebook(
  deps: ReconcileDeps,
  items: { order: Order; hash: unknown }[],
  dryRun: boolean,
  details: { orderId: string; action: string }[],
) {
  const orders = items.map((i) => i.order);
  if (dryRun || orders.length === 0) {
    for (const o of orders) details.push({ orderId: o.orderId, action: "would re-book into the ledger" });
    return orders.length;
  }
  const result = await insertOrders(
    deps.db,
    // The item carries the hash the processor booked it with (of the order as received): keep it, so the
    // re-booked row is the same order to every later comparison. No SQS message carried it.
    items.map(({ order, hash }) => ({
      order,
      contentHash: typeof hash === "string" && hash !== "" ? hash : orderContentHash(order),
    })),
    deps.region,
  );
  for (const o of orders) {
    const refused = result.rejected.get(o.orderId);
    details.push({
      orderId: o.orderId,
      action: refused ? `ledger refused: ${refused}` : "re-booked into the ledger",
    });
  }
  return result.inserted.size;
}

async function rewrite(
  deps: ReconcileDeps,
  orders: LedgerRow[],
  dryRun: boolean,
  details: { orderId: string; action: string }[],
) {
  let written = 0;
  const now = deps.now?.() ?? new Date();
  for (const o of orders) {
    if (dryRun) {
      details.push({ orderId: o.orderId, action: "would rewrite into DynamoDB" });
      written++;
      continue;
    }
    // "exists": an item older than the window is there after all; nothing to do. Another version (X5)
    // is a conflict, listed like the others.
    const outcome = await putOrderState(deps.ddb, deps.tableName, o, now);
    if (typeof outcome === "object")
      details.push({
        orderId: o.orderId,
        action: `conflict: DynamoDB holds ${outcome.conflict}; left as is`,
      });
    if (outcome === "created") {
      written++;
      details.push({ orderId: o.orderId, action: "rewritten into DynamoDB" });
    }
  }
  return written;
}
