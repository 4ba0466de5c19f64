/**
 * The game day's models of AWS behaviour, each checked on its own (no databases): SQS visibility and
 * redrive, the event source mapping's partial batch responses and disabled state, the per-Region control
 * planes, CloudWatch alarm evaluation, and the report's arithmetic.
 */
import { ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { ListMessageMoveTasksCommand, SQSClient, StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";
import { evaluate } from "../../gameday/alarm";
import { parseArgs } from "../../gameday/cli";
import { EventSourceMapping } from "../../gameday/event-source-mapping";
import { answeredBy, regionUnreachable } from "../../gameday/fake-client";
import { percentile } from "../../gameday/report";
import { Queue, SqsService } from "../../gameday/sqs";
import { RegionalHttp } from "../../gameday/regional-http";
import { SqsRouter } from "../../gameday/sqs-router";
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import type { SQSEvent } from "aws-lambda";

const order = (id: string) => JSON.stringify({ orderId: id });

describe("SQS model", () => {
  it("G1: a received message is invisible for the visibility timeout, then comes back with a higher receive count", () => {
    const q = new Queue("q", "us-east-1", 1_000);
    q.send(order("a"), 0);
    expect(q.receive(10, 0).map((m) => m.receiveCount)).toEqual([1]);
    expect(q.receive(10, 999)).toEqual([]);
    expect(q.receive(10, 1_000).map((m) => m.receiveCount)).toEqual([2]);
  });

  it("G1: after maxReceiveCount receives the next receive moves the message to the DLQ", () => {
    const dlq = new Queue("dlq", "us-east-1", 1_000);
    const q = new Queue("q", "us-east-1", 10, { dlq, maxReceiveCount: 2 });
    q.send(order("a"), 0);
    expect(q.receive(1, 0)).toHaveLength(1);
    expect(q.receive(1, 10)).toHaveLength(1);
    expect(q.receive(1, 20)).toEqual([]);
    expect([q.size, dlq.size]).toEqual([0, 1]);
  });

  it("X1: DLQ retention counts from the original enqueue time; a redrive makes a new message with a new one", () => {
    // AWS (standard queues): a move to the DLQ leaves the enqueue timestamp unchanged; a redrive resets it.
    const retention = 1_000;
    const dlq = new Queue("dlq", "us-east-1", 0, undefined, 1, retention);
    const q = new Queue("q", "us-east-1", 0, { dlq, maxReceiveCount: 1 }, 1, 10 * retention);
    q.send(order("a"), 0);
    q.receive(1, 0);
    expect(q.receive(1, 600)).toEqual([]); // over-received: moved to the DLQ at 600
    expect(dlq.receive(1, 999).map((m) => m.body)).toEqual([order("a")]);
    expect(dlq.receive(1, 1_000)).toEqual([]); // 1,000 ms after it was first sent, not after the move
    q.send(order("b"), 0);
    q.receive(1, 0);
    q.receive(1, 600);
    expect(dlq.moveAll(undefined, 900)).toBe(1); // redriven at 900: a new message, enqueued at 900
    q.receive(1, 901);
    q.receive(1, 1_500); // over-received again: in the DLQ with the redrive's enqueue time
    expect(dlq.receive(1, 1_899).map((m) => m.body)).toEqual([order("b")]);
    expect(dlq.receive(1, 1_900)).toEqual([]);
  });

  it("G1: a deleted message is gone; a stale receipt handle deletes nothing", () => {
    const q = new Queue("q", "us-east-1", 10);
    q.send(order("a"), 0);
    const [first] = q.receive(1, 0);
    const [second] = q.receive(1, 10);
    q.delete(first.receiptHandle);
    expect(q.size).toBe(1);
    q.delete(second.receiptHandle);
    expect(q.size).toBe(0);
  });

  it("G1: StartMessageMoveTask moves a DLQ back to its source; one task at a time; refused for a non-DLQ", async () => {
    const dlq = new Queue("dlq", "us-east-1", 1_000);
    const q = new Queue("q", "us-east-1", 0, { dlq, maxReceiveCount: 1 });
    const sqs = new SqsService("us-east-1", [q, dlq]);
    q.send(order("a"), 0);
    q.receive(1, 0);
    q.receive(1, 1);
    expect(dlq.size).toBe(1);
    const client = answeredBy(new SQSClient({ region: "us-east-1" }), (c, i) => sqs.handle(c, i));
    await client.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    await expect(client.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }))).rejects.toMatchObject({
      name: "UnsupportedOperation",
    });
    await new Promise((r) => setImmediate(r));
    const tasks = await client.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }));
    expect(tasks.Results?.map((t) => [t.Status, t.ApproximateNumberOfMessagesMoved])).toEqual([
      ["COMPLETED", 1],
    ]);
    expect([q.size, dlq.size]).toEqual([1, 0]);
    expect(q.receive(1)[0].receiveCount).toBe(1);
    await expect(client.send(new StartMessageMoveTaskCommand({ SourceArn: q.arn }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
  });
});

describe("event source mapping model", () => {
  function mapping(
    invoke: (
      e: SQSEvent,
    ) => Promise<{ result: { batchItemFailures: { itemIdentifier: string }[] } } | { error: string }>,
  ) {
    const q = new Queue("q", "us-east-1", 60_000);
    const m = new EventSourceMapping({
      region: "us-east-1",
      queue: q,
      invoke,
      regionUp: () => true,
      pollIntervalMs: 10,
      enabled: true,
      wiring: { mappingUuid: "m-1", batchSize: 10, reportsBatchItemFailures: true },
    });
    return { q, m };
  }

  it("G1: partial batch failures leave only the failed messages in the queue", async () => {
    const { q, m } = mapping(async (e) => ({
      result: { batchItemFailures: [{ itemIdentifier: e.Records[1].messageId }] },
    }));
    for (const id of ["a", "b", "c"]) q.send(order(id));
    await m.pollOnce();
    expect(q.bodies()).toEqual([order("b")]);
  });

  it("G1: a function error leaves the whole batch in the queue", async () => {
    const { q, m } = mapping(async () => ({ error: "FullBatchFailureError: all failed" }));
    for (const id of ["a", "b"]) q.send(order(id));
    await m.pollOnce();
    expect(q.size).toBe(2);
  });

  it("G1: UpdateEventSourceMapping Enabled=false through the Region's Lambda API stops polling once Disabled; messages are held", async () => {
    let invocations = 0;
    const { q, m } = mapping(async () => {
      invocations++;
      return { result: { batchItemFailures: [] } };
    });
    const lambda = answeredBy(new LambdaClient({ region: "us-east-1" }), (c, i) => m.handle(c, i));
    const [esm] =
      (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "order-processor" })))
        .EventSourceMappings ?? [];
    const updated = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: esm.UUID, Enabled: false }),
    );
    expect(updated.State).toBe("Disabling");
    await new Promise((r) => setTimeout(r, 80)); // the default 50 ms transition
    expect(m.currentState).toBe("Disabled");
    q.send(order("a"));
    m.start();
    await new Promise((r) => setTimeout(r, 100));
    await m.stop();
    expect([invocations, q.size]).toEqual([0, 1]);
  });
});

describe("per-Region control planes", () => {
  it("G1: a call through a Region that is down fails as a refused connection (retryable)", async () => {
    const sqs = answeredBy(new SQSClient({ region: "us-east-1" }), async () => {
      throw regionUnreachable("us-east-1", "sqs");
    });
    await expect(sqs.send(new ListMessageMoveTasksCommand({ SourceArn: "x" }))).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });
});

describe("CloudWatch alarm evaluation", () => {
  it("G1: an alarm of 1 period with missing data breaching fires on a single missing datapoint", () => {
    const s = { evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "breaching" as const };
    expect(evaluate([1, undefined, 1], s)).toEqual(["OK", "ALARM", "OK"]);
  });

  it("G1: 3 of 5 periods with missing data not breaching ignores a missing point and a single bad minute", () => {
    const s = { evaluationPeriods: 5, datapointsToAlarm: 3, treatMissingData: "notBreaching" as const };
    expect(evaluate([1, undefined, 1, 0, 1, undefined], s)).toEqual(["OK"]);
    expect(evaluate([1, 0, 0, 0], s)).toEqual(["OK", "ALARM"]);
  });
});

describe("report arithmetic and CLI arguments", () => {
  it("G1: nearest-rank percentiles", () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([percentile(xs, 50), percentile(xs, 95), percentile([], 50)]).toEqual([5, 10, undefined]);
  });

  it("G1: --runs, --json and --scenario are parsed; bad input is refused with every problem at once", () => {
    expect(parseArgs(["--runs", "20", "--json", "--scenario", "1-switchover"])).toMatchObject({
      runs: 20,
      json: true,
      scenarios: ["1-switchover"],
    });
    expect(() => parseArgs(["--runs", "0", "--scenario", "nope", "--x"])).toThrow(
      /--runs: expected an integer from 1 to 100, got "0"; --scenario: "nope" is not one of .*; --x: unknown argument/,
    );
  });
});

describe("SQS across Regions (the forwarder's view)", () => {
  it("G1: each call reaches the Region its QueueUrl names; a Region that is down drops the connection", async () => {
    const east = new Queue("q-east", "us-east-1", 1_000);
    const west = new Queue("q-west", "us-west-2", 1_000);
    const down = new Set<string>();
    const router = new SqsRouter(
      new Map([
        ["us-east-1", new SqsService("us-east-1", [east])],
        ["us-west-2", new SqsService("us-west-2", [west])],
      ]),
    );
    const http = await RegionalHttp.start({
      sqs: router,
      regionUp: (input) => router.answers(input, (r) => !down.has(r)),
      secret: { username: "u", password: "p", host: "h", port: 5432, dbname: "d" },
    });
    const client = new SQSClient({
      region: "us-west-2",
      endpoint: http.endpoint,
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
      maxAttempts: 1,
    });
    const send = (region: string, name: string) =>
      client.send(
        new SendMessageBatchCommand({
          QueueUrl: `https://sqs.${region}.amazonaws.com/123456789012/${name}`,
          Entries: [{ Id: "0", MessageBody: order("a") }],
        }),
      );
    try {
      await send("us-east-1", "q-east");
      await send("us-west-2", "q-west");
      expect([east.size, west.size]).toEqual([1, 1]);
      down.add("us-east-1");
      await expect(send("us-east-1", "q-east")).rejects.toThrow();
      await send("us-west-2", "q-west");
      expect([east.size, west.size]).toEqual([1, 2]);
    } finally {
      client.destroy();
      await http.stop();
    }
  });
});
