/**
 * The forwarder's batch logic, free of SDK wiring so that tests drive it against a real SQS API (the
 * game day's) or a recorder. One SendMessageBatch per Lambda batch (the mapping's BatchSize is 10, the
 * most SendMessageBatch takes); each entry's outcome is reported on its own, so only the messages that
 * did not reach the writer's queue are retried (ReportBatchItemFailures).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 *
 * Sending first and acknowledging after means a crash in between sends an order twice; the processor
 * books by orderId and contents hash, so the second copy is a duplicate, never a second booking.
 */
import type { SendMessageBatchRequestEntry, SendMessageBatchResult } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import type { VisibilityChange } from "../order-processor/expedite";
import type { Log } from "../shared/log";
import { queueUrlFromArn } from "../shared/sqs-url";
import { forwardedAttributes, hopsOf, MAX_FORWARD_HOPS } from "./attributes";
import { ORDER_FORWARDER_DEFAULTS } from "./env";
import { attemptsOf, backoffSeconds, isLastReceive, requeueEntries } from "./requeue";

/** SendMessageBatch takes at most 10 entries. */
export const MAX_BATCH_ENTRIES = ORDER_FORWARDER_DEFAULTS.maxBatchEntries;

export interface ForwarderDeps {
  readonly region: string;
  readonly peerQueueUrl: string;
  readonly sendBatch: (
    queueUrl: string,
    entries: SendMessageBatchRequestEntry[],
  ) => Promise<SendMessageBatchResult>;
  readonly logger: Log;
  readonly count?: (metric: ForwarderMetric, value: number) => void;
  /**
   * Sets the visibility of the messages that were not forwarded (best effort), with the processor's
   * backoff: 30 s doubling per receive (lambda/order-processor/expedite.ts). Without it a failed forward
   * would wait out the queue's visibility timeout (30 minutes), and an order the standby took just before
   * a failover would be booked that much later.
   */
  readonly changeVisibility?: (changes: readonly VisibilityChange[]) => Promise<void>;
  /**
   * SendMessageBatch to this Region's own queue (requeue.ts): an order that fails its last receive
   * before the DLQ goes back as a new message instead of spending the budget meant for poison (X1).
   * Without it, such an order takes the old path to the DLQ.
   */
  readonly requeueBatch?: (
    queueUrl: string,
    entries: SendMessageBatchRequestEntry[],
  ) => Promise<SendMessageBatchResult>;
}

export type ForwarderMetric =
  "OrdersForwarded" | "OrdersForwardFailed" | "OrdersForwardLooping" | "OrdersForwardRequeued";

export async function forwardBatch(
  records: readonly SQSRecord[],
  deps: ForwarderDeps,
): Promise<SQSBatchResponse> {
  const failures = new Set<string>();
  const looping = records.filter((r) => hopsOf(r) >= MAX_FORWARD_HOPS);
  for (const r of looping) {
    failures.add(r.messageId);
    deps.logger.warn("order forwarded too often: both Regions look like standbys; retried later", {
      messageId: r.messageId,
      hops: hopsOf(r),
    });
  }
  const sendable = records.filter((r) => !failures.has(r.messageId));
  for (let i = 0; i < sendable.length; i += MAX_BATCH_ENTRIES) {
    const chunk = sendable.slice(i, i + MAX_BATCH_ENTRIES);
    for (const id of await sendChunk(chunk, deps)) failures.add(id);
  }
  const failed = records.filter((r) => failures.has(r.messageId));
  const requeued = await requeue(failed.filter(isLastReceive), deps);
  const retried = failed.filter((r) => !requeued.has(r.messageId));
  if (retried.length > 0) {
    await deps.changeVisibility?.(
      retried.map((record) => ({ record, seconds: backoffSeconds(attemptsOf(record)) })),
    );
  }
  deps.count?.("OrdersForwardLooping", looping.length);
  deps.count?.("OrdersForwardFailed", failures.size - looping.length);
  deps.count?.("OrdersForwarded", records.length - failures.size);
  deps.count?.("OrdersForwardRequeued", requeued.size);
  return { batchItemFailures: retried.map((r) => ({ itemIdentifier: r.messageId })) };
}

/** The message ids SQS confirms as put back in their own queue (requeue.ts); best effort. */
async function requeue(records: readonly SQSRecord[], deps: ForwarderDeps): Promise<Set<string>> {
  const done = new Set<string>();
  const queueUrl = queueUrlFromArn(records[0]?.eventSourceARN ?? "");
  if (!deps.requeueBatch || !queueUrl) return done;
  for (let i = 0; i < records.length; i += MAX_BATCH_ENTRIES) {
    const chunk = records.slice(i, i + MAX_BATCH_ENTRIES);
    try {
      const out = await deps.requeueBatch(queueUrl, requeueEntries(chunk));
      for (const ok of out.Successful ?? []) done.add(chunk[Number(ok.Id)].messageId);
    } catch (err) {
      deps.logger.warn("could not put unforwarded orders back in their queue; they go to the DLQ", {
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        messageIds: chunk.map((r) => r.messageId),
      });
    }
  }
  return done;
}

/** The message ids of `chunk` that did not reach the peer queue. */
async function sendChunk(chunk: readonly SQSRecord[], deps: ForwarderDeps): Promise<string[]> {
  // Entry ids are positions: a messageId may hold characters SendMessageBatch ids may not.
  const entries = chunk.map((r, i) => ({
    Id: String(i),
    MessageBody: r.body,
    MessageAttributes: forwardedAttributes(r, deps.region),
  }));
  try {
    const out = await deps.sendBatch(deps.peerQueueUrl, entries);
    const sent = new Set((out.Successful ?? []).map((s) => s.Id));
    for (const f of out.Failed ?? []) {
      deps.logger.warn("forward refused for one order", {
        messageId: chunk[Number(f.Id)]?.messageId,
        code: f.Code,
        message: f.Message,
      });
    }
    return chunk.filter((_, i) => !sent.has(String(i))).map((r) => r.messageId);
  } catch (err) {
    deps.logger.error("forward failed: the writer's queue is unreachable; the batch is retried", {
      peerQueueUrl: deps.peerQueueUrl,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return chunk.map((r) => r.messageId);
  }
}
