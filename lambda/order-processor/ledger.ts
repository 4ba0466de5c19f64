/**
 * The ledger write: every new order of a batch in ONE statement (unnest of column arrays), idempotent by
 * primary key. Only when the database refuses the data itself does it fall back to one statement per
 * order, so that a single poison row can't hold the rest of its batch hostage through every retry.
 */
import type { Order } from "./order-schema";
import { sqlState, type Sql } from "./sql";

export interface LedgerEntry {
  readonly order: Order;
  readonly messageId: string;
}

export interface LedgerResult {
  /** orderIds this call inserted; the others were already in the ledger. */
  readonly inserted: Set<string>;
  /** orderId -> why the database refused the row (constraint or data error: retrying won't help). */
  readonly rejected: Map<string, string>;
}

export const INSERT_ORDERS_SQL = `INSERT INTO orders
  (order_id, account, symbol, side, quantity, order_type, limit_price, client_ts, sqs_message_id, region)
SELECT u.order_id, u.account, u.symbol, u.side, u.quantity, u.order_type, u.limit_price, u.client_ts,
       u.sqs_message_id, $10::text
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::numeric[],
            $8::timestamptz[], $9::text[])
  AS u(order_id, account, symbol, side, quantity, order_type, limit_price, client_ts, sqs_message_id)
ON CONFLICT (order_id) DO NOTHING
RETURNING order_id`;

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation). */
export function isDataError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith("22") || state.startsWith("23"));
}

async function insertAll(db: Sql, entries: readonly LedgerEntry[], region: string): Promise<Set<string>> {
  const { rows } = await db.query<{ order_id: string }>(INSERT_ORDERS_SQL, [
    entries.map((e) => e.order.orderId),
    entries.map((e) => e.order.account),
    entries.map((e) => e.order.symbol),
    entries.map((e) => e.order.side),
    entries.map((e) => e.order.quantity),
    entries.map((e) => e.order.orderType),
    entries.map((e) => e.order.limitPrice ?? null),
    entries.map((e) => e.order.clientTimestamp),
    entries.map((e) => e.messageId),
    region,
  ]);
  return new Set(rows.map((r) => r.order_id));
}

/** `entries` must have distinct orderIds (the batch handler de-duplicates before calling). */
export async function insertOrders(
  db: Sql,
  entries: readonly LedgerEntry[],
  region: string,
): Promise<LedgerResult> {
  const rejected = new Map<string, string>();
  if (entries.length === 0) return { inserted: new Set(), rejected };
  try {
    return { inserted: await insertAll(db, entries, region), rejected };
  } catch (err) {
    if (!isDataError(err)) throw err;
  }
  const inserted = new Set<string>();
  for (const entry of entries) {
    try {
      for (const id of await insertAll(db, [entry], region)) inserted.add(id);
    } catch (err) {
      if (!isDataError(err)) throw err;
      rejected.set(entry.order.orderId, `ledger refused the order: ${(err as Error).message}`);
    }
  }
  return { inserted, rejected };
}
