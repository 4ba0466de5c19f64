/**
 * Issue 21 on day one, deliberately broken: the order processor's bundle books what the API queued
 * (gameday/day-one/world.ts with ledger stores), so a break of its wiring keeps the order from being
 * booked where AWS would, and loses nothing: the order stays queued and is retried after the backoff
 * the processor sets (lambda/order-processor/expedite.ts). Prod stack (its JWT callers are entitled to
 * accounts; dev's IAM callers are not, see day-one.test.ts). One ledger and dynalite for the file.
 */
import { LedgerStores } from "../../gameday/day-one/ledger-stores";
import { programModel } from "../../gameday/day-one/model";
import { ORDER_PROCESSOR_ENV } from "../../lambda/order-processor/env";
import { DayOneWorld, type DayOneReport } from "../../gameday/day-one/world";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { PRODUCTION_CONFIG, runProgram } from "../program";
import { broken, CLIENT, editStatement, named, order, signedBy, withoutEndpoint } from "./day-one-support";

const POLICY = "aws:iam/rolePolicy:RolePolicy";
const PROCESSOR = "tap-prod-primary-service-processor-fn";

let resources: RecordedResource[];
let stores: LedgerStores;
beforeAll(async () => {
  [resources, stores] = await Promise.all([
    runProgram(PRODUCTION_CONFIG, "prod").then((r) => r.resources),
    LedgerStores.start(),
  ]);
}, 120_000);
afterAll(async () => stores?.stop());

/** Builds the world from `changed`, queues order `id` with a valid token, runs `minutes`, stops. */
async function booking(
  changed: RecordedResource[],
  id: string,
  minutes: number,
): Promise<{ report: DayOneReport; queued: string[]; attempts: number[]; runMs: number }> {
  const world = await DayOneWorld.build(changed, [], { stores });
  try {
    const api = world.model.apis.find((a) => a.region === "us-east-1")!;
    const token = await world.token("trader-1", ["ACC-1"]);
    const r = await world.request(api.host, {
      method: "POST",
      path: "/v1/orders",
      headers: { authorization: `Bearer ${token}` },
      body: order(id, "ACC-1", world.now),
    });
    expect(r.status).toBe(202);
    const started = performance.now();
    const report = await world.run(minutes);
    const runMs = performance.now() - started;
    const queued = world.queued.map((q) => JSON.parse(q.body).orderId as string);
    const attempts = report.batches.map((b) => b.retried.length);
    return { report, queued, attempts, runMs };
  } finally {
    await world.stop();
  }
}

describe("day one: the processor's wiring broken (prod)", () => {
  it("D1 break: the processor's ReadDbSecret grant removed: GetSecretValue is denied, nothing is booked, the order stays queued and is retried after the processor's 30 s backoff", async () => {
    const changed = broken(resources, named(POLICY, `${PROCESSOR}-policy`), (r) =>
      editStatement(r, "ReadDbSecret", () => undefined),
    );
    const { report, queued, attempts } = await booking(changed, "no-secret-1", 1);
    // Received at 0 s, hidden 30 s by the processor's ChangeMessageVisibility, received again at 30 s.
    expect(report.batches.map((b) => b.at - report.batches[0].at)).toEqual([0, 30_000]);
    expect(attempts).toEqual([1, 1]);
    expect(report.batches.map((b) => b.error)).toEqual([
      expect.stringMatching(/^FullBatchFailureError/),
      expect.stringMatching(/^FullBatchFailureError/),
    ]);
    expect(queued).toEqual(["no-secret-1"]);
    expect(await stores.booked("no-secret-1")).toEqual([]);
  }, 120_000);

  it("D1 break: the DynamoDB gateway endpoint removed from the primary VPC: the order-state write hangs until the SDK's request timeouts, the batch fails, the order stays queued for a retry; its ledger row is written (idempotent on the retry), its order state is not", async () => {
    const changed = withoutEndpoint(resources, "dynamodb");
    const { report, queued, attempts, runMs } = await booking(changed, "no-ddb-1", 0);
    expect(attempts).toEqual([1]);
    expect(report.batches.map((b) => b.error)).toEqual([expect.stringMatching(/^FullBatchFailureError/)]);
    expect(queued).toEqual(["no-ddb-1"]);
    // At least the processor's 3 s requestTimeout per attempt (lambda/order-processor/index.ts), far
    // less than the function's 300 s timeout (which it took before throwOnRequestTimeout).
    expect(runMs).toBeGreaterThan(3_000);
    expect(runMs).toBeLessThan(60_000);
    expect(await stores.booked("no-ddb-1")).toEqual([
      { region: "us-east-1", account: "ACC-1", quantity: "10" },
    ]);
    const processor = programModel(resources).functions.find((f) => f.name === PROCESSOR)!;
    const table = processor.env[ORDER_PROCESSOR_ENV.tableName];
    expect(table).toMatch(/^tap-prod-/);
    expect(await stores.state(table, "no-ddb-1")).toBeUndefined();
  }, 120_000);
});

describe("day one: a client's retry of the same order (prod)", () => {
  it("D3: the same order sent twice is booked once, and the second message is consumed as a duplicate (the processor reads the stored item after its conditional put fails)", async () => {
    const world = await DayOneWorld.build(resources, [], { stores });
    try {
      const api = world.model.apis.find((a) => a.region === "us-east-1")!;
      const headers = { authorization: `Bearer ${await world.token("trader-1", ["ACC-1"])}` };
      const body = order("twice-1", "ACC-1", world.now);
      for (let i = 0; i < 2; i++) {
        expect(
          (await world.request(api.host, { method: "POST", path: "/v1/orders", headers, body })).status,
        ).toBe(202);
        await world.run(0);
      }
      const processor = world.model.functions.find((f) => f.name === PROCESSOR)!;
      const byProcessor = world.calls.filter(
        (c) => c.caller === processor.roleArn && c.action.startsWith("dynamodb:"),
      );
      expect(byProcessor.map((c) => `${c.action} ${c.outcome}`)).toEqual([
        "dynamodb:PutItem ok",
        "dynamodb:PutItem ok",
        "dynamodb:GetItem ok",
      ]);
      expect(world.queued).toEqual([]);
      expect(await stores.booked("twice-1")).toHaveLength(1);
    } finally {
      await world.stop();
    }
  }, 120_000);
});

describe("day one: a dev stack that entitles its IAM callers", () => {
  it("D3: with tap:iamEntitledAccounts naming ACC-1, the signed order is booked in the ledger and its order state written (the default dev stack entitles no account and parks it)", async () => {
    const dev = (await runProgram({ iamEntitledAccounts: "ACC-1" })).resources;
    const world = await DayOneWorld.build(dev, [CLIENT], { stores });
    try {
      const api = world.model.apis.find((a) => a.region === "us-east-1")!;
      const r = await world.request(api.host, {
        method: "POST",
        path: `/${api.stage}/orders`,
        headers: signedBy(CLIENT),
        body: order("dev-entitled-1", "ACC-1", world.now),
      });
      expect(r.status).toBe(202);
      expect(world.queued.map((q) => q.attributes.entitledAccounts)).toEqual(["ACC-1"]);
      const report = await world.run(0);
      expect(report.batches.map((b) => [b.retried, b.error])).toEqual([[[], undefined]]);
      expect(world.queued).toEqual([]);
      expect(await stores.booked("dev-entitled-1")).toEqual([
        { region: "us-east-1", account: "ACC-1", quantity: "10" },
      ]);
      const processor = world.model.functions.find((f) => f.name === "tap-dev-primary-service-processor-fn")!;
      expect(
        await stores.state(processor.env[ORDER_PROCESSOR_ENV.tableName], "dev-entitled-1"),
      ).toMatchObject({
        status: { S: "ACCEPTED" },
      });
    } finally {
      await world.stop();
    }
  }, 120_000);
});
