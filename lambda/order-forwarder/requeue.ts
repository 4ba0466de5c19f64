/**
 * X1: a failed forward must not spend the receive budget meant for poison. Every receive counts towards
 * the queue's maxReceiveCount, whoever receives and whatever the outcome (ApproximateReceiveCount), so a
 * forwarder that merely backs off still exhausts it in a partition that outlasts its backoff, and the
 * order lands in the DLQ as if it were poison. Instead, on its last receive before the DLQ, an order the
 * forwarder could not send on is put back in its own queue as a new message (a fresh receive count),
 * delayed by the next backoff step, and only then acknowledged. The forwarder never reads an order's
 * content, so nothing it re-queues can be poison; the writer's queue gives it a fresh budget there.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 * DelaySeconds per entry: 0 to 900.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatchRequestEntry.html
 */
import type { MessageAttributeValue, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { FAILED_VISIBILITY } from "../order-processor/expedite";
import { MAX_RECEIVE_COUNT } from "../shared/order-queue-contract";

/** How often the forwarder has put the order back in its own queue (absent: never). */
export const FORWARD_REQUEUES_ATTRIBUTE = "forwardRequeues";
/** SendMessageBatch's documented maximum DelaySeconds. */
export const MAX_DELAY_SECONDS = 900;

const count = (raw: string | undefined): number => {
  const n = raw === undefined ? 0 : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : 0;
};

export const requeuesOf = (record: SQSRecord): number =>
  count(record.messageAttributes?.[FORWARD_REQUEUES_ATTRIBUTE]?.stringValue);

const receivesOf = (record: SQSRecord): number =>
  Math.max(1, count(record.attributes?.ApproximateReceiveCount));

/** Whether failing this receive would send the message to the DLQ (SQS moves it on the next receive). */
export const isLastReceive = (record: SQSRecord): boolean => receivesOf(record) >= MAX_RECEIVE_COUNT;

/**
 * Attempts across re-queues, so the backoff keeps growing (to its cap) instead of restarting at 30 s
 * with every new message: a long partition is retried every 15 minutes, not in bursts.
 */
export const attemptsOf = (record: SQSRecord): number =>
  requeuesOf(record) * MAX_RECEIVE_COUNT + receivesOf(record);

/** Backoff before attempt `attempt` + 1, in seconds: the processor's 30 s doubling, capped. */
export function backoffSeconds(attempt: number, cap: number = FAILED_VISIBILITY.maxSeconds): number {
  const n = Math.max(1, attempt);
  return Math.min(FAILED_VISIBILITY.baseSeconds * 2 ** Math.min(n - 1, 20), cap);
}

/** The message's own attributes (the API's and any hop markers) as they are, and the re-queue count. */
function requeuedAttributes(record: SQSRecord): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(record.messageAttributes ?? {})) {
    if (name === FORWARD_REQUEUES_ATTRIBUTE || a.stringValue === undefined) continue;
    out[name] = { DataType: a.dataType, StringValue: a.stringValue };
  }
  out[FORWARD_REQUEUES_ATTRIBUTE] = { DataType: "Number", StringValue: String(requeuesOf(record) + 1) };
  return out;
}

/** One SendMessageBatch entry per record (entry ids are positions), delayed by the next backoff step. */
export function requeueEntries(records: readonly SQSRecord[]): SendMessageBatchRequestEntry[] {
  return records.map((r, i) => ({
    Id: String(i),
    MessageBody: r.body,
    MessageAttributes: requeuedAttributes(r),
    DelaySeconds: backoffSeconds(attemptsOf(r), MAX_DELAY_SECONDS),
  }));
}

/**
 * X1: how long an order re-queued `requeues` times (at least once) waits in the queue as one message: its
 * delay, then a failed forward's backoff after each receive but the last, which re-queues it again. The
 * queue's oldest-message age restarts with every re-queue, so in a long partition an age alarm fires only
 * if its threshold is below this; the first re-queued message waits the least (backoffs only grow).
 */
export function requeuedMessageSeconds(requeues: number): number {
  const before = Math.max(1, requeues) * MAX_RECEIVE_COUNT;
  let seconds = backoffSeconds(before, MAX_DELAY_SECONDS);
  for (let receive = 1; receive < MAX_RECEIVE_COUNT; receive++) seconds += backoffSeconds(before + receive);
  return seconds;
}
