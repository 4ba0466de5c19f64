/**
 * Sends rejected messages on their way to the DLQ now instead of after a visibility timeout.
 *
 * A malformed message is reported as a batch item failure so that SQS's redrive policy moves it to the
 * DLQ after maxReceiveCount receives. With the infra's visibility timeout (6 x the 300 s function
 * timeout) and maxReceiveCount 5, that would take about two hours; setting its visibility to 0 makes each
 * of those receives immediate. Transient failures are left alone: their visibility timeout is the backoff.
 * Best effort: any error here is logged and ignored, and the message still reaches the DLQ, just later.
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

export function createRejectExpediter(
  sqs: VisibilitySender,
  logger: Log,
  timeoutMs = 1000,
): (records: readonly SQSRecord[]) => Promise<void> {
  return async (records) => {
    const byQueue = new Map<string, SQSRecord[]>();
    for (const r of records) {
      const url = queueUrlFromArn(r.eventSourceARN ?? "");
      if (!url || !r.receiptHandle) continue;
      byQueue.set(url, [...(byQueue.get(url) ?? []), r]);
    }
    const calls: Promise<void>[] = [];
    for (const [queueUrl, rs] of byQueue) {
      for (let i = 0; i < rs.length; i += 10) {
        const chunk = rs.slice(i, i + 10); // the API's limit per call
        const command = new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((r, k) => ({
            Id: String(k),
            ReceiptHandle: r.receiptHandle,
            VisibilityTimeout: 0,
          })),
        });
        calls.push(
          withTimeout(timeoutMs, "ChangeMessageVisibilityBatch", (abortSignal) =>
            sqs.send(command, { abortSignal }),
          )
            .then((out) => {
              if (out.Failed?.length) {
                logger.warn("could not expedite some rejected messages", {
                  messageIds: out.Failed.map((f) => chunk[Number(f.Id)]?.messageId),
                  codes: out.Failed.map((f) => f.Code),
                });
              }
            })
            .catch((err: unknown) => {
              logger.warn(
                "could not expedite rejected messages; they reach the DLQ after their visibility timeout",
                {
                  error: `${(err as Error).name}: ${(err as Error).message}`,
                  messageIds: chunk.map((r) => r.messageId),
                },
              );
            }),
        );
      }
    }
    await Promise.all(calls);
  };
}
