/**
 * Rejected orders (malformed, or refused by the ledger's constraints) are parked in their own queue, so
 * that the DLQ holds only orders that failed for want of a database: after a failover the orchestrator
 * redrives the whole DLQ with a message move task, which cannot filter messages.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 *
 * Each parked message keeps its body and carries why it was refused (message attribute `rejectReason`)
 * and where it came from (`sourceMessageId`). Only messages SQS confirms as parked are reported back; the
 * handler reports those as processed (SQS deletes them) and the rest take the old path to the DLQ.
 */
import { SendMessageBatchCommand, type SendMessageBatchCommandOutput } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import type { Log } from "../shared/log";
import { withTimeout } from "../shared/timeout";

export interface RejectedMessage {
  readonly record: SQSRecord;
  readonly reason: string;
}

export interface SendBatchSender {
  send(
    command: SendMessageBatchCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<SendMessageBatchCommandOutput>;
}

/** SQS message attribute values are at most 256 KiB, but a reason is for people: keep it short. */
const MAX_REASON = 1000;

export function createRejectParker(
  sqs: SendBatchSender,
  queueUrl: string,
  logger: Log,
  timeoutMs = 2000,
): (rejected: readonly RejectedMessage[]) => Promise<Set<string>> {
  return async (rejected) => {
    const parked = new Set<string>();
    const chunks: RejectedMessage[][] = [];
    for (let i = 0; i < rejected.length; i += 10) chunks.push(rejected.slice(i, i + 10)); // API limit
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          const out = await withTimeout(timeoutMs, "SendMessageBatch (rejects)", (abortSignal) =>
            sqs.send(
              new SendMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: chunk.map((m, k) => ({
                  Id: String(k),
                  MessageBody: m.record.body ?? "",
                  MessageAttributes: {
                    rejectReason: { DataType: "String", StringValue: m.reason.slice(0, MAX_REASON) },
                    sourceMessageId: { DataType: "String", StringValue: m.record.messageId },
                  },
                })),
              }),
              { abortSignal },
            ),
          );
          for (const ok of out.Successful ?? []) parked.add(chunk[Number(ok.Id)].record.messageId);
          if (out.Failed?.length) {
            logger.warn("some rejected messages could not be parked; they go to the DLQ", {
              codes: out.Failed.map((f) => f.Code),
            });
          }
        } catch (err) {
          logger.warn("could not park rejected messages; they go to the DLQ", {
            error: `${(err as Error).name}: ${(err as Error).message}`,
            messageIds: chunk.map((m) => m.record.messageId),
          });
        }
      }),
    );
    return parked;
  };
}
