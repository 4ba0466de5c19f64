/**
 * The exact forms of an order's numbers and time: the limits, the patterns that enforce them (shared by the
 * zod schema and the API's draft-04 model), and the canonical text every store and the content hash use.
 * Imports nothing, so the infra code can import it cheaply.
 *
 * Limits (docs/requirements.md, L3/L4; the note of issue 12 explains the choice):
 *  - quantity: a whole number of units, 1 to 1,000,000,000 (a venue's maximum order size is far below;
 *    10 digits stay exact as a JavaScript number, a PostgreSQL bigint and a DynamoDB number).
 *  - limitPrice: positive, at most 10 integer digits and 8 decimals: numeric(18,8) in the ledger. 8 decimals
 *    cover equities' sub-penny ticks (4), FX pips (5) and crypto (8); 10 integer digits cover any listed
 *    price. 18 significant digits are well inside DynamoDB's 38 and its range of 1E-130..9.99E+125
 *    (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html),
 *    so every accepted value is one both stores hold exactly; `1e200`, `1e-200` or `5e-324` are refused
 *    here, before either store sees them.
 *  - clientTimestamp: ISO-8601 with seconds, at most millisecond precision, and an offset within ±14:00
 *    (the widest real zone offsets are -12:00 and +14:00). Stored in UTC.
 */

export const MAX_QUANTITY = 1_000_000_000;
export const PRICE_INTEGER_DIGITS = 10;
export const PRICE_SCALE = 8;
/** The ledger's numeric(p,s) for limit_price. */
export const PRICE_PRECISION = PRICE_INTEGER_DIGITS + PRICE_SCALE;

/** 1..999,999,999 or exactly 1,000,000,000; no sign, no leading zeros, no exponent. */
export const QUANTITY_PATTERN = "^(?:[1-9][0-9]{0,8}|1000000000)$";

/**
 * A positive decimal with at most PRICE_INTEGER_DIGITS integer digits and PRICE_SCALE decimals. Zero must be
 * refused by the pattern alone (draft-04 has no exclusiveMinimum for strings), so a price below 1 is spelled
 * out per count of leading zero decimals instead of with a look-ahead.
 */
export const PRICE_PATTERN = (() => {
  const whole = `[1-9][0-9]{0,${PRICE_INTEGER_DIGITS - 1}}(?:\\.[0-9]{1,${PRICE_SCALE}})?`;
  const fractions = Array.from(
    { length: PRICE_SCALE },
    (_, zeros) => `0\\.0{${zeros}}[1-9][0-9]{0,${PRICE_SCALE - 1 - zeros}}`,
  );
  return `^(?:${[whole, ...fractions].join("|")})$`;
})();

/** Seconds required, milliseconds at most, offset Z or ±hh:mm up to ±14:00. */
export const TIMESTAMP_PATTERN =
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]{1,3})?(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))$";

/** Strips trailing fractional zeros: "187.250" -> "187.25", "100.0" -> "100". Input must match a pattern above. */
export function canonicalDecimal(text: string): string {
  if (!text.includes(".")) return text;
  return text.replace(/0+$/, "").replace(/\.$/, "");
}

const TS_PARTS =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant as UTC text with milliseconds ("2024-05-01T12:30:00.500Z"), or undefined when the text is not
 * a real calendar time (Feb 30, hour 24) or falls outside years 0001-9999 once in UTC. Fixed width, so the
 * account index's string sort key orders orders by time whatever offset they were sent with.
 */
export function utcTimestamp(text: string): string | undefined {
  if (!new RegExp(TIMESTAMP_PATTERN).test(text)) return undefined;
  const m = TS_PARTS.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const ms = Number((m[7] ?? "0").padEnd(3, "0"));
  const local = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  local.setUTCFullYear(y); // Date.UTC maps years 0-99 to 1900-1999
  const real =
    local.getUTCFullYear() === y &&
    local.getUTCMonth() === mo - 1 &&
    local.getUTCDate() === d &&
    local.getUTCHours() === h &&
    local.getUTCMinutes() === mi &&
    local.getUTCSeconds() === s;
  if (!real) return undefined;
  const offsetMin = m[8] ? (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0;
  const utc = new Date(local.getTime() - offsetMin * 60_000);
  const year = utc.getUTCFullYear();
  return year >= 1 && year <= 9999 ? utc.toISOString() : undefined;
}

/** How far clientTimestamp may be from the time the API accepted the order (the SQS SentTimestamp). */
export const CLOCK_SKEW = {
  /** A client clock ahead by more than this is wrong: NTP keeps clocks within milliseconds. */
  maxAheadMs: 60_000,
  /** An order older than this at intake is stale; it also covers a client's own retries of the same order. */
  maxBehindMs: 300_000,
} as const;

/** Why `utcText` is too far from `receivedAt`, or undefined when it is within CLOCK_SKEW. */
export function skewProblem(utcText: string, receivedAt: Date): string | undefined {
  const delta = Date.parse(utcText) - receivedAt.getTime();
  if (delta > CLOCK_SKEW.maxAheadMs)
    return `is ${Math.round(delta / 1000)} s ahead of the time the order was received (${receivedAt.toISOString()}); at most ${CLOCK_SKEW.maxAheadMs / 1000} s is allowed`;
  if (-delta > CLOCK_SKEW.maxBehindMs)
    return `is ${Math.round(-delta / 1000)} s behind the time the order was received (${receivedAt.toISOString()}); at most ${CLOCK_SKEW.maxBehindMs / 1000} s is allowed`;
  return undefined;
}
