/**
 * Schema migrations, applied at deploy time by the ledger-migrator function (L6), with the master user. The SQL is embedded because the bundle is a single file:
 * migrations/*.sql stay the reviewable source, and a test fails if the two ever differ.
 */
import type { Sql } from "./sql";

export interface Migration {
  readonly id: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: "001_create_orders",
    sql: `-- The order ledger (system of record). CHECKs mirror lambda/order-processor/order-schema.ts so that a row
-- the processor would reject can't get in by another path either.
CREATE TABLE IF NOT EXISTS orders (
  order_id       text        PRIMARY KEY CHECK (order_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  account        text        NOT NULL CHECK (account ~ '^[A-Za-z0-9_-]{1,32}$'),
  symbol         text        NOT NULL CHECK (symbol ~ '^[A-Z][A-Z0-9.]{0,11}$'),
  side           text        NOT NULL CHECK (side IN ('BUY', 'SELL')),
  quantity       bigint      NOT NULL CHECK (quantity BETWEEN 1 AND 1000000000),
  order_type     text        NOT NULL CHECK (order_type IN ('MARKET', 'LIMIT')),
  limit_price    numeric     CHECK (limit_price > 0),
  client_ts      timestamptz NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  sqs_message_id text,
  region         text,
  CONSTRAINT orders_limit_price_iff_limit CHECK ((order_type = 'LIMIT') = (limit_price IS NOT NULL))
);

CREATE INDEX IF NOT EXISTS orders_account_client_ts_idx ON orders (account, client_ts);
`,
  },
  {
    id: "002_exact_ledger",
    sql: `-- Issue 12 (L1, L3): exact prices and the content hash that tells a duplicate delivery from a conflict.
-- Limits mirror lambda/order-processor/order-values.ts: limit_price numeric(18,8) = 10 integer digits and
-- 8 decimals. https://www.postgresql.org/docs/15/datatype-numeric.html#DATATYPE-NUMERIC-DECIMAL

-- numeric(18,8) would round a longer scale silently: refuse the migration instead of changing a booked price.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM orders WHERE limit_price <> round(limit_price, 8) OR limit_price >= 1e10) THEN
    RAISE EXCEPTION 'orders.limit_price holds values numeric(18,8) cannot keep exactly; fix them first';
  END IF;
END
$$;
ALTER TABLE orders ALTER COLUMN limit_price TYPE numeric(18,8);

-- Rows booked before this column existed get the hash lambda/order-processor/content-hash.ts computes:
-- sha256 of the canonical fields, one per line (trim_scale: PostgreSQL 13+).
ALTER TABLE orders ADD COLUMN IF NOT EXISTS content_hash text;
UPDATE orders SET content_hash = encode(sha256(convert_to(concat_ws(E'\\n',
    'tap-order-v1', order_id, account, symbol, side, quantity::text, order_type,
    coalesce(trim_scale(limit_price)::text, ''),
    to_char(client_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), 'UTF8')), 'hex')
  WHERE content_hash IS NULL;
ALTER TABLE orders ALTER COLUMN content_hash SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_content_hash_hex CHECK (content_hash ~ '^[0-9a-f]{64}$');
`,
  },
];

/** Arbitrary but fixed: every cold start of every version must contend for the same lock. */
export const MIGRATION_LOCK_KEY = 7_426_001;

/**
 * Applies pending migrations in one transaction, holding a transaction-scoped advisory lock so concurrent
 * cold starts serialise instead of racing on CREATE TABLE (the lock is freed by COMMIT, ROLLBACK or a
 * dropped connection, so a crashed Lambda can't leave it held). Returns the ids it applied.
 * `db` must be a single connection, not a pool: the statements share one transaction.
 */
export async function applyMigrations(
  db: Sql,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  const applied: string[] = [];
  await db.query("BEGIN");
  try {
    await db.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await db.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const { rows } = await db.query<{ id: string }>("SELECT id FROM schema_migrations");
    const done = new Set(rows.map((r) => r.id));
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await db.query(m.sql);
      await db.query("INSERT INTO schema_migrations (id) VALUES ($1)", [m.id]);
      applied.push(m.id);
    }
    await db.query("COMMIT");
  } catch (err) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
  return applied;
}
