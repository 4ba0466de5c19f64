-- Issue 12 (L1, L3): exact prices and the content hash that tells a duplicate delivery from a conflict.
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
UPDATE orders SET content_hash = encode(sha256(convert_to(concat_ws(E'\n',
    'tap-order-v1', order_id, account, symbol, side, quantity::text, order_type,
    coalesce(trim_scale(limit_price)::text, ''),
    to_char(client_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), 'UTF8')), 'hex')
  WHERE content_hash IS NULL;
ALTER TABLE orders ALTER COLUMN content_hash SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_content_hash_hex CHECK (content_hash ~ '^[0-9a-f]{64}$');
