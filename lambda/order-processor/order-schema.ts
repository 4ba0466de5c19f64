/**
 * The order contract, twice: a zod schema (authoritative, used by the processor) and a plain JSON-Schema
 * draft-04 literal for the API Gateway request model. test/lambda/order-processor/order-schema.test.ts
 * keeps the two in step. This file imports nothing but zod and order-values, so the infra code can import
 * it cheaply.
 *
 * Money and quantities are decimal strings (L3): a JSON number is a binary float once parsed, so
 * `100.123456789012345678` would already be `100.12345678901235` before any check could see it. The parsed
 * Order holds the canonical forms (see order-values.ts): trailing zeros stripped, time in UTC.
 */
import * as z from "zod";
import {
  canonicalDecimal,
  MAX_QUANTITY,
  PRICE_INTEGER_DIGITS,
  PRICE_PATTERN,
  PRICE_SCALE,
  QUANTITY_PATTERN,
  TIMESTAMP_PATTERN,
  utcTimestamp,
} from "./order-values";

export { MAX_QUANTITY } from "./order-values";

const idString = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, "must contain only letters, digits, '_' and '-'");

const decimalString = (pattern: string, message: string) =>
  z
    .string({ error: `${message} (a decimal string, e.g. "100")` })
    .regex(new RegExp(pattern), message)
    .transform(canonicalDecimal);

export const OrderSchema = z
  .strictObject({
    orderId: idString(64),
    account: idString(32),
    symbol: z
      .string()
      .regex(
        /^[A-Z][A-Z0-9.]{0,11}$/,
        "must be 1-12 upper-case letters, digits or '.', starting with a letter",
      ),
    side: z.enum(["BUY", "SELL"]),
    quantity: decimalString(QUANTITY_PATTERN, `must be a whole number from 1 to ${MAX_QUANTITY}`),
    orderType: z.enum(["MARKET", "LIMIT"]),
    limitPrice: decimalString(
      PRICE_PATTERN,
      `must be a positive decimal with at most ${PRICE_INTEGER_DIGITS} integer digits and ${PRICE_SCALE} decimals`,
    ).optional(),
    clientTimestamp: z.string().transform((text, ctx) => {
      const utc = utcTimestamp(text);
      if (utc === undefined) {
        ctx.addIssue({
          code: "custom",
          message:
            "must be a real ISO-8601 date-time with seconds, at most 3 decimals and a UTC offset within ±14:00",
        });
        return z.NEVER;
      }
      return utc;
    }),
    synthetic: z.boolean().optional(),
  })
  .superRefine((order, ctx) => {
    if (order.orderType === "LIMIT" && order.limitPrice === undefined) {
      ctx.addIssue({ code: "custom", path: ["limitPrice"], message: "is required when orderType is LIMIT" });
    }
    if (order.orderType === "MARKET" && order.limitPrice !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["limitPrice"],
        message: "is not allowed when orderType is MARKET",
      });
    }
  });

/** A validated order in canonical form: decimals as canonical strings, clientTimestamp in UTC. */
export type Order = z.output<typeof OrderSchema>;

/**
 * API Gateway request model (JSON Schema draft-04). Same fields, enums, patterns and bounds as OrderSchema.
 * Not expressed here, and enforced by the processor instead: limitPrice required for LIMIT and forbidden
 * for MARKET, calendar validity of clientTimestamp (the pattern only checks its shape), and its distance
 * from the receive time.
 */
export const orderJsonSchema = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "Order",
  type: "object",
  additionalProperties: false,
  required: ["orderId", "account", "symbol", "side", "quantity", "orderType", "clientTimestamp"],
  properties: {
    orderId: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" },
    account: { type: "string", minLength: 1, maxLength: 32, pattern: "^[A-Za-z0-9_-]+$" },
    symbol: { type: "string", pattern: "^[A-Z][A-Z0-9.]{0,11}$" },
    side: { type: "string", enum: ["BUY", "SELL"] },
    quantity: {
      type: "string",
      pattern: QUANTITY_PATTERN,
      description: `Whole number of units as a decimal string, "1" to "${MAX_QUANTITY}"`,
    },
    orderType: { type: "string", enum: ["MARKET", "LIMIT"] },
    limitPrice: {
      type: "string",
      pattern: PRICE_PATTERN,
      description:
        `Positive decimal string, at most ${PRICE_INTEGER_DIGITS} integer digits and ${PRICE_SCALE} decimals. ` +
        "Required when orderType is LIMIT, forbidden when MARKET (enforced by the order processor)",
    },
    clientTimestamp: {
      type: "string",
      pattern: TIMESTAMP_PATTERN,
      description:
        "ISO-8601 date-time with seconds, at most millisecond precision and a UTC offset within ±14:00, " +
        "e.g. 2024-05-01T12:30:00Z; stored in UTC",
    },
    synthetic: { type: "boolean", description: "Set by the Synthetics canary: validated, never booked" },
  },
} as const;
