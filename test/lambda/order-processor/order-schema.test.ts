import { OrderSchema, orderJsonSchema } from "../../../lambda/order-processor/order-schema";
import { parseOrderMessage } from "../../../lambda/order-processor/validate";

const base = {
  orderId: "ord-1",
  account: "acct_1",
  symbol: "BRK.B",
  side: "BUY",
  quantity: "10",
  orderType: "MARKET",
  clientTimestamp: "2024-05-01T12:30:00Z",
};
const limit = { ...base, orderType: "LIMIT", limitPrice: "101.25" };
const without = (o: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

/**
 * [name, payload, zod accepts, draft-04 schema accepts]. The last column differs from the third only for
 * the rules draft-04 can't express (the LIMIT/limitPrice coupling, calendar validity, offsets).
 */
const TABLE: [string, unknown, boolean, boolean][] = [
  ["minimal MARKET order", base, true, true],
  ["LIMIT order with price", limit, true, true],
  ["synthetic flag", { ...base, synthetic: true }, true, true],
  ["64-char orderId", { ...base, orderId: "a".repeat(64) }, true, true],
  ["12-char symbol", { ...base, symbol: "ABCDEFGHIJ.K" }, true, true],
  ["max quantity", { ...base, quantity: "1000000000" }, true, true],
  ["smallest price", { ...limit, limitPrice: "0.00000001" }, true, true],
  ["largest price", { ...limit, limitPrice: "9999999999.99999999" }, true, true],
  ["offset +14:00", { ...base, clientTimestamp: "2024-05-01T12:00:00+14:00" }, true, true],
  ["offset timestamp with fraction", { ...base, clientTimestamp: "2024-05-01T12:30:00.5+05:30" }, true, true],
  ["missing orderId", without(base, "orderId"), false, false],
  ["missing clientTimestamp", without(base, "clientTimestamp"), false, false],
  ["empty orderId", { ...base, orderId: "" }, false, false],
  ["65-char orderId", { ...base, orderId: "a".repeat(65) }, false, false],
  ["orderId with a space", { ...base, orderId: "ord 1" }, false, false],
  ["33-char account", { ...base, account: "a".repeat(33) }, false, false],
  ["account with '/'", { ...base, account: "a/b" }, false, false],
  ["lower-case symbol", { ...base, symbol: "aapl" }, false, false],
  ["symbol starting with a digit", { ...base, symbol: "1ABC" }, false, false],
  ["13-char symbol", { ...base, symbol: "ABCDEFGHIJKLM" }, false, false],
  ["side HOLD", { ...base, side: "HOLD" }, false, false],
  ["quantity 0", { ...base, quantity: "0" }, false, false],
  ["fractional quantity", { ...base, quantity: "1.5" }, false, false],
  ["quantity above max", { ...base, quantity: "1000000001" }, false, false],
  ["quantity as a JSON number", { ...base, quantity: 10 }, false, false],
  ["limitPrice as a JSON number", { ...limit, limitPrice: 101.25 }, false, false],
  ["limitPrice with 9 decimals", { ...limit, limitPrice: "1.123456789" }, false, false],
  ["limitPrice 1e200", { ...limit, limitPrice: "1e200" }, false, false],
  ["limitPrice with 11 integer digits", { ...limit, limitPrice: "10000000000" }, false, false],
  ["offset +14:59", { ...base, clientTimestamp: "2024-05-01T12:00:00+14:59" }, false, false],
  ["offset beyond ±14:00", { ...base, clientTimestamp: "2024-05-01T12:00:00-23:00" }, false, false],
  ["microseconds", { ...base, clientTimestamp: "2024-05-01T12:00:00.000001Z" }, false, false],
  ["orderType STOP", { ...base, orderType: "STOP" }, false, false],
  ["zero limitPrice", { ...limit, limitPrice: "0.000" }, false, false],
  ["negative limitPrice", { ...limit, limitPrice: "-1" }, false, false],
  ["timestamp without offset", { ...base, clientTimestamp: "2024-05-01T12:30:00" }, false, false],
  ["date only", { ...base, clientTimestamp: "2024-05-01" }, false, false],
  ["synthetic as string", { ...base, synthetic: "yes" }, false, false],
  ["unknown field", { ...base, note: "hi" }, false, false],
  ["not an object", [base], false, false],
  // Beyond draft-04: enforced by the processor only.
  ["LIMIT without limitPrice", without(limit, "limitPrice"), false, true],
  ["MARKET with limitPrice", { ...base, limitPrice: "5" }, false, true],
  ["impossible date", { ...base, clientTimestamp: "2024-02-30T12:00:00Z" }, false, true],
  [
    "year 0000 (PostgreSQL can't store it)",
    { ...base, clientTimestamp: "0000-01-01T00:00:00Z" },
    false,
    true,
  ],
];

type Schema = { [k: string]: unknown };
const SUPPORTED = new Set([
  "$schema",
  "title",
  "description",
  "type",
  "additionalProperties",
  "required",
  "properties",
  "enum",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
]);

/**
 * A draft-04 validator for exactly the keywords orderJsonSchema uses (a test below fails if it starts
 * using another one), so the table can run through both schemas without adding a validator package.
 */
function validateDraft04(schema: Schema, value: unknown): boolean {
  const t = schema.type as string | undefined;
  if (t === "object") {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    if (((schema.required ?? []) as string[]).some((k) => !(k in obj))) return false;
    if (schema.additionalProperties === false && Object.keys(obj).some((k) => !(k in props))) return false;
    return Object.entries(obj).every(([k, v]) => !(k in props) || validateDraft04(props[k], v));
  }
  if (t === "string" && typeof value !== "string") return false;
  if (t === "integer" && !Number.isInteger(value)) return false;
  if (t === "number" && typeof value !== "number") return false;
  if (t === "boolean" && typeof value !== "boolean") return false;
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) return false;
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength) return false;
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength) return false;
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern).test(value)) return false;
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number") {
      if (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum) return false;
    }
    if (typeof schema.maximum === "number" && value > schema.maximum) return false;
  }
  return true;
}

function keywords(schema: unknown, out = new Set<string>()): Set<string> {
  if (schema && typeof schema === "object" && !Array.isArray(schema)) {
    for (const [k, v] of Object.entries(schema)) {
      out.add(k);
      if (k === "properties") for (const sub of Object.values(v as object)) keywords(sub, out);
    }
  }
  return out;
}

describe("order schema", () => {
  it.each(TABLE)("P6: %s", (_name, payload, zodOk, jsonOk) => {
    expect(OrderSchema.safeParse(payload).success).toBe(zodOk);
    expect(validateDraft04(orderJsonSchema as unknown as Schema, payload)).toBe(jsonOk);
    // Whatever the processor accepts, API Gateway must accept too.
    if (zodOk) expect(jsonOk).toBe(true);
  });

  it("P5: the JSON schema is plain draft-04 that API Gateway accepts", () => {
    expect(orderJsonSchema.$schema).toBe("http://json-schema.org/draft-04/schema#");
    expect(
      [...keywords(orderJsonSchema)].filter((k) => !SUPPORTED.has(k) && !(k in orderJsonSchema.properties)),
    ).toEqual([]);
    expect(JSON.stringify(orderJsonSchema)).not.toMatch(/"format"|"\$ref"|"const"|"if"/);
    expect(JSON.parse(JSON.stringify(orderJsonSchema))).toEqual(orderJsonSchema); // a plain literal
  });

  it("P6: required fields, enums and patterns agree with the zod schema", () => {
    const shape = OrderSchema.shape;
    const field = (k: string) =>
      (shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[k];
    const zodKeys = Object.keys(shape).sort();
    expect(Object.keys(orderJsonSchema.properties).sort()).toEqual(zodKeys);
    const required = zodKeys.filter((k) => !field(k).safeParse(undefined).success);
    expect([...orderJsonSchema.required].sort()).toEqual(required);
    expect(orderJsonSchema.properties.side.enum).toEqual(shape.side.options);
    expect(orderJsonSchema.properties.orderType.enum).toEqual(shape.orderType.options);
    expect(orderJsonSchema.additionalProperties).toBe(false);
    // Each pattern accepts and rejects the same probes as the zod field.
    const probes = [
      "",
      "a",
      "A",
      "AAPL",
      "BRK.B",
      "1ABC",
      "a-b_c",
      "a b",
      "a/b",
      "Z".repeat(12),
      "Z".repeat(13),
      "x".repeat(64),
      "x".repeat(65),
    ];
    for (const key of ["orderId", "account", "symbol"] as const) {
      const prop = orderJsonSchema.properties[key] as Schema;
      for (const p of probes) {
        expect([key, p, validateDraft04(prop, p)]).toEqual([key, p, field(key).safeParse(p).success]);
      }
    }
    // L3: the decimal patterns, probed at their edges.
    const decimals = ["0", "1", "01", "10", "1.5", "1.50", "1.", ".5", "0.1", "0.00000001", "0.000000001"];
    decimals.push("1e5", "-1", "+1", " 1", "1000000000", "1000000001", "9999999999.99999999", "10000000000");
    for (const key of ["quantity", "limitPrice"] as const) {
      const prop = orderJsonSchema.properties[key] as Schema;
      for (const p of decimals) {
        expect([key, p, validateDraft04(prop, p)]).toEqual([key, p, field(key).safeParse(p).success]);
      }
    }
  });

  it("P5: a malformed message gets a reason that names the field", () => {
    expect(parseOrderMessage("{not json")).toEqual({
      ok: false,
      reason: expect.stringMatching(/^body: Invalid JSON/),
    });
    const r = parseOrderMessage(JSON.stringify(without(limit, "limitPrice")));
    expect(r).toEqual({ ok: false, reason: "limitPrice: is required when orderType is LIMIT" });
    const u = parseOrderMessage(JSON.stringify({ ...base, quantity: "0", extra: 1 }));
    expect(u.ok).toBe(false);
    expect(!u.ok && u.reason).toMatch(
      /quantity: .*; body: Unrecognized key: "extra"|body: Unrecognized key: "extra".*quantity/,
    );
    expect(parseOrderMessage(JSON.stringify(base))).toEqual({
      ok: true,
      order: { ...base, clientTimestamp: "2024-05-01T12:30:00.000Z" },
    });
  });
});
