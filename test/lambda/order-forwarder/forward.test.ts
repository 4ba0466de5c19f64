/**
 * F1: the order forwarder against an SQS API spoken over HTTP by the real SDK client (the game day's
 * SQS model, gameday/sqs.ts: SendMessageBatch with per-entry results, a Region that is down drops the
 * connection), with faults injected: the writer's Region down, an entry SQS refuses, an order that has
 * been forwarded too often.
 */
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { RegionalHttp } from "../../../gameday/regional-http";
import { ACCOUNT, Queue, SqsService } from "../../../gameday/sqs";
import {
  ACCEPTED_AT_ATTRIBUTE,
  ENTITLEMENT_ATTRIBUTE,
  PRINCIPAL_ATTRIBUTE,
} from "../../../lambda/order-authorizer/contract";
import {
  FORWARD_HOPS_ATTRIBUTE,
  FORWARDED_FROM_ATTRIBUTE,
  MAX_FORWARD_HOPS,
} from "../../../lambda/order-forwarder/attributes";
import { ORDER_FORWARDER_ENV, parseOrderForwarderEnv } from "../../../lambda/order-forwarder/env";
import {
  forwardBatch,
  type ForwarderDeps,
  type ForwarderMetric,
} from "../../../lambda/order-forwarder/forward";
import { FORWARD_REQUEUES_ATTRIBUTE } from "../../../lambda/order-forwarder/requeue";
import type { Log } from "../../../lambda/shared/log";
import { MAX_RECEIVE_COUNT } from "../../../lambda/shared/order-queue-contract";

const WRITER = "us-west-2";
const sqsClient = (region: string, endpoint: string) =>
  new SQSClient({
    region,
    endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
let writerUp = true;
let queue: Queue;
let http: RegionalHttp;
let client: SQSClient;
const logged: { level: string; message: string }[] = [];
const logger: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => logged.push({ level: "warn", message }),
  error: (message) => logged.push({ level: "error", message }),
};

beforeAll(async () => {
  queue = new Queue("tap-orders-us-west-2", WRITER, 60_000);
  http = await RegionalHttp.start({
    sqs: new SqsService(WRITER, [queue]),
    regionUp: () => writerUp,
    secret: { username: "u", password: "p", host: "h", port: 5432, dbname: "d" },
  });
  client = sqsClient(WRITER, http.endpoint);
});
afterAll(async () => {
  client.destroy();
  await http.stop();
});
beforeEach(() => {
  writerUp = true;
  logged.length = 0;
  for (const m of queue.receive(1_000)) queue.delete(m.receiptHandle);
});

const text = (stringValue: string) => ({
  stringValue,
  dataType: "String",
  stringListValues: [],
  binaryListValues: [],
});

function record(
  id: string,
  attrs: SQSRecord["messageAttributes"] = {},
  sentAt = 1_700_000_000_000,
): SQSRecord {
  return {
    messageId: `m-${id}`,
    receiptHandle: `r-${id}`,
    body: JSON.stringify({ orderId: id, account: "ACC1" }),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(sentAt),
      SenderId: ACCOUNT,
      ApproximateFirstReceiveTimestamp: String(sentAt),
    },
    messageAttributes: attrs,
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:us-east-1:${ACCOUNT}:tap-orders-us-east-1`,
    awsRegion: "us-east-1",
  };
}

const fromApi = (id: string, acceptedAt = "1700000000123") =>
  record(id, {
    [ENTITLEMENT_ATTRIBUTE]: text("ACC1"),
    [PRINCIPAL_ATTRIBUTE]: text("client-a"),
    [ACCEPTED_AT_ATTRIBUTE]: text(acceptedAt),
  });

function deps(counts: Partial<Record<ForwarderMetric, number>> = {}): ForwarderDeps {
  return {
    region: "us-east-1",
    peerQueueUrl: `https://sqs.${WRITER}.amazonaws.com/${ACCOUNT}/tap-orders-us-west-2`,
    sendBatch: (QueueUrl, Entries) => client.send(new SendMessageBatchCommand({ QueueUrl, Entries })),
    logger,
    count: (metric, value) => (counts[metric] = (counts[metric] ?? 0) + value),
  };
}

/** What reached the writer's queue: body and string attributes of each message. */
const delivered = () =>
  queue.receive(1_000).map((m) => ({
    body: JSON.parse(m.body).orderId as string,
    attrs: Object.fromEntries(Object.entries(m.attributes ?? {}).map(([k, v]) => [k, v.StringValue])),
  }));

describe("F1: the standby's forwarder sends orders on to the writer's queue", () => {
  it("F1: each order arrives once, with the API's attributes as they were, where it came from and a hop count", async () => {
    const counts = {};
    const out = await forwardBatch([fromApi("a"), fromApi("b")], deps(counts));
    expect(out).toEqual({ batchItemFailures: [] });
    const attrs = {
      [ENTITLEMENT_ATTRIBUTE]: "ACC1",
      [PRINCIPAL_ATTRIBUTE]: "client-a",
      [ACCEPTED_AT_ATTRIBUTE]: "1700000000123",
      [FORWARDED_FROM_ATTRIBUTE]: "us-east-1",
      [FORWARD_HOPS_ATTRIBUTE]: "1",
    };
    expect(delivered()).toEqual([
      { body: "a", attrs },
      { body: "b", attrs },
    ]);
    expect(counts).toEqual({
      OrdersForwarded: 2,
      OrdersForwardFailed: 0,
      OrdersForwardLooping: 0,
      OrdersForwardRequeued: 0,
    });
  });

  it("F1: an order without acceptedAt keeps its time through the hop: SentTimestamp becomes acceptedAt", async () => {
    await forwardBatch([record("old", {}, 1_699_999_999_000)], deps());
    expect(delivered()[0].attrs[ACCEPTED_AT_ATTRIBUTE]).toBe("1699999999000");
  });

  it("F1: a second hop counts up (an order that waited in a Region whose role swapped)", async () => {
    const hopped = fromApi("h");
    hopped.messageAttributes[FORWARD_HOPS_ATTRIBUTE] = { ...text("1"), dataType: "Number" };
    await forwardBatch([hopped], deps());
    expect(delivered()[0].attrs[FORWARD_HOPS_ATTRIBUTE]).toBe("2");
  });

  it("F1: with the writer's Region down every message is reported failed, stays in its queue, and the error is logged", async () => {
    writerUp = false;
    const counts = {};
    const out = await forwardBatch([fromApi("x"), fromApi("y")], deps(counts));
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: "m-x" }, { itemIdentifier: "m-y" }]);
    expect(counts).toEqual({
      OrdersForwarded: 0,
      OrdersForwardFailed: 2,
      OrdersForwardLooping: 0,
      OrdersForwardRequeued: 0,
    });
    expect(logged.map((l) => l.level + ": " + l.message)).toEqual([
      "error: forward failed: the writer's queue is unreachable; the batch is retried",
    ]);
    writerUp = true;
    expect(delivered()).toEqual([]);
  });

  it("F1: what could not be forwarded comes back after the processor's backoff (30 s doubling per receive), not the queue's 30 minutes", async () => {
    writerUp = false;
    const changes: { id: string; seconds: number }[] = [];
    const second = fromApi("second");
    second.attributes.ApproximateReceiveCount = "2";
    const out = await forwardBatch([fromApi("first"), second], {
      ...deps(),
      changeVisibility: async (cs) => {
        changes.push(...cs.map((c) => ({ id: c.record.messageId, seconds: c.seconds })));
      },
    });
    expect(out.batchItemFailures).toHaveLength(2);
    expect(changes).toEqual([
      { id: "m-first", seconds: 30 },
      { id: "m-second", seconds: 60 },
    ]);
  });

  it("F1: a batch forwarded whole changes no visibility", async () => {
    const changes: unknown[] = [];
    await forwardBatch([fromApi("ok")], {
      ...deps(),
      changeVisibility: async (cs) => void changes.push(...cs),
    });
    expect(changes).toEqual([]);
  });

  it("S4: the forwarder carries exactly the intake's attributes and its own hop markers; anything else is dropped", async () => {
    const smuggled = fromApi("smuggled");
    smuggled.messageAttributes.isAdmin = text("true");
    smuggled.messageAttributes.quantityOverride = { ...text("1000000"), dataType: "Number" };
    smuggled.messageAttributes.blob = {
      dataType: "Binary",
      binaryValue: "AAAA",
      stringListValues: [],
      binaryListValues: [],
    };
    smuggled.messageAttributes[FORWARDED_FROM_ATTRIBUTE] = text("eu-west-1");
    await forwardBatch([smuggled], deps());
    expect(delivered()).toEqual([
      {
        body: "smuggled",
        attrs: {
          [ENTITLEMENT_ATTRIBUTE]: "ACC1",
          [PRINCIPAL_ATTRIBUTE]: "client-a",
          [ACCEPTED_AT_ATTRIBUTE]: "1700000000123",
          [FORWARDED_FROM_ATTRIBUTE]: "us-east-1",
          [FORWARD_HOPS_ATTRIBUTE]: "1",
        },
      },
    ]);
  });

  it("F1: an entry SQS refuses (a body over 256 KiB) fails alone; the rest of the batch is sent", async () => {
    const crowded = fromApi("crowded");
    crowded.body = JSON.stringify({ orderId: "crowded", pad: "x".repeat(256 * 1024) });
    const out = await forwardBatch([fromApi("ok1"), crowded, fromApi("ok2")], deps());
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: "m-crowded" }]);
    expect(delivered().map((d) => d.body)).toEqual(["ok1", "ok2"]);
    expect(logged[0]).toEqual({ level: "warn", message: "forward refused for one order" });
  });

  it(`F1: an order forwarded ${MAX_FORWARD_HOPS} times is not sent again but left for a retry (both Regions look like standbys)`, async () => {
    const looping = fromApi("loop");
    looping.messageAttributes[FORWARD_HOPS_ATTRIBUTE] = {
      ...text(String(MAX_FORWARD_HOPS)),
      dataType: "Number",
    };
    const counts = {};
    const out = await forwardBatch([looping, fromApi("fine")], deps(counts));
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: "m-loop" }]);
    expect(delivered().map((d) => d.body)).toEqual(["fine"]);
    expect(counts).toEqual({
      OrdersForwarded: 1,
      OrdersForwardFailed: 0,
      OrdersForwardLooping: 1,
      OrdersForwardRequeued: 0,
    });
  });

  it("F1: more records than SendMessageBatch takes go in chunks of 10", async () => {
    const sizes: number[] = [];
    const d = deps();
    const out = await forwardBatch(
      Array.from({ length: 23 }, (_, i) => fromApi(`n${i}`)),
      { ...d, sendBatch: (url, entries) => (sizes.push(entries.length), d.sendBatch(url, entries)) },
    );
    expect(out.batchItemFailures).toEqual([]);
    expect(sizes).toEqual([10, 10, 3]);
    expect(delivered()).toHaveLength(23);
  });
});

describe("X1: a partition does not spend the receive budget meant for poison", () => {
  const own = new Queue("tap-orders-us-east-1", "us-east-1", 60_000);
  let ownHttp: RegionalHttp;
  let ownClient: SQSClient;
  beforeAll(async () => {
    ownHttp = await RegionalHttp.start({
      sqs: new SqsService("us-east-1", [own]),
      regionUp: () => true,
      secret: { username: "u", password: "p", host: "h", port: 5432, dbname: "d" },
    });
    ownClient = sqsClient("us-east-1", ownHttp.endpoint);
  });
  afterAll(async () => {
    ownClient.destroy();
    await ownHttp.stop();
  });

  const requeueing = (counts: Partial<Record<ForwarderMetric, number>> = {}): ForwarderDeps => ({
    ...deps(counts),
    requeueBatch: (QueueUrl, Entries) => ownClient.send(new SendMessageBatchCommand({ QueueUrl, Entries })),
  });
  const onReceive = (r: SQSRecord, n: number, requeues?: number): SQSRecord => {
    r.attributes.ApproximateReceiveCount = String(n);
    if (requeues !== undefined)
      r.messageAttributes[FORWARD_REQUEUES_ATTRIBUTE] = { ...text(String(requeues)), dataType: "Number" };
    return r;
  };

  it(`X1: on its last receive (${MAX_RECEIVE_COUNT}) an unforwarded order goes back to its own queue as a new message, delayed by the next backoff step, and is acknowledged: it never reaches the DLQ`, async () => {
    writerUp = false;
    const counts = {};
    const out = await forwardBatch([onReceive(fromApi("last"), MAX_RECEIVE_COUNT)], requeueing(counts));
    expect(out).toEqual({ batchItemFailures: [] });
    expect(counts).toMatchObject({ OrdersForwardFailed: 1, OrdersForwardRequeued: 1 });
    const now = Date.now();
    expect(own.receive(10, now)).toEqual([]); // delayed: 30 s x 2^4 = 480 s
    const [back] = own.receive(10, now + 480_000);
    expect({
      receiveCount: back.receiveCount,
      body: JSON.parse(back.body).orderId,
      attrs: Object.fromEntries(Object.entries(back.attributes ?? {}).map(([k, v]) => [k, v.StringValue])),
    }).toEqual({
      receiveCount: 1,
      body: "last",
      attrs: {
        [ENTITLEMENT_ATTRIBUTE]: "ACC1",
        [PRINCIPAL_ATTRIBUTE]: "client-a",
        [ACCEPTED_AT_ATTRIBUTE]: "1700000000123",
        [FORWARD_REQUEUES_ATTRIBUTE]: "1",
      },
    });
    own.delete(back.receiptHandle);
    writerUp = true;
    expect(delivered()).toEqual([]);
  });

  it("X1: before its last receive an unforwarded order is retried in place; after a re-queue its backoff continues from all its attempts, capped at 900 s", async () => {
    writerUp = false;
    const changes: { id: string; seconds: number }[] = [];
    const out = await forwardBatch([onReceive(fromApi("early"), 2), onReceive(fromApi("again"), 2, 1)], {
      ...requeueing(),
      changeVisibility: async (cs) => {
        changes.push(...cs.map((c) => ({ id: c.record.messageId, seconds: c.seconds })));
      },
    });
    expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["m-early", "m-again"]);
    expect(changes).toEqual([
      { id: "m-early", seconds: 60 },
      { id: "m-again", seconds: 900 },
    ]);
    expect(own.size).toBe(0);
  });

  it("X1: a re-queue SQS refuses leaves the order on the old path (reported failed), nothing lost", async () => {
    writerUp = false;
    const out = await forwardBatch([onReceive(fromApi("stuck"), MAX_RECEIVE_COUNT)], {
      ...deps(),
      requeueBatch: () => Promise.reject(new Error("own queue unreachable")),
    });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: "m-stuck" }]);
    expect(logged.map((l) => l.message)).toContain(
      "could not put unforwarded orders back in their queue; they go to the DLQ",
    );
  });
});

describe("F1: the forwarder's environment", () => {
  const env = (over: Record<string, string | undefined>) => ({
    AWS_REGION: "us-east-1",
    [ORDER_FORWARDER_ENV.peerQueueUrl]: `https://sqs.us-west-2.amazonaws.com/${ACCOUNT}/q`,
    [ORDER_FORWARDER_ENV.peerRegion]: "us-west-2",
    ...over,
  });
  it("F1: parses the peer queue and Region", () => {
    expect(parseOrderForwarderEnv(env({}))).toEqual({
      region: "us-east-1",
      peerQueueUrl: `https://sqs.us-west-2.amazonaws.com/${ACCOUNT}/q`,
      peerRegion: "us-west-2",
    });
  });
  it("F1: a missing or malformed peer queue URL is a clear error", () => {
    expect(() => parseOrderForwarderEnv(env({ [ORDER_FORWARDER_ENV.peerQueueUrl]: undefined }))).toThrow(
      "PEER_QUEUE_URL is not set",
    );
    expect(() => parseOrderForwarderEnv(env({ [ORDER_FORWARDER_ENV.peerQueueUrl]: "tap-orders" }))).toThrow(
      "PEER_QUEUE_URL is not a queue URL: tap-orders",
    );
  });
});
