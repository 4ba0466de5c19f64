/**
 * Issue 22, Deliver 7: the game day's fakes are no kinder than AWS where it could hide a loss. Each model
 * checked on its own: a promotion that takes time, mapping updates that take effect later (a Disabling
 * mapping may still deliver a batch), DynamoDB replication whose delay varies per item, and clients that
 * follow a new DNS answer one by one.
 */
import { PutItemCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { AuroraGlobal } from "../../gameday/aurora";
import { CREDENTIALS, GlobalTable, TABLE_NAME } from "../../gameday/dynamo-global";
import { EventSourceMapping } from "../../gameday/event-source-mapping";
import { CLIENTS, OrderStream } from "../../gameday/order-stream";
import { CI_TIMING } from "../../gameday/play";
import { PgTemplate, scratchDir } from "../../gameday/postgres-server";
import { realismFor } from "../../gameday/realism";
import { Queue } from "../../gameday/sqs";
import type { World } from "../../gameday/world";
import { rmSync } from "node:fs";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const order = (id: string) => JSON.stringify({ orderId: id });

describe("the realistic shares of a scenario", () => {
  it("X6: a promotion takes a tenth of the post-fault window, a mapping update a twentieth, clients move over a fifth", () => {
    expect(realismFor(CI_TIMING)).toEqual({ promotionMs: 150, mappingTransitionMs: 75, clientMoveMs: 300 });
  });
});

describe("Aurora promotion time", () => {
  let aurora: AuroraGlobal | undefined;
  let root = "";
  afterAll(async () => {
    await aurora?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("X6/G1: FailoverGlobalCluster stays failing-over for promotionMs, the old writer still named writer; then the target takes writes and the old writer none", async () => {
    root = scratchDir("tap-realism-");
    aurora = await AuroraGlobal.start({
      regions: ["us-east-1", "us-west-2"],
      template: await PgTemplate.cached(),
      root,
      regionUp: () => true,
      crossRegionPath: false,
      promotionMs: 600,
    });
    const target = aurora.member("us-west-2");
    const calledAt = Date.now();
    await aurora.handle("us-west-2", "FailoverGlobalCluster", {
      TargetDbClusterIdentifier: target.arn,
      AllowDataLoss: true,
    });
    await sleep(300);
    expect({ status: aurora.status, writer: aurora.writer().region }).toEqual({
      status: "failing-over",
      writer: "us-east-1",
    });
    const until = Date.now() + 10_000;
    while (aurora.status !== "available" && Date.now() < until) await sleep(20);
    expect(aurora.writer().region).toBe("us-west-2");
    expect(aurora.promotedAt[0].at - calledAt).toBeGreaterThanOrEqual(600);
    // The fence probe tells them apart (it once failed on the ledger's schema and read as "fenced").
    expect({
      newWriter: await aurora.acceptsWrites(target),
      oldWriter: await aurora.acceptsWrites(aurora.member("us-east-1")),
    }).toEqual({ newWriter: true, oldWriter: false });
  }, 30_000);
});

describe("event source mapping updates take effect later", () => {
  function mapping(transitionMs: number, enabled: boolean) {
    const q = new Queue("q", "us-east-1", 60_000);
    let invocations = 0;
    const m = new EventSourceMapping({
      region: "us-east-1",
      queue: q,
      invoke: async () => {
        invocations++;
        return { result: { batchItemFailures: [] } };
      },
      regionUp: () => true,
      pollIntervalMs: 5,
      enabled,
      transitionMs,
    });
    return { q, m, invocations: () => invocations };
  }

  it("X1/X3: a Disabling mapping may still deliver a batch (an in-flight batch arrives after the update was answered)", async () => {
    const { q, m, invocations } = mapping(300, true);
    m.start();
    m.setEnabled(false);
    expect(m.currentState).toBe("Disabling");
    q.send(order("late"));
    await sleep(100);
    expect({ state: m.currentState, invocations: invocations(), left: q.size }).toEqual({
      state: "Disabling",
      invocations: 1,
      left: 0,
    });
    await sleep(300);
    q.send(order("held"));
    await sleep(50);
    await m.stop();
    expect({ state: m.currentState, invocations: invocations(), left: q.size }).toEqual({
      state: "Disabled",
      invocations: 1,
      left: 1,
    });
  });

  it("X1: an Enabling mapping does not poll until it is Enabled", async () => {
    const { q, m, invocations } = mapping(200, false);
    q.send(order("a"));
    m.start();
    m.setEnabled(true);
    await sleep(100);
    expect({ state: m.currentState, invocations: invocations() }).toEqual({
      state: "Enabling",
      invocations: 0,
    });
    await sleep(200);
    await m.stop();
    expect({ state: m.currentState, invocations: invocations(), left: q.size }).toEqual({
      state: "Enabled",
      invocations: 1,
      left: 0,
    });
  });
});

describe("DynamoDB global table replication delay varies per item", () => {
  let table: GlobalTable | undefined;
  afterAll(async () => table?.stop());

  it("X5: items replicate after delays drawn from the range, so a later write can arrive first", async () => {
    // The first item draws the longest delay, the second the shortest.
    const draws = [1, 0];
    table = await GlobalTable.start(
      ["us-east-1", "us-west-2"],
      { min: 50, max: 600 },
      () => true,
      () => (draws.length ? draws.shift()! : 0),
    );
    const client = (region: string) =>
      new DynamoDBClient({
        region,
        endpoint: table!.endpoint(region),
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
    const east = client("us-east-1");
    const west = client("us-west-2");
    const item = (id: string) => ({ orderId: { S: id }, status: { S: "BOOKED" } });
    await east.send(new PutItemCommand({ TableName: TABLE_NAME, Item: item("first") }));
    await east.send(new PutItemCommand({ TableName: TABLE_NAME, Item: item("second") }));
    const has = async (id: string) =>
      (await west.send(new GetItemCommand({ TableName: TABLE_NAME, Key: { orderId: { S: id } } }))).Item !==
      undefined;
    await sleep(300);
    expect({ first: await has("first"), second: await has("second") }).toEqual({
      first: false,
      second: true,
    });
    await table.settle(2_000);
    expect(await has("first")).toBe(true);
    east.destroy();
    west.destroy();
  });

  it("X5: a range with max below min is refused with a clear error", async () => {
    await expect(GlobalTable.start(["us-east-1"], { min: 500, max: 100 }, () => true)).rejects.toThrow(
      "replication delay range 500..100 ms: need 0 <= min <= max",
    );
  });
});

describe("clients move Region over time", () => {
  it("G1/X2: after Route 53's answer changes, clients follow one by one over the spread, not at once", () => {
    let answer = "us-east-1";
    const world = { regions: ["us-east-1", "us-west-2"] } as unknown as World;
    const stream = new OrderStream(world, () => answer, 900);
    const regions = (now: number) => Array.from({ length: CLIENTS }, (_, k) => stream.regionOf(k, now));
    expect(new Set(regions(0))).toEqual(new Set(["us-east-1"]));
    answer = "us-west-2";
    const moved = (now: number) => regions(now).filter((r) => r === "us-west-2").length;
    expect([moved(1_000), moved(1_450), moved(1_900)]).toEqual([1, 5, CLIENTS]);
  });
});
