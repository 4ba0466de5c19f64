import { ChangeMessageVisibilityBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import {
  createVisibilityChanger,
  failedVisibilitySeconds,
  queueUrlFromArn,
} from "../../../lambda/order-processor/expedite";
import type { SQSRecord } from "aws-lambda";

const rejectAll = (changer: ReturnType<typeof createVisibilityChanger>) => (records: SQSRecord[]) =>
  changer(records.map((record) => ({ record, seconds: 0 })));
import { record, recordingLogger } from "./helpers";

const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/orders";

afterAll(() => sqsMock.restore());
beforeEach(() => sqsMock.reset());

describe("rejected messages are sped towards the DLQ", () => {
  it("P5: the queue URL is derived from the record's event source ARN", () => {
    expect(queueUrlFromArn("arn:aws:sqs:us-east-1:123456789012:orders")).toBe(QUEUE_URL);
    expect(queueUrlFromArn("arn:aws-cn:sqs:cn-north-1:123456789012:q.fifo")).toBe(
      "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q.fifo",
    );
    expect(queueUrlFromArn("not-an-arn")).toBeUndefined();
  });

  it("P5: a rejected message is made visible again at once, ten per call", async () => {
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    const records = Array.from({ length: 12 }, () => record("{bad"));
    await rejectAll(createVisibilityChanger(sqs, recordingLogger().logger))(records);
    const calls = sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 2]);
    expect(calls[0]).toMatchObject({ QueueUrl: QUEUE_URL });
    expect(calls[0].Entries?.[0]).toEqual({
      Id: "0",
      ReceiptHandle: records[0].receiptHandle,
      VisibilityTimeout: 0,
    });
  });

  it("P5: expediting is best effort: errors, partial failures and a hung call are logged, never thrown", async () => {
    const { logger, entries } = recordingLogger();
    const rs = [record("{bad"), record("{bad")];
    sqsMock
      .on(ChangeMessageVisibilityBatchCommand)
      .resolvesOnce({ Failed: [{ Id: "1", Code: "ReceiptHandleIsInvalid", SenderFault: true }] })
      .rejectsOnce(Object.assign(new Error("no route"), { name: "TimeoutError" }))
      .callsFake(() => new Promise((resolve) => setTimeout(resolve, 5000).unref()));
    const expedite = rejectAll(createVisibilityChanger(sqs, logger, 200));
    await expedite(rs);
    await expect(expedite(rs)).resolves.toBeUndefined();
    const started = Date.now();
    await expect(expedite(rs)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(entries.filter((e) => e.level === "warn").map((e) => e.extra.messageIds ?? e.extra.codes)).toEqual(
      [[rs[1].messageId], rs.map((r) => r.messageId), rs.map((r) => r.messageId)],
    );
  });

  it("L5: a failed message's visibility grows with its receive count, capped, in the API's 0-43200 s", async () => {
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    const rs = ["1", "2", "4", "30", "garbage"].map((n) => {
      const r = record("{}");
      r.attributes.ApproximateReceiveCount = n;
      return r;
    });
    const changer = createVisibilityChanger(sqs, recordingLogger().logger);
    await changer(rs.map((r) => ({ record: r, seconds: failedVisibilitySeconds(r) })));
    const [call] = sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input);
    expect(call.Entries?.map((e) => e.VisibilityTimeout)).toEqual([30, 60, 240, 900, 30]);
  });
});
