/**
 * The order contract, twice: a zod schema (authoritative, used by the processor) and a plain JSON-Schema
 * draft-04 literal for the API Gateway request model. test/lambda/order-processor/order-schema.test.ts
 * keeps the two in step. This file imports nothing but zod so the infra code can import it cheaply.
 */
import * as z from "zod";

export const MAX_QUANTITY = 1_000_000_000;

// PostgreSQL's timestamptz rejects year 0000 and offsets beyond ±15:59 that the ISO regex accepts; such a
// value would otherwise pass validation and then fail the ledger INSERT for the whole batch.
const OFFSET_RE = /(?:Z|([+-])(\d{2}):(\d{2}))$/;
function storableTimestamp(value: string): boolean {
  if (value.startsWith("0000")) return false;
  const m = OFFSET_RE.exec(value);
  return m !== null && (m[1] === undefined || Number(m[2]) <= 14);
}

const idString = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, "must contain only letters, digits, '_' and '-'");

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
    quantity: z.number().int().positive().max(MAX_QUANTITY),
    orderType: z.enum(["MARKET", "LIMIT"]),
    limitPrice: z.number().positive().optional(),
    clientTimestamp: z.iso
      .datetime({ offset: true })
      .refine(storableTimestamp, "must be a real date with a UTC offset within ±14:00"),
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

export type Order = z.infer<typeof OrderSchema>;

/**
 * API Gateway request model (JSON Schema draft-04). Same fields, enums, patterns and bounds as OrderSchema.
 * Not expressed here, and enforced by the processor instead: limitPrice required for LIMIT and forbidden
 * for MARKET, and calendar validity of clientTimestamp (the pattern only checks its shape).
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
    quantity: { type: "integer", minimum: 1, maximum: 1000000000 },
    orderType: { type: "string", enum: ["MARKET", "LIMIT"] },
    limitPrice: {
      type: "number",
      minimum: 0,
      exclusiveMinimum: true,
      description:
        "Required when orderType is LIMIT, forbidden when MARKET (enforced by the order processor)",
    },
    clientTimestamp: {
      type: "string",
      pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$",
      description: "ISO-8601 date-time with seconds and a UTC offset, e.g. 2024-05-01T12:30:00Z",
    },
    synthetic: { type: "boolean", description: "Set by the Synthetics canary: validated, never booked" },
  },
} as const;
