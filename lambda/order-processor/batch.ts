/**
 * The SQS batch handler, with every dependency injected.
 *
 * A batch is decided as a whole first (validate every message, one ledger statement for all new orders,
 * bounded-parallel state writes), then handed to Powertools' BatchProcessor, whose record handler only
 * replays each message's outcome, so batchItemFailures is built the standard way.
 *
 * Outcomes per message:
 *  - malformed (bad JSON, schema violation, or refused by the ledger's constraints): logged with its
 *    reason and parked in the rejects queue with that reason (park.ts), then reported as processed, so
 *    the DLQ holds only orders that failed for want of a database and can be redriven whole after a
 *    failover (F2). If parking fails, it is reported as a failure and reaches the DLQ through the
 *    queue's redrive policy; `expediteRejected` makes those receives immediate (see expedite.ts).
 *  - synthetic: validated, never written, counted.
 *  - a valid order: ledger first (system of record), then state. If the ledger write fails, none of the
 *    batch's valid orders touch DynamoDB and all of them fail (retried by SQS); if one state write fails,
 *    only the messages of that order fail. Both writes are idempotent, so a retry after a partial success
 *    completes the order without duplicating it.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { mapSettledLimit } from "../shared/concurrency";
import type { Log } from "../shared/log";
import type { LedgerEntry, LedgerResult } from "./ledger";
import type { Order } from "./order-schema";
import { sqlState } from "./sql";
import type { PutOutcome } from "./state";
import { parseOrderMessage } from "./validate";

export const ORDER_METRICS = [
  "OrdersProcessed",
  "OrdersDuplicate",
  "OrdersRejected",
  "SyntheticOrders",
  "OrdersFailed",
] as const;
export type OrderMetric = (typeof ORDER_METRICS)[number];

export interface MetricSink {
  count(name: OrderMetric, value: number): void;
}

export interface OrderProcessorDeps {
  readonly region: string;
  readonly logger: Log;
  readonly metrics: MetricSink;
  /** Books the batch's distinct new orders in the ledger, in one round trip. */
  readonly writeLedger: (entries: readonly LedgerEntry[]) => Promise<LedgerResult>;
  /** Writes one order's state idempotently. */
  readonly writeState: (order: Order, now: Date) => Promise<PutOutcome>;
  /** Parks rejected messages in the rejects queue; returns the messageIds SQS accepted. */
  readonly parkRejected?: (
    rejected: readonly { record: SQSRecord; reason: string }[],
  ) => Promise<Set<string>>;
  /** Best effort: makes rejected messages visible again at once so they reach the DLQ quickly. */
  readonly expediteRejected?: (records: readonly SQSRecord[]) => Promise<void>;
  /** Concurrent state writes; default 10. */
  readonly stateConcurrency?: number;
  readonly now?: () => Date;
}

export type MessageOutcome =
  | { readonly status: "booked" | "duplicate" | "synthetic"; readonly orderId: string }
  | { readonly status: "rejected"; readonly reason: string; readonly orderId?: string }
  | { readonly status: "failed"; readonly reason: string; readonly orderId: string };

/** What the record handler throws, so the failure carries the reason into Powertools' bookkeeping. */
export class OrderMessageError extends Error {
  constructor(readonly outcome: Extract<MessageOutcome, { status: "rejected" | "failed" }>) {
    super(outcome.reason);
    this.name = outcome.status === "rejected" ? "OrderRejected" : "OrderFailed";
  }
}

interface OrderGroup {
  readonly order: Order;
  /** Every message of this batch carrying this orderId; the first one is the one booked. */
  readonly records: SQSRecord[];
}

const describe = (err: unknown): string => {
  const e = err as Error;
  const code = sqlState(err);
  return `${e?.name ?? "Error"}${code ? ` ${code}` : ""}: ${e?.message ?? String(err)}`;
};

/** Decides every message of a batch; keyed by record object. */
export async function decideBatch(
  records: readonly SQSRecord[],
  deps: OrderProcessorDeps,
): Promise<Map<SQSRecord, MessageOutcome>> {
  const { logger } = deps;
  const now = deps.now?.() ?? new Date();
  const outcomes = new Map<SQSRecord, MessageOutcome>();
  const groups = new Map<string, OrderGroup>();

  for (const record of records) {
    const parsed = parseOrderMessage(record.body ?? "");
    if (!parsed.ok) {
      outcomes.set(record, { status: "rejected", reason: parsed.reason });
      logger.error("order rejected: malformed message", {
        messageId: record.messageId,
        reason: parsed.reason,
        receiveCount: record.attributes?.ApproximateReceiveCount,
      });
      continue;
    }
    const { order } = parsed;
    if (order.synthetic === true) {
      outcomes.set(record, { status: "synthetic", orderId: order.orderId });
      logger.info("synthetic order validated, not booked", {
        messageId: record.messageId,
        orderId: order.orderId,
      });
      continue;
    }
    const group = groups.get(order.orderId);
    if (group) group.records.push(record);
    else groups.set(order.orderId, { order, records: [record] });
  }

  if (groups.size > 0) await bookOrders([...groups.values()], deps, now, outcomes);

  const counts: Record<OrderMetric, number> = {
    OrdersProcessed: 0,
    OrdersDuplicate: 0,
    OrdersRejected: 0,
    SyntheticOrders: 0,
    OrdersFailed: 0,
  };
  const metricOf = {
    booked: "OrdersProcessed",
    duplicate: "OrdersDuplicate",
    rejected: "OrdersRejected",
    synthetic: "SyntheticOrders",
    failed: "OrdersFailed",
  } as const satisfies Record<MessageOutcome["status"], OrderMetric>;
  for (const outcome of outcomes.values()) counts[metricOf[outcome.status]] += 1;
  for (const name of ORDER_METRICS) deps.metrics.count(name, counts[name]);
  logger.info("batch decided", { records: records.length, ...counts });
  return outcomes;
}

async function bookOrders(
  groups: readonly OrderGroup[],
  deps: OrderProcessorDeps,
  now: Date,
  outcomes: Map<SQSRecord, MessageOutcome>,
): Promise<void> {
  const { logger } = deps;
  const messageIds = (gs: readonly OrderGroup[]) => gs.flatMap((g) => g.records.map((r) => r.messageId));

  let ledger: LedgerResult;
  try {
    ledger = await deps.writeLedger(
      groups.map((g) => ({ order: g.order, messageId: g.records[0].messageId })),
    );
  } catch (err) {
    const reason = `ledger write failed: ${describe(err)}`;
    logger.error("ledger write failed; the batch's valid orders are left for SQS to retry", {
      reason,
      messageIds: messageIds(groups),
    });
    for (const g of groups) {
      for (const r of g.records) outcomes.set(r, { status: "failed", reason, orderId: g.order.orderId });
    }
    return;
  }

  const accepted: OrderGroup[] = [];
  for (const g of groups) {
    const refused = ledger.rejected.get(g.order.orderId);
    if (refused === undefined) {
      accepted.push(g);
      continue;
    }
    logger.error("order rejected by the ledger", {
      orderId: g.order.orderId,
      reason: refused,
      messageIds: messageIds([g]),
    });
    for (const r of g.records)
      outcomes.set(r, { status: "rejected", reason: refused, orderId: g.order.orderId });
  }

  const results = await mapSettledLimit(accepted, deps.stateConcurrency ?? 10, (g) =>
    deps.writeState(g.order, now),
  );
  results.forEach((result, i) => {
    const g = accepted[i];
    const orderId = g.order.orderId;
    if (result.status === "rejected") {
      const reason = `order state write failed: ${describe(result.reason)}`;
      logger.error("order state write failed; the order's messages are left for SQS to retry", {
        orderId,
        reason,
        bookedInLedger: ledger.inserted.has(orderId),
        messageIds: messageIds([g]),
      });
      for (const r of g.records) outcomes.set(r, { status: "failed", reason, orderId });
      return;
    }
    // New if either store was written now: a retry that completes a half-done order counts as processed.
    const isNew = ledger.inserted.has(orderId) || result.value === "created";
    g.records.forEach((r, k) => {
      const status = k === 0 && isNew ? "booked" : "duplicate";
      if (status === "duplicate")
        logger.info("duplicate order delivery", { orderId, messageId: r.messageId });
      outcomes.set(r, { status, orderId });
    });
  });
}

export type OrderBatchHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/**
 * An all-failed batch makes processPartialResponse throw FullBatchFailureError (Powertools default):
 * SQS retries every message either way, and a Lambda error also slows the poller down while the
 * database is out and shows in the function's Errors metric.
 */
export function createOrderBatchHandler(deps: OrderProcessorDeps): OrderBatchHandler {
  const processor = new BatchProcessor(EventType.SQS);
  return async (event, context) => {
    const outcomes = await decideBatch(event.Records, deps);
    const parked = await parkRejected(event.Records, outcomes, deps);
    const rejected = event.Records.filter(
      (r) => outcomes.get(r)?.status === "rejected" && !parked.has(r.messageId),
    );
    if (rejected.length > 0 && deps.expediteRejected) {
      await deps
        .expediteRejected(rejected)
        .catch((err: unknown) =>
          deps.logger.warn("expediting rejected messages failed", { error: (err as Error).message }),
        );
    }
    const replay = async (record: SQSRecord): Promise<string> => {
      const outcome = outcomes.get(record);
      if (!outcome) throw new Error(`no outcome for message ${record.messageId}`);
      if (outcome.status === "rejected" && parked.has(record.messageId)) return "parked";
      if (outcome.status === "rejected" || outcome.status === "failed") throw new OrderMessageError(outcome);
      return outcome.status;
    };
    return processPartialResponse(event, replay, processor, context ? { context } : undefined);
  };
}

async function parkRejected(
  records: readonly SQSRecord[],
  outcomes: Map<SQSRecord, MessageOutcome>,
  deps: OrderProcessorDeps,
): Promise<Set<string>> {
  const rejected = records.flatMap((record) => {
    const o = outcomes.get(record);
    return o?.status === "rejected" ? [{ record, reason: o.reason }] : [];
  });
  if (rejected.length === 0 || !deps.parkRejected) return new Set();
  return deps.parkRejected(rejected).catch((err: unknown) => {
    deps.logger.warn("parking rejected messages failed", { error: (err as Error).message });
    return new Set<string>();
  });
}
