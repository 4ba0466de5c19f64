/**
 * Sets the visibility of the messages a batch reports as failed, so that SQS's own redrive does the rest.
 *
 * - Rejected (malformed, conflicting, refused by a store): visibility 0. Retrying can't fix them, but failing
 *   them is how they reach the DLQ (after maxReceiveCount receives) with body and attributes intact; with
 *   the queue's visibility timeout (6 x the 300 s function timeout) and maxReceiveCount 5 that would take
 *   about two and a half hours; 0 makes each of those receives immediate.
 * - Failed (a transient error: database blip, throttling): a short visibility that doubles with
 *   ApproximateReceiveCount (L5), so one blip delays an order by seconds, not the queue's 30 minutes, while
 *   a lasting outage still spaces the retries out. The queue's own visibility timeout stays >= 6 x the
 *   function timeout (lib/orders/order-queue.ts): it covers messages still being processed.
 *   ChangeMessageVisibility takes 0-43,200 s, counted from the call; at most 10 entries per batch call.
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibilityBatch.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * Best effort: any error here is logged and ignored; the message then waits out the queue's visibility.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  type ChangeMessageVisibilityBatchCommandOutput,
} from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import type { Log } from "../shared/log";
import { queueUrlFromArn } from "../shared/sqs-url";
import { withTimeout } from "../shared/timeout";

export { queueUrlFromArn };

export interface VisibilitySender {
  send(
    command: ChangeMessageVisibilityBatchCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<ChangeMessageVisibilityBatchCommandOutput>;
}

/** Backoff for a failed message: BASE x 2^(receives - 1), capped. 30, 60, 120, 240, 480 s over 5 receives. */
export const FAILED_VISIBILITY = { baseSeconds: 30, maxSeconds: 900 } as const;
/** ChangeMessageVisibility's documented maximum. */
export const MAX_VISIBILITY_SECONDS = 43_200;

export function failedVisibilitySeconds(record: SQSRecord): number {
  const receives = Number(record.attributes?.ApproximateReceiveCount);
  const n = Number.isInteger(receives) && receives >= 1 ? receives : 1;
  const seconds = FAILED_VISIBILITY.baseSeconds * 2 ** Math.min(n - 1, 20);
  return Math.min(seconds, FAILED_VISIBILITY.maxSeconds, MAX_VISIBILITY_SECONDS);
}

export interface VisibilityChange {
  readonly record: SQSRecord;
  readonly seconds: number;
}

export function createVisibilityChanger(
  sqs: VisibilitySender,
  logger: Log,
  timeoutMs = 1000,
): (changes: readonly VisibilityChange[]) => Promise<void> {
  return async (changes) => {
    const byQueue = new Map<string, VisibilityChange[]>();
    for (const c of changes) {
      const url = queueUrlFromArn(c.record.eventSourceARN ?? "");
      if (!url || !c.record.receiptHandle) continue;
      byQueue.set(url, [...(byQueue.get(url) ?? []), c]);
    }
    const calls: Promise<void>[] = [];
    for (const [queueUrl, cs] of byQueue) {
      for (let i = 0; i < cs.length; i += 10) {
        const chunk = cs.slice(i, i + 10); // the API's limit per call
        const command = new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((c, k) => ({
            Id: String(k),
            ReceiptHandle: c.record.receiptHandle,
            VisibilityTimeout: c.seconds,
          })),
        });
        calls.push(
          withTimeout(timeoutMs, "ChangeMessageVisibilityBatch", (abortSignal) =>
            sqs.send(command, { abortSignal }),
          )
            .then((out) => {
              if (out.Failed?.length) {
                logger.warn("could not change the visibility of some failed messages", {
                  messageIds: out.Failed.map((f) => chunk[Number(f.Id)]?.record.messageId),
                  codes: out.Failed.map((f) => f.Code),
                });
              }
            })
            .catch((err: unknown) => {
              logger.warn(
                "could not change the visibility of failed messages; they wait out the queue's visibility timeout",
                {
                  error: `${(err as Error).name}: ${(err as Error).message}`,
                  messageIds: chunk.map((c) => c.record.messageId),
                },
              );
            }),
        );
      }
    }
    await Promise.all(calls);
  };
}
