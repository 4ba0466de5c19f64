import { OrderSchema, type Order } from "./order-schema";
import { skewProblem } from "./order-values";

export type ParsedMessage = { ok: true; order: Order } | { ok: false; reason: string };

const MAX_REASON = 1000;

const clip = (s: string): string => (s.length > MAX_REASON ? `${s.slice(0, MAX_REASON)}…` : s);

/**
 * SQS body -> canonical Order, or the reason it isn't one. With `receivedAt` (the SQS SentTimestamp), the
 * clientTimestamp must also lie within CLOCK_SKEW of it (L4); a re-booking of an old order passes none. JSON.parse is done here rather than with Powertools'
 * JSONStringified helper: that helper imports zod's `z` namespace object, which defeats tree-shaking and
 * adds ~360 KB to the bundle (see scripts/bench.ts), for the same few lines.
 */
export function parseOrderMessage(body: string, receivedAt?: Date): ParsedMessage {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: clip(`body: Invalid JSON - ${(err as Error).message}`) };
  }
  const result = OrderSchema.safeParse(data);
  if (result.success) {
    const skew = receivedAt && skewProblem(result.data.clientTimestamp, receivedAt);
    return skew ? { ok: false, reason: `clientTimestamp: ${skew}` } : { ok: true, order: result.data };
  }
  const reason = result.error.issues
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "body"}: ${issue.message}`)
    .join("; ");
  return { ok: false, reason: clip(reason) };
}
