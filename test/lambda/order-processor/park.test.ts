/**
 * F2: rejected orders are parked in their own queue with the reason, so the DLQ holds only orders that
 * failed for want of a database and can be redriven whole after a failover.
 */
import { SendMessageBatchCommand, type SendMessageBatchCommandOutput } from "@aws-sdk/client-sqs";
import { createRejectParker } from "../../../lambda/order-processor/park";
import {
  event,
  failedIds,
  ledgerRows,
  order,
  processor,
  record,
  recordingLogger,
  useStores,
} from "./helpers";

const QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/tap-rejects";

/** Records every SendMessageBatch; refuses entries whose body contains "refuse-me". */
function fakeSqs(behaviour: "ok" | "hang" = "ok") {
  const sent: SendMessageBatchCommand[] = [];
  return {
    sent,
    send: async (command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> => {
      sent.push(command);
      if (behaviour === "hang") return new Promise(() => undefined);
      const entries = command.input.Entries ?? [];
      return {
        $metadata: {},
        Successful: entries
          .filter((e) => !(e.MessageBody ?? "").includes("refuse-me"))
          .map((e) => ({ Id: e.Id, MessageId: `p-${e.Id}`, MD5OfMessageBody: "x" })),
        Failed: entries
          .filter((e) => (e.MessageBody ?? "").includes("refuse-me"))
          .map((e) => ({ Id: e.Id, Code: "InternalError", SenderFault: false })),
      };
    },
  };
}

const stores = useStores();

describe("F2: rejected orders go to the rejects queue, not the DLQ", () => {
  it("F2: parked rejections are processed (deleted), carry their reason, and are not expedited to the DLQ", async () => {
    const sqs = fakeSqs();
    const { logger } = recordingLogger();
    const expedited: string[] = [];
    const { handler } = processor(stores.db, stores.dynamo.doc, stores.table, {
      parkRejected: createRejectParker(sqs, QUEUE, logger),
      changeVisibility: async (cs) => void expedited.push(...cs.map((c) => c.record.messageId)),
    });
    const good = order();
    const bad = record(order({ quantity: 0 }));
    const unparkable = record('{"refuse-me": true');
    const failures = await failedIds(handler, event(record(good), bad, unparkable));

    // Only the message the rejects queue refused takes the old path (failure, expedited to the DLQ).
    expect(failures).toEqual([unparkable.messageId]);
    expect(expedited).toEqual([unparkable.messageId]);
    expect(await ledgerRows(stores.db, [good.orderId as string])).toHaveLength(1);
    const entry = sqs.sent[0].input.Entries?.find((e) => e.MessageBody === bad.body);
    expect(sqs.sent[0].input.QueueUrl).toBe(QUEUE);
    expect(entry?.MessageAttributes?.rejectReason.StringValue).toMatch(/^quantity: /);
    expect(entry?.MessageAttributes?.sourceMessageId.StringValue).toBe(bad.messageId);
  });

  it("F2: a rejects queue that does not answer in time leaves every rejection on the DLQ path", async () => {
    const sqs = fakeSqs("hang");
    const { logger, entries } = recordingLogger();
    const park = createRejectParker(sqs, QUEUE, logger, 50);
    const bad = record("{not json");
    const { handler } = processor(stores.db, stores.dynamo.doc, stores.table, { parkRejected: park });
    expect(await failedIds(handler, event(bad))).toEqual([bad.messageId]);
    expect(entries.some((e) => /could not park rejected messages/.test(e.message))).toBe(true);
  });
});
