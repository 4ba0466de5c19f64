/**
 * The identity of an order's contents (L1): SHA-256 over its canonical fields, kept with the booked row as
 * `content_hash`. Same orderId + same hash = a duplicate delivery; same orderId + another hash = a conflict.
 *
 * The canonical text is one field per line, so migrations/002 can compute the same hash in SQL for rows
 * booked before the column existed (a test holds the two to each other). Fields are canonical already
 * (order-values.ts): decimals without trailing zeros, the time in UTC with milliseconds. `synthetic` is not
 * content: synthetic orders are never booked.
 */
import { createHash } from "node:crypto";
import type { Order } from "./order-schema";

/** Bumped only with a migration that re-hashes every row. */
export const CONTENT_HASH_VERSION = "tap-order-v1";

export type OrderContents = Pick<
  Order,
  "orderId" | "account" | "symbol" | "side" | "quantity" | "orderType" | "limitPrice" | "clientTimestamp"
>;

export function canonicalContents(order: OrderContents): string {
  return [
    CONTENT_HASH_VERSION,
    order.orderId,
    order.account,
    order.symbol,
    order.side,
    order.quantity,
    order.orderType,
    order.limitPrice ?? "",
    order.clientTimestamp,
  ].join("\n");
}

/** Lower-case hex SHA-256 of the canonical contents. */
export function orderContentHash(order: OrderContents): string {
  return createHash("sha256").update(canonicalContents(order), "utf8").digest("hex");
}
