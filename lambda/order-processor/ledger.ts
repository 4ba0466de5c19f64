/**
 * The ledger write: every order of a batch in ONE statement that inserts the new ones and returns the booked
 * row of each, new or not, with its content hash (L1, L2). The caller compares hashes and writes DynamoDB
 * from these rows, never from the message.
 *
 * - Rows are inserted in orderId order (COLLATE "C", the same order the arrays are sorted in), so two
 *   batches holding the same orders take their row locks in the same order and cannot deadlock (L5).
 *   A deadlock or serialization failure that happens anyway (40P01, 40001: the statement was rolled back,
 *   nothing of it is kept) is retried here a bounded number of times.
 *   https://www.postgresql.org/docs/15/explicit-locking.html#LOCKING-DEADLOCKS
 * - Values go in and come back as text (numeric, bigint, the UTC time with milliseconds), so nothing passes
 *   through a float.
 * - Only when the database refuses the data itself does it fall back to one statement per order, so that a
 *   single poison row can't hold the rest of its batch hostage through every retry.
 *
 * The statement needs only INSERT and SELECT on `orders` (ON CONFLICT DO NOTHING needs no UPDATE):
 * https://www.postgresql.org/docs/15/sql-insert.html#SQL-ON-CONFLICT
 */
import { withRetry, RetryError } from "../shared/retry";
import type { Order } from "./order-schema";
import { sqlState, type Sql } from "./sql";

export interface LedgerEntry {
  readonly order: Order;
  /** orderContentHash(order). */
  readonly contentHash: string;
  /** The SQS message that carried it, when there is one (a reconcile re-booking has none). */
  readonly messageId?: string;
}

/** An order as the ledger holds it, in canonical text. */
export interface LedgerRow {
  readonly orderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Order["side"];
  readonly quantity: string;
  readonly orderType: Order["orderType"];
  readonly limitPrice?: string;
  readonly clientTimestamp: string;
  readonly contentHash: string;
  /** Region of the processor that booked it. */
  readonly region: string;
}

export interface LedgerResult {
  /** orderIds this call inserted. */
  readonly inserted: Set<string>;
  /** orderId -> the booked row (inserted now or earlier). */
  readonly rows: Map<string, LedgerRow>;
  /** orderId -> why the database refused the row (constraint or data error: retrying won't help). */
  readonly rejected: Map<string, string>;
}

/** Attempts per statement when PostgreSQL reports a deadlock or serialization failure. */
export const LEDGER_RETRY = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200 } as const;
const RETRY_STATES = new Set(["40P01", "40001"]);

const ROW_COLUMNS = `order_id, account, symbol, side, quantity::text AS quantity, order_type,
  limit_price::text AS limit_price,
  to_char(client_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS client_ts, content_hash, region`;

// Rows inserted by the CTE are not visible to the outer SELECT on `orders` (one snapshot per statement), so
// the two halves never return the same order twice. https://www.postgresql.org/docs/15/queries-with.html
export const BOOK_ORDERS_SQL = `WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[],
                       $7::numeric[], $8::timestamptz[], $9::text[], $10::text[])
    AS u(order_id, account, symbol, side, quantity, order_type, limit_price, client_ts, sqs_message_id,
         content_hash)
), inserted AS (
  INSERT INTO orders (order_id, account, symbol, side, quantity, order_type, limit_price, client_ts,
                      sqs_message_id, content_hash, region)
  SELECT order_id, account, symbol, side, quantity, order_type, limit_price, client_ts, sqs_message_id,
         content_hash, $11::text
  FROM input ORDER BY order_id COLLATE "C"
  ON CONFLICT (order_id) DO NOTHING
  RETURNING ${ROW_COLUMNS}
)
SELECT true AS inserted, * FROM inserted
UNION ALL
SELECT false AS inserted, ${ROW_COLUMNS} FROM orders WHERE order_id IN (SELECT order_id FROM input)`;

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation). */
export function isDataError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith("22") || state.startsWith("23"));
}

interface RawRow {
  inserted: boolean;
  order_id: string;
  account: string;
  symbol: string;
  side: Order["side"];
  quantity: string;
  order_type: Order["orderType"];
  limit_price: string | null;
  client_ts: string;
  content_hash: string;
  region: string;
}

const trimScale = (text: string): string => (text.includes(".") ? text.replace(/\.?0+$/, "") : text);

function toRow(r: RawRow): LedgerRow {
  return {
    orderId: r.order_id,
    account: r.account,
    symbol: r.symbol,
    side: r.side,
    quantity: r.quantity,
    orderType: r.order_type,
    ...(r.limit_price === null ? {} : { limitPrice: trimScale(r.limit_price) }),
    clientTimestamp: r.client_ts,
    contentHash: r.content_hash,
    region: r.region,
  };
}

const byOrderId = (a: LedgerEntry, b: LedgerEntry): number =>
  a.order.orderId < b.order.orderId ? -1 : a.order.orderId > b.order.orderId ? 1 : 0;

async function bookAll(db: Sql, entries: readonly LedgerEntry[], region: string): Promise<RawRow[]> {
  const sorted = [...entries].sort(byOrderId);
  const col = <T>(f: (e: LedgerEntry) => T): T[] => sorted.map(f);
  const params = [
    col((e) => e.order.orderId),
    col((e) => e.order.account),
    col((e) => e.order.symbol),
    col((e) => e.order.side),
    col((e) => e.order.quantity),
    col((e) => e.order.orderType),
    col((e) => e.order.limitPrice ?? null),
    col((e) => e.order.clientTimestamp),
    col((e) => e.messageId ?? null),
    col((e) => e.contentHash),
    region,
  ];
  try {
    return await withRetry(
      "ledger write",
      async () => (await db.query<RawRow>(BOOK_ORDERS_SQL, params)).rows,
      {
        ...LEDGER_RETRY,
        isRetryable: (err) => RETRY_STATES.has(sqlState(err) ?? ""),
        random: Math.random,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: Date.now,
      },
    );
  } catch (err) {
    throw err instanceof RetryError ? err.lastError : err; // callers classify the database's own error
  }
}

function collect(raw: readonly RawRow[], into: Omit<LedgerResult, "rejected">): void {
  for (const r of raw) {
    into.rows.set(r.order_id, toRow(r));
    if (r.inserted) into.inserted.add(r.order_id);
  }
}

/**
 * Books `entries` (distinct orderIds) and returns the booked row of each. An order missing from `rows` and
 * `rejected` was being inserted by a concurrent transaction that committed after this statement began: its
 * row isn't visible yet, and a retry will see it.
 */
export async function insertOrders(
  db: Sql,
  entries: readonly LedgerEntry[],
  region: string,
): Promise<LedgerResult> {
  const result: LedgerResult = { inserted: new Set(), rows: new Map(), rejected: new Map() };
  if (entries.length === 0) return result;
  try {
    collect(await bookAll(db, entries, region), result);
    return result;
  } catch (err) {
    if (!isDataError(err)) throw err;
  }
  for (const entry of [...entries].sort(byOrderId)) {
    try {
      collect(await bookAll(db, [entry], region), result);
    } catch (err) {
      if (!isDataError(err)) throw err;
      result.rejected.set(entry.order.orderId, `ledger refused the order: ${(err as Error).message}`);
    }
  }
  return result;
}

/** Booked rows matching `where` (one parameter, $1), in canonical text: the reconciliation reads these. */
export async function readLedgerRows(db: Sql, where: string, value: unknown): Promise<LedgerRow[]> {
  const { rows } = await db.query<RawRow>(
    `SELECT false AS inserted, ${ROW_COLUMNS} FROM orders WHERE ${where}`,
    [value],
  );
  return rows.map(toRow);
}
