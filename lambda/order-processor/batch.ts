/**
 * The SQS batch handler, with every dependency injected.
 *
 * A batch is decided as a whole first (validate every message, one ledger statement for all its orders,
 * bounded-parallel state writes; see booking.ts), then handed to Powertools' BatchProcessor, whose record
 * handler only replays each message's outcome, so batchItemFailures is built the standard way.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
 *
 * Outcomes per message:
 *  - rejected (bad JSON, schema violation, clientTimestamp too far from the receive time, refused by a
 *    store): logged with its reason and parked in the rejects queue with that reason (park.ts), then
 *    reported as processed, so the DLQ holds only orders that failed for want of a database and can be
 *    redriven whole after a failover (F2). If parking fails it is reported as a failure and made visible
 *    at once, so it reaches the DLQ through the queue's own redrive policy with body and attributes intact.
 *  - conflict: the orderId is booked with other contents (in the ledger, in DynamoDB (X5), or by an
 *    earlier message of this batch): never booked, never dropped; treated like a rejection, with a reason that names the id and its
 *    own metric (alarmed). Parked like a rejection.
 *  - synthetic: validated, never written, counted.
 *  - booked / duplicate: in both stores; a duplicate delivery (same id, same contents) is acknowledged.
 *  - failed: transient; retried by SQS after a short visibility that grows with each receive.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { Log } from "../shared/log";
import { bookOrders, conflictReason, type BookingDeps, type BookingOutcome } from "./booking";
import { orderContentHash } from "./content-hash";
import { crashSuspectReason } from "./crash-suspect";
import { ACCEPTED_AT_ATTRIBUTE } from "../order-authorizer/contract";
import type { EntitlementCheck } from "./entitlement";
import { failedVisibilitySeconds, type VisibilityChange } from "./expedite";
import type { Order } from "./order-schema";
import { parseOrderMessage } from "./validate";

export const ORDER_METRICS = [
  "OrdersProcessed",
  "OrdersDuplicate",
  "OrdersConflicting",
  "OrdersRejected",
  "SyntheticOrders",
  "OrdersFailed",
] as const;
export type OrderMetric = (typeof ORDER_METRICS)[number];

export interface MetricSink {
  count(name: OrderMetric, value: number): void;
}

export interface OrderProcessorDeps extends BookingDeps {
  readonly region: string;
  readonly metrics: MetricSink;
  /** Best effort: sets the visibility of the messages reported as failed (0 for rejections). */
  readonly changeVisibility?: (changes: readonly VisibilityChange[]) => Promise<void>;
  /**
   * Refuses an order whose account the sending principal may not trade (entitlement.ts). The deployed
   * handler always sets it (index.ts); left out only by tests and benchmarks of the booking path.
   */
  readonly checkEntitlement?: EntitlementCheck;
  /** Parks rejected and conflicting messages in the rejects queue; returns the messageIds SQS accepted. */
  readonly parkRejected?: (
    rejected: readonly { record: SQSRecord; reason: string }[],
  ) => Promise<Set<string>>;
  readonly now?: () => Date;
  /** The order queue's visibility timeout, seconds; set, crash-type poison is parked (crash-suspect.ts). */
  readonly queueVisibilitySeconds?: number;
}

export type MessageOutcome =
  | { readonly status: "booked" | "duplicate" | "synthetic"; readonly orderId: string }
  | { readonly status: "rejected" | "conflict"; readonly reason: string; readonly orderId?: string }
  | { readonly status: "failed"; readonly reason: string; readonly orderId: string };

type FailedOutcome = Extract<MessageOutcome, { status: "rejected" | "conflict" | "failed" }>;

/** What the record handler throws, so the failure carries the reason into Powertools' bookkeeping. */
export class OrderMessageError extends Error {
  constructor(readonly outcome: FailedOutcome) {
    super(outcome.reason);
    this.name = { rejected: "OrderRejected", conflict: "OrderConflict", failed: "OrderFailed" }[
      outcome.status
    ];
  }
}

interface Parsed {
  readonly record: SQSRecord;
  readonly order: Order;
  readonly contentHash: string;
}

/**
 * The time the API accepted the message: the integration's acceptedAt attribute, which survives a DLQ
 * redrive; else SQS's SentTimestamp (reset by a redrive); else now.
 */
export function receivedAt(record: SQSRecord, now: Date): Date {
  const accepted = Number(record.messageAttributes?.[ACCEPTED_AT_ATTRIBUTE]?.stringValue);
  // Milliseconds for REST APIs; a value in seconds (HTTP APIs) is scaled rather than read as 1970.
  if (Number.isFinite(accepted) && accepted > 0)
    return new Date(accepted < 1e12 ? accepted * 1000 : accepted);
  const sent = Number(record.attributes?.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? new Date(sent) : now;
}

function parseAll(
  records: readonly SQSRecord[],
  now: Date,
  outcomes: Map<SQSRecord, MessageOutcome>,
  { logger, checkEntitlement }: Pick<OrderProcessorDeps, "logger" | "checkEntitlement">,
): Map<string, Parsed[]> {
  const groups = new Map<string, Parsed[]>();
  for (const record of records) {
    const parsed = parseOrderMessage(record.body ?? "", receivedAt(record, now));
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
    const notEntitled = checkEntitlement?.(record, order);
    if (notEntitled !== undefined) {
      outcomes.set(record, { status: "rejected", reason: notEntitled, orderId: order.orderId });
      continue;
    }
    if (order.synthetic === true) {
      outcomes.set(record, { status: "synthetic", orderId: order.orderId });
      logger.info("synthetic order validated, not booked", {
        messageId: record.messageId,
        orderId: order.orderId,
      });
      continue;
    }
    const item = { record, order, contentHash: orderContentHash(order) };
    groups.set(order.orderId, [...(groups.get(order.orderId) ?? []), item]);
  }
  return groups;
}

/** Maps one order's booking outcome onto each message that carried that orderId. */
function settleGroup(
  group: readonly Parsed[],
  outcome: BookingOutcome,
  outcomes: Map<SQSRecord, MessageOutcome>,
  logger: Log,
): void {
  const orderId = group[0].order.orderId;
  if (outcome.status === "rejected" || outcome.status === "failed") {
    // bookOrders logged why, once per order.
    for (const p of group)
      outcomes.set(p.record, { status: outcome.status, reason: outcome.reason, orderId });
    return;
  }
  let first = outcome.status === "booked";
  for (const p of group) {
    // A conflict with the ledger's row names that row; one with DynamoDB's item (X5) names the item.
    const tableConflict = outcome.status === "conflict" && outcome.store === "dynamodb";
    if (p.contentHash !== outcome.row.contentHash || tableConflict) {
      const reason = tableConflict
        ? outcome.reason
        : conflictReason(orderId, outcome.row.contentHash, p.contentHash);
      outcomes.set(p.record, { status: "conflict", reason, orderId });
      logger.error("order conflict: orderId reused with different contents", {
        orderId,
        messageId: p.record.messageId,
        reason,
      });
      continue;
    }
    outcomes.set(p.record, { status: first ? "booked" : "duplicate", orderId });
    if (!first) logger.info("duplicate order delivery", { orderId, messageId: p.record.messageId });
    first = false;
  }
}

function countOutcomes(
  outcomes: Map<SQSRecord, MessageOutcome>,
  deps: OrderProcessorDeps,
  size: number,
): void {
  const counts = Object.fromEntries(ORDER_METRICS.map((m) => [m, 0])) as Record<OrderMetric, number>;
  const metricOf = {
    booked: "OrdersProcessed",
    duplicate: "OrdersDuplicate",
    conflict: "OrdersConflicting",
    rejected: "OrdersRejected",
    synthetic: "SyntheticOrders",
    failed: "OrdersFailed",
  } as const satisfies Record<MessageOutcome["status"], OrderMetric>;
  for (const outcome of outcomes.values()) counts[metricOf[outcome.status]] += 1;
  for (const name of ORDER_METRICS) deps.metrics.count(name, counts[name]);
  deps.logger.info("batch decided", { records: size, ...counts });
}

/** Decides every message of a batch; keyed by record object. */
export async function decideBatch(
  records: readonly SQSRecord[],
  deps: OrderProcessorDeps,
): Promise<Map<SQSRecord, MessageOutcome>> {
  const now = deps.now?.() ?? new Date();
  const outcomes = new Map<SQSRecord, MessageOutcome>();
  const groups = parseAll(records, now, outcomes, deps);
  // The first message of each orderId is the one offered to the ledger; the ledger's row decides the rest.
  const entries = [...groups.values()].map(([p]) => ({
    order: p.order,
    contentHash: p.contentHash,
    messageId: p.record.messageId,
  }));
  const booked = await bookOrders(entries, deps, now);
  for (const [orderId, group] of groups) settleGroup(group, booked.get(orderId)!, outcomes, deps.logger);
  countOutcomes(outcomes, deps, records.length);
  return outcomes;
}

/** Visibility for each message reported as failed: 0 when a retry can't help, a growing backoff otherwise. */
export function visibilityChanges(outcomes: Map<SQSRecord, MessageOutcome>): VisibilityChange[] {
  const changes: VisibilityChange[] = [];
  for (const [record, outcome] of outcomes) {
    if (outcome.status === "rejected" || outcome.status === "conflict") changes.push({ record, seconds: 0 });
    else if (outcome.status === "failed") changes.push({ record, seconds: failedVisibilitySeconds(record) });
  }
  return changes;
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
    const suspects = crashSuspects(event.Records, deps);
    const outcomes = await decideBatch(
      event.Records.filter((r) => !suspects.has(r)),
      deps,
    );
    for (const [record, reason] of suspects) outcomes.set(record, { status: "rejected", reason });
    const parked = await parkRejected(event.Records, outcomes, deps);
    for (const record of event.Records) if (parked.has(record.messageId)) outcomes.delete(record);
    const changes = visibilityChanges(outcomes);
    if (changes.length > 0 && deps.changeVisibility) {
      await deps
        .changeVisibility(changes)
        .catch((err: unknown) =>
          deps.logger.warn("changing message visibility failed", { error: (err as Error).message }),
        );
    }
    const replay = async (record: SQSRecord): Promise<string> => {
      if (parked.has(record.messageId)) return "parked";
      const outcome = outcomes.get(record);
      if (!outcome) throw new Error(`no outcome for message ${record.messageId}`);
      if (outcome.status === "rejected" || outcome.status === "conflict" || outcome.status === "failed")
        throw new OrderMessageError(outcome);
      return outcome.status;
    };
    return processPartialResponse(event, replay, processor, context ? { context } : undefined);
  };
}

/** X1: records on their last receive that crashed or timed out the processor every time, with why. */
function crashSuspects(records: readonly SQSRecord[], deps: OrderProcessorDeps): Map<SQSRecord, string> {
  const out = new Map<SQSRecord, string>();
  if (deps.queueVisibilitySeconds === undefined) return out;
  const now = deps.now?.() ?? new Date();
  for (const record of records) {
    const reason = crashSuspectReason(record, deps.queueVisibilitySeconds, now);
    if (reason === undefined) continue;
    out.set(record, reason);
    deps.logger.error("order parked as crash-type poison", { messageId: record.messageId, reason });
  }
  if (out.size > 0) deps.metrics.count("OrdersRejected", out.size);
  return out;
}

async function parkRejected(
  records: readonly SQSRecord[],
  outcomes: Map<SQSRecord, MessageOutcome>,
  deps: OrderProcessorDeps,
): Promise<Set<string>> {
  const rejected = records.flatMap((record) => {
    const o = outcomes.get(record);
    return o?.status === "rejected" || o?.status === "conflict" ? [{ record, reason: o.reason }] : [];
  });
  if (rejected.length === 0 || !deps.parkRejected) return new Set();
  return deps.parkRejected(rejected).catch((err: unknown) => {
    deps.logger.warn("parking rejected messages failed", { error: (err as Error).message });
    return new Set<string>();
  });
}
