/**
 * X3: no split brain. Before any promotion the orchestrator moves the writer lease to the target's
 * Region; before a data-losing failover it also waits the lease out, because Aurora fences the old
 * writer only once it can reach it. The witness is a real DynamoDB-compatible store (dynalite).
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { FailoverRequest } from "../../../lambda/failover/events";
import type { WriterLease } from "../../../lambda/failover/lease-transfer";
import { runFailover } from "../../../lambda/failover/orchestrator";
import { LEASE_ATTR, LEASE_KEY, revocationWaitMs } from "../../../lambda/shared/writer-lease";
import { createWitness } from "../../../gameday/witness-table";
import { startDynamo, type TestDynamo } from "../../../tooling/stores/dynamodb";
import { awsError, FakeGlobalCluster, harness, PRIMARY_REGION, settings, type Harness } from "./fakes";

let dynamo: TestDynamo;
let h: Harness;
let n = 0;
beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(() => dynamo?.stop());
afterEach(() => h?.restore());

const request = (mode: FailoverRequest["mode"]): FailoverRequest => ({
  mode,
  dryRun: false,
  trigger: "direct",
  reason: "test",
  requestedBy: "ops",
});

/** The primary's Region is unreachable from here: a data-losing failover is what the run may do. */
function primaryUnreachable(): Harness {
  h = harness(new FakeGlobalCluster(1));
  h.fake.downRegions.add(PRIMARY_REGION);
  return h;
}

async function witness(): Promise<WriterLease> {
  const table = `fence-${++n}`;
  await createWitness(dynamo.client, table, "us-east-1");
  return { settings: { table, region: "us-east-2", leaseMs: 30_000 }, ddb: dynamo.doc };
}

async function holder(lease: WriterLease): Promise<unknown> {
  const out = await dynamo.doc.send(
    new GetCommand({
      TableName: lease.settings.table,
      Key: { [LEASE_KEY.name]: LEASE_KEY.value },
      ConsistentRead: true,
    }),
  );
  return out.Item?.[LEASE_ATTR.holder];
}

/** The order of the run's log lines that matter here. */
const steps = (): string[] =>
  h.logger.lines
    .map((l) => l.message)
    .filter((m) => m.startsWith("writer lease moved") || m.startsWith("calling "));

describe("X3: the orchestrator fences before it promotes", () => {
  it("X3: a failover moves the lease to the target's Region and waits it out before FailoverGlobalCluster", async () => {
    primaryUnreachable();
    const lease = await witness();
    const result = await runFailover(request("failover"), settings(), { ...h.deps, writerLease: lease });
    expect(result).toMatchObject({ ok: true, result: "completed" });
    expect(await holder(lease)).toBe("us-west-2");
    expect(steps()).toEqual([
      "writer lease moved; waiting it out before the promotion",
      "calling FailoverGlobalCluster",
    ]);
    expect(h.clock.sleeps).toContain(revocationWaitMs(30_000));
  });

  it("X3: a switchover moves the lease and does not wait: Aurora demotes the reachable writer itself", async () => {
    h = harness(new FakeGlobalCluster(1));
    const lease = await witness();
    const result = await runFailover(request("switchover"), settings(), { ...h.deps, writerLease: lease });
    expect(result).toMatchObject({ ok: true, result: "completed" });
    expect(await holder(lease)).toBe("us-west-2");
    expect(h.clock.sleeps).not.toContain(revocationWaitMs(30_000));
    expect(h.logger.lines.find((l) => l.message.startsWith("writer lease moved"))?.data).toMatchObject({
      region: "us-west-2",
      epoch: 2,
      waitMs: 0,
    });
  });

  it("X3: a promotion RDS refuses outright hands the lease back to the writer's Region, which books again", async () => {
    primaryUnreachable();
    const lease = await witness();
    h.fake.failNext.failover.push(awsError("InvalidParameterValue", 400, "not a secondary"));
    const result = await runFailover(request("failover"), settings({ maxAttempts: 1 }), {
      ...h.deps,
      writerLease: lease,
    });
    expect(result).toMatchObject({ ok: false, result: "failed" });
    expect(result.message).toContain("The writer lease is back with us-east-1.");
    expect(await holder(lease)).toBe("us-east-1");
  });

  it("X3: a witness that cannot be written stops the run before anything is promoted", async () => {
    primaryUnreachable();
    const lease = await witness();
    const down = { ...lease, ddb: { send: () => Promise.reject(new Error("connect ETIMEDOUT")) } };
    const result = await runFailover(request("failover"), settings(), { ...h.deps, writerLease: down });
    expect(result).toMatchObject({ ok: false, result: "failed" });
    expect(result.message).toContain(
      `Could not move the writer lease to us-west-2 (witness ${lease.settings.table} in us-east-2): Error: connect ETIMEDOUT. Nothing was promoted`,
    );
    expect(h.rdsCommands()).not.toContain("FailoverGlobalClusterCommand");
    expect(await holder(lease)).toBe("us-east-1");
  });
});
