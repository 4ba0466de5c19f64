/**
 * Booking parsed orders: the ledger first (system of record), then DynamoDB written from the booked ledger
 * row. Callable with parsed orders, not only SQS messages, so a reconcile step can re-book through the
 * same path.
 *
 * Per order:
 *  - booked / duplicate: the ledger holds a row with the same content hash; DynamoDB now holds that row.
 *  - conflict: the ledger holds another order under this orderId (L1). Nothing is written. Or DynamoDB
 *    does (X5): across the RPO window of an unplanned failover, version A may be lost from Aurora but kept
 *    in DynamoDB while version B is booked in the new writer's ledger. B's message is refused like any
 *    conflict (parked, counted, alarmed), so the two stores never silently disagree; reconcile lists it.
 *  - rejected: the ledger or DynamoDB refuses the data itself (a constraint, a ValidationException): a
 *    retry can't help (L3).
 *  - failed: anything else (database down, throttled); a retry completes it, both writes are idempotent.
 */
import { mapSettledLimit } from "../shared/concurrency";
import type { Log } from "../shared/log";
import type { LedgerEntry, LedgerResult, LedgerRow } from "./ledger";
import { sqlState } from "./sql";
import { isValidationError, type PutOutcome } from "./state";

export interface BookingDeps {
  readonly logger: Log;
  /** Books distinct orders in the ledger, in one round trip, and returns the booked rows. */
  readonly writeLedger: (entries: readonly LedgerEntry[]) => Promise<LedgerResult>;
  /** Writes one booked row to DynamoDB, idempotently. */
  readonly writeState: (row: LedgerRow, now: Date) => Promise<PutOutcome>;
  /** Concurrent state writes; default 10. */
  readonly stateConcurrency?: number;
}

export type BookingOutcome =
  | { readonly status: "booked" | "duplicate"; readonly row: LedgerRow }
  | {
      readonly status: "conflict";
      readonly reason: string;
      readonly row: LedgerRow;
      /** Which store holds the other version: the ledger (`row`), or DynamoDB (X5; `row` is this one). */
      readonly store: "ledger" | "dynamodb";
    }
  | { readonly status: "rejected"; readonly reason: string }
  | { readonly status: "failed"; readonly reason: string };

export const describeError = (err: unknown): string => {
  const e = err as Error;
  const code = sqlState(err);
  return `${e?.name ?? "Error"}${code ? ` ${code}` : ""}: ${e?.message ?? String(err)}`;
};

export function conflictReason(orderId: string, booked: string, offered: string): string {
  return (
    `order ${orderId} conflicts with the booked order of that id: same orderId, different contents ` +
    `(booked content hash ${booked}, this message ${offered}); not booked`
  );
}

/** Books `entries` (distinct orderIds); the result has one outcome per orderId. */
export async function bookOrders(
  entries: readonly LedgerEntry[],
  deps: BookingDeps,
  now: Date,
): Promise<Map<string, BookingOutcome>> {
  const outcomes = new Map<string, BookingOutcome>();
  if (entries.length === 0) return outcomes;
  let ledger: LedgerResult;
  try {
    ledger = await deps.writeLedger(entries);
  } catch (err) {
    const reason = `ledger write failed: ${describeError(err)}`;
    deps.logger.error("ledger write failed; the orders are left for retry", {
      reason,
      orderIds: entries.map((e) => e.order.orderId),
      messageIds: entries.flatMap((e) => (e.messageId ? [e.messageId] : [])),
    });
    for (const e of entries) outcomes.set(e.order.orderId, { status: "failed", reason });
    return outcomes;
  }

  const accepted: LedgerRow[] = [];
  for (const e of entries) {
    const id = e.order.orderId;
    const refused = ledger.rejected.get(id);
    const row = ledger.rows.get(id);
    if (refused !== undefined) {
      deps.logger.error("order rejected by the ledger", {
        orderId: id,
        reason: refused,
        messageId: e.messageId,
      });
      outcomes.set(id, { status: "rejected", reason: refused });
    } else if (!row) {
      const reason = `order ${id} is being booked by a concurrent transaction; a retry will see it`;
      deps.logger.warn("order booked concurrently; left for retry", { orderId: id, messageId: e.messageId });
      outcomes.set(id, { status: "failed", reason });
    } else if (row.contentHash !== e.contentHash)
      outcomes.set(id, {
        status: "conflict",
        reason: conflictReason(id, row.contentHash, e.contentHash),
        row,
        store: "ledger",
      });
    else accepted.push(row);
  }

  const results = await mapSettledLimit(accepted, deps.stateConcurrency ?? 10, (row) =>
    deps.writeState(row, now),
  );
  results.forEach((result, i) => {
    const row = accepted[i];
    if (result.status === "rejected") {
      const refused = isValidationError(result.reason);
      const reason = `order state write ${refused ? "refused by DynamoDB" : "failed"}: ${describeError(result.reason)}`;
      deps.logger.error(refused ? "DynamoDB refused the order" : "order state write failed; left for retry", {
        orderId: row.orderId,
        reason,
        bookedInLedger: true,
      });
      outcomes.set(row.orderId, { status: refused ? "rejected" : "failed", reason });
      return;
    }
    if (typeof result.value === "object") {
      const reason = `${conflictReason(row.orderId, result.value.conflict, row.contentHash)} (DynamoDB holds the other version)`;
      deps.logger.error("order conflict: DynamoDB holds another version of this orderId", {
        orderId: row.orderId,
        reason,
        bookedInLedger: true,
      });
      outcomes.set(row.orderId, { status: "conflict", reason, row, store: "dynamodb" });
      return;
    }
    // New if either store was written now: a retry that completes a half-done order counts as booked.
    const isNew = ledger.inserted.has(row.orderId) || result.value === "created";
    outcomes.set(row.orderId, { status: isNew ? "booked" : "duplicate", row });
  });
  return outcomes;
}
