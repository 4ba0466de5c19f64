/**
 * Scenario "day one": the world is built from the program (dev and prod), and 30 simulated minutes of
 * Route 53 checks and canary runs on a healthy deploy raise nothing. An order with valid credentials is
 * queued with the attributes the mapping template sets; one without is refused with API Gateway's status.
 */
import { LedgerStores } from "../../gameday/day-one/ledger-stores";
import { ORDER_PROCESSOR_ENV } from "../../lambda/order-processor/env";
import { DayOneWorld, type DayOneReport } from "../../gameday/day-one/world";
import { PRODUCTION_CONFIG, runProgram } from "../program";
import { CLIENT, order, signedBy } from "./day-one-support";

let stores: LedgerStores;
beforeAll(async () => {
  stores = await LedgerStores.start();
}, 60_000);
afterAll(async () => stores?.stop());

describe.each([
  ["dev", {}],
  ["prod", PRODUCTION_CONFIG],
])("day one (%s)", (stack, config) => {
  let world: DayOneWorld;
  let report: DayOneReport;
  beforeAll(async () => {
    const run = await runProgram(config, stack);
    world = await DayOneWorld.build(run.resources, [CLIENT], { stores });
    report = await world.run(30);
  }, 180_000);
  afterAll(async () => world?.stop());

  it("D2: every Route 53 check of both APIs over 30 minutes answers 200", () => {
    const statuses = new Set(report.health.map((h) => h.status));
    expect([...statuses]).toEqual([200]);
    // Every 30 s for 30 minutes, both regions' checks.
    expect(report.health.length).toBe(2 * 61);
    expect(new Set(report.health.map((h) => h.fqdn)).size).toBe(2);
  });

  it("D2: every canary run passes (primary, secondary and the cross-region probe, every 5 minutes)", () => {
    expect(report.canaryRuns.filter((r) => !r.passed)).toEqual([]);
    expect(report.canaryRuns.map((r) => r.canary).sort()).toEqual(
      ["p", "s", "x"].flatMap((c) => Array(7).fill(`tap-${stack}-${c}-cnry`)).sort(),
    );
  });

  it("D2: no alarm leaves OK, and the health-check and canary alarms are OK", () => {
    expect(report.alarmChanges.filter((c) => c.to === "ALARM")).toEqual([]);
    const watched = world.model.alarms.filter((a) => /HealthCheckStatus|SuccessPercent/.test(a.metricName));
    expect(watched.length).toBe(5);
    expect(watched.map((a) => world.alarmState(a.name))).toEqual(watched.map(() => "OK"));
  });

  it("D2: the failover function is never invoked", () => {
    expect(report.delivered.filter((d) => d.bundle === "failover")).toEqual([]);
    expect(report.delivered.filter((d) => d.message.NewStateValue === "ALARM")).toEqual([]);
    expect(report.failoverRuns).toEqual([]);
  });

  it("D3: every alarm notification the deploy sends passes its topic's and key's policies, and some are sent", () => {
    expect(report.undelivered).toEqual([]);
    const cloudwatch = world.calls.filter((c) => c.caller === "cloudwatch.amazonaws.com");
    expect(new Set(cloudwatch.map((c) => c.action))).toEqual(
      new Set(["sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"]),
    );
    expect(cloudwatch.filter((c) => c.outcome !== "ok")).toEqual([]);
  });

  it("D1: every AWS call the health functions made was allowed by IAM, and each kind was made", () => {
    expect(world.calls.filter((c) => c.outcome !== "ok")).toEqual([]);
    const health = new Set(world.model.functions.filter((f) => f.bundle === "health").map((f) => f.roleArn));
    const byHealth = world.calls.filter((c) => health.has(c.caller));
    expect(new Set(byHealth.map((c) => c.action))).toEqual(
      new Set(["sqs:GetQueueAttributes", "dynamodb:DescribeTable", "lambda:GetEventSourceMapping"]),
    );
  });

  it("D3: an order without credentials is refused with API Gateway's status and nothing is queued", async () => {
    const api = world.model.apis[0];
    const before = world.queued.length;
    const r = await world.request(api.host, {
      method: "POST",
      path: "/v1/orders",
      headers: {},
      body: order("anon-1"),
    });
    expect(r).toEqual(
      stack === "dev"
        ? { status: 403, body: '{"message":"Missing Authentication Token"}' }
        : { status: 401, body: '{"message":"Unauthorized"}' },
    );
    expect(world.queued.length).toBe(before);
  });

  it("D3: an order with valid credentials is accepted (202) and queued with the mapping template's attributes", async () => {
    const api = world.model.apis.find((a) => a.region === "us-east-1")!;
    const headers =
      stack === "dev"
        ? signedBy(CLIENT)
        : { authorization: `Bearer ${await world.token("trader-1", ["ACC-1"])}` };
    const r = await world.request(api.host, {
      method: "POST",
      path: "/v1/orders",
      headers,
      body: order(`ok-${stack}`, "ACC-1", world.now),
    });
    expect(r.status).toBe(202);
    expect(JSON.parse(r.body)).toMatchObject({ status: "accepted" });
    const sent = world.queued.at(-1)!;
    expect(sent.queueArn).toMatch(
      new RegExp(`^arn:aws:sqs:us-east-1:123456789012:tap-${stack}-primary-service-orders-`),
    );
    expect(JSON.parse(sent.body)).toEqual(JSON.parse(order(`ok-${stack}`, "ACC-1", world.now)));
    expect(sent.attributes).toMatchObject(
      stack === "dev"
        ? { principal: CLIENT.arn, entitledAccounts: "(none)" }
        : { principal: "trader-1", entitledAccounts: "ACC-1" },
    );
    expect(Number(sent.attributes.acceptedAt)).toBe(world.now);
  });

  it("D3: the accepted order is consumed by the writer's processor: booked in the ledger and in DynamoDB (prod); in dev, whose IAM callers are entitled to no account, parked as not entitled", async () => {
    const id = `ok-${stack}`;
    expect(world.queued.filter((q) => JSON.parse(q.body).orderId === id).length).toBe(1);
    const report = await world.run(0);

    const primary = world.model.functions.find(
      (f) => f.name === `tap-${stack}-primary-service-processor-fn`,
    )!;
    expect(report.batches.map((b) => [b.functionArn, b.retried, b.error])).toEqual([
      [primary.arn, [], undefined],
    ]);
    const table = primary.env[ORDER_PROCESSOR_ENV.tableName];
    const orders = world.queued.filter((q) => /-orders-[0-9a-f]+$/.test(q.queueArn));
    expect(orders.map((q) => q.body)).toEqual([]);
    if (stack === "prod") {
      expect(await stores.booked(id)).toEqual([{ region: "us-east-1", account: "ACC-1", quantity: "10" }]);
      expect(await stores.state(table, id)).toMatchObject({ orderId: { S: id }, status: { S: "ACCEPTED" } });
      // Every call it made was allowed: its secret (and its key via Secrets Manager), its lease through
      // the reader (whose own GetItem is the reader role's), its order state.
      const reader = world.model.functions.find(
        (f) => f.arn.includes("processor-lease-reader") && f.region === "us-east-1",
      )!;
      const byBooking = world.calls.filter(
        (c) => c.caller === primary.roleArn || c.caller === reader.roleArn,
      );
      expect(byBooking.map((c) => `${c.action} ${c.outcome}`)).toEqual(
        [
          ...["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "kms:Decrypt"], // the poller
          "lambda:InvokeFunction", // the lease gate, before the ledger write
          "dynamodb:GetItem", // the reader, on the witness
          "secretsmanager:GetSecretValue",
          "kms:Decrypt", // the secret's key, via Secrets Manager
          "dynamodb:PutItem",
        ].map((a) => `${a} ok`),
      );
    } else {
      expect(await stores.booked(id)).toEqual([]);
      const parked = world.queued.filter((q) => /-rejects/.test(q.queueArn));
      expect(parked.map((q) => JSON.parse(q.body).orderId ?? q.body)).toEqual([id]);
    }
  });

  it("D3: a body that fails the Order model is refused 400 by the validator, and nothing is queued", async () => {
    const api = world.model.apis[0];
    const headers =
      stack === "dev"
        ? signedBy(CLIENT)
        : { authorization: `Bearer ${await world.token("trader-1", ["ACC-1"])}` };
    const before = world.queued.length;
    const bad = JSON.stringify({ ...JSON.parse(order("bad-1")), quantity: 10 });
    const r = await world.request(api.host, { method: "POST", path: "/v1/orders", headers, body: bad });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ error: "invalid order", message: "Invalid request body" });
    expect(world.queued.length).toBe(before);
  });

  it("D3: the JWT authorizer's answer is cached per token for its TTL, then asked again (prod)", async () => {
    const api = world.model.apis.find((a) => a.region === "us-east-1")!;
    const authorizer = Object.values(api.authorizers)[0];
    if (stack === "dev") {
      expect(authorizer).toBeUndefined();
      return;
    }
    expect(authorizer.ttlSeconds).toBe(300);
    const gateway = world.api(api.host)!;
    const headers = { authorization: `Bearer ${await world.token("trader-2", ["ACC-2"])}` };
    const post = () =>
      world.request(api.host, { method: "POST", path: "/v1/orders", headers, body: order("ttl-1", "ACC-2") });
    const calls = gateway.authorizerCalls;
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(202);
    expect(gateway.authorizerCalls).toBe(calls + 1);
    await world.run(authorizer.ttlSeconds / 60);
    expect((await post()).status).toBe(202);
    expect(gateway.authorizerCalls).toBe(calls + 2);
  }, 120_000);
});
