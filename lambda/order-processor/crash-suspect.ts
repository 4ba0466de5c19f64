/**
 * X1: crash-type poison stays bounded and parked. A message that crashes the processor or makes it time
 * out never gets an outcome, so it is not parked like a rejection: it used to reach the DLQ, and the
 * scheduled convergence run, which redrives every DLQ (lambda/failover/converge.ts), sent it back every
 * tick, crashing a batch five more times each round.
 *
 * SQS tells it apart without any store: a receive the processor reports as failed comes back after its
 * backoff (at most FAILED_VISIBILITY.maxSeconds, expedite.ts), one it never answered comes back only
 * after the queue's whole visibility timeout (6 x the function timeout). So on its last receive before
 * the DLQ, a message whose earlier receives each lasted the whole visibility timeout (measured from
 * ApproximateFirstReceiveTimestamp) crashed or timed out every time: it is parked in the rejects queue
 * with that reason, before it can crash this batch too, and never redriven by the schedule.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 * A message received again only because Lambda was throttled looks the same; it is parked too (with its
 * reason, alarmed as a rejection), never lost. Should parking fail, it takes the old path to the DLQ.
 */
import type { SQSRecord } from "aws-lambda";
import { MAX_RECEIVE_COUNT } from "../shared/order-queue-contract";
import { FAILED_VISIBILITY } from "./expedite";

const attribute = (record: SQSRecord, name: "ApproximateReceiveCount" | "ApproximateFirstReceiveTimestamp") =>
  Number(record.attributes?.[name]);

/**
 * Why `record` is parked as crash-type poison, or undefined when it is not: not yet on its last receive,
 * or at least one earlier receive came back sooner than the visibility timeout (a reported failure).
 */
export function crashSuspectReason(
  record: SQSRecord,
  queueVisibilitySeconds: number,
  now: Date,
): string | undefined {
  if (queueVisibilitySeconds <= FAILED_VISIBILITY.maxSeconds) return undefined; // cannot tell them apart
  const receives = attribute(record, "ApproximateReceiveCount");
  const first = attribute(record, "ApproximateFirstReceiveTimestamp");
  if (!Number.isInteger(receives) || receives < MAX_RECEIVE_COUNT || !Number.isFinite(first))
    return undefined;
  const elapsedSeconds = (now.getTime() - first) / 1000;
  if (elapsedSeconds < (receives - 1) * queueVisibilitySeconds) return undefined;
  return `crash-type poison: none of its ${receives - 1} earlier receives ended with an outcome (each lasted the queue's ${queueVisibilitySeconds} s visibility timeout: the processor crashed or timed out); parked on its last receive instead of reaching the DLQ`;
}
