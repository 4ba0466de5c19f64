-- The order ledger (system of record). CHECKs mirror lambda/order-processor/order-schema.ts so that a row
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
