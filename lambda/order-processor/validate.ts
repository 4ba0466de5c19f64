import { OrderSchema, type Order } from "./order-schema";

export type ParsedMessage = { ok: true; order: Order } | { ok: false; reason: string };

const MAX_REASON = 1000;

const clip = (s: string): string => (s.length > MAX_REASON ? `${s.slice(0, MAX_REASON)}…` : s);

/**
 * SQS body -> Order, or the reason it isn't one. JSON.parse is done here rather than with Powertools'
 * JSONStringified helper: that helper imports zod's `z` namespace object, which defeats tree-shaking and
 * adds ~360 KB to the bundle (see scripts/bench.ts), for the same few lines.
 */
export function parseOrderMessage(body: string): ParsedMessage {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: clip(`body: Invalid JSON - ${(err as Error).message}`) };
  }
  const result = OrderSchema.safeParse(data);
  if (result.success) return { ok: true, order: result.data };
  const reason = result.error.issues
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "body"}: ${issue.message}`)
    .join("; ");
  return { ok: false, reason: clip(reason) };
}
