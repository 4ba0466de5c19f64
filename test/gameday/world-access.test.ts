/**
 * Proof that the scenarios' world enforces IAM and network paths (gameday/access.ts): each deliberate
 * break of the recorded program (a grant removed from a role, a VPC endpoint removed, a key policy that no
 * longer lets a role use the key through SQS) changes what the real functions see, and the outcome is the
 * one AWS would give: orders held or parked, never lost.
 */
import { World } from "../../gameday/world";
import { invokeFailover } from "../../gameday/failover-runner";
import { orderPathWiring } from "../../gameday/wiring";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { runProgram } from "../program";
import { broken } from "./day-one-support";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const PRIMARY = "us-east-1";
const SECONDARY = "us-west-2";

type Statement = {
  Sid?: string;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};
type Doc = { Statement: Statement[] };
const doc = (r: RecordedResource): Doc => JSON.parse(String(r.inputs.policy)) as Doc;
const setDoc = (r: RecordedResource, d: Doc) => void (r.inputs.policy = JSON.stringify(d));

/** The role policy of the program's role whose name contains `role` and holds statement `sid`. */
const policyWith = (role: string, sid: string) => (r: RecordedResource) =>
  r.type === ROLE_POLICY &&
  String(r.inputs.role).includes(role) &&
  doc(r).Statement.some((s) => s.Sid === sid);

/** Edits statement `sid` of the picked policy: returns the statement to keep, or undefined to drop it. */
function editStatement(
  resources: readonly RecordedResource[],
  pick: (r: RecordedResource) => boolean,
  sid: string,
  edit: (s: Statement) => Statement | undefined,
): RecordedResource[] {
  return broken(resources, pick, (r) => {
    const d = doc(r);
    setDoc(r, { ...d, Statement: d.Statement.flatMap((s) => (s.Sid === sid ? (edit(s) ?? []) : [s])) });
  });
}

let seq = 0;
function order(region: string, body?: string): string {
  const id = `d1-${region}-${++seq}`;
  return (
    body ??
    JSON.stringify({
      orderId: id,
      account: "gameday",
      symbol: "ACME",
      side: "BUY",
      quantity: "1",
      orderType: "MARKET",
      clientTimestamp: new Date().toISOString(),
    })
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The orders of this file booked in the writer's ledger (the warm-up's are not counted). */
async function booked(world: World): Promise<number> {
  const rows = await world.aurora
    .writer()
    .server.sql<{ n: string }>("SELECT count(*)::text AS n FROM orders WHERE order_id LIKE 'd1-%'");
  return Number(rows[0].n);
}

/** The failover function run in the standby's Region for a planned switchover, as an operator asks. */
async function switchoverToSecondary(world: World) {
  const out = await invokeFailover(
    world,
    SECONDARY,
    { mode: "switchover", reason: "D1 break", requestedBy: "test" },
    { timeBudgetMs: 8_000 },
  );
  if (!out.invoked) throw new Error(out.reason);
  return out;
}

/** Whether each Region's processor mapping is on: [primary, secondary]. */
const processing = (world: World) => [PRIMARY, SECONDARY].map((r) => world.part(r).mapping.enabled);

/** Waits (bounded) until `done` holds. */
async function until(done: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !(await done())) await sleep(50);
}

describe("the scenarios' world authorizes every call as the program's roles and networks allow (dev)", () => {
  let resources: RecordedResource[];
  beforeAll(async () => {
    resources = (await runProgram()).resources;
  });

  async function withWorld(
    r: readonly RecordedResource[],
    test: (world: World) => Promise<void>,
    options: { warmUp?: boolean } = {},
  ): Promise<void> {
    const world = await World.start({ wiring: orderPathWiring(r), ...options });
    try {
      await test(world);
    } finally {
      await world.stop();
    }
  }

  it("D1: as the program deploys it, the standby's forwarder reaches the writer's queue, a redelivered order is a duplicate and a rejected one is parked (the controls of the breaks below)", async () => {
    await withWorld(resources, async (world) => {
      const p = world.part(PRIMARY);
      for (let i = 0; i < 3; i++) world.sendOrder(SECONDARY, order(SECONDARY));
      // The same order twice: the second put is refused by its condition and the stored item read back
      // (state.ts), which needs dynamodb:GetItem; without it the duplicate is retried until the DLQ.
      const twice = order(PRIMARY);
      world.sendOrder(PRIMARY, twice);
      await until(async () => p.queue.size === 0 && (await booked(world)) >= 1, 5_000);
      world.sendOrder(PRIMARY, twice); // after the first is booked: a redelivery, not a batch-mate
      world.sendOrder(PRIMARY, "not an order"); // rejected: parked in the rejects queue over SQS
      const settled = () =>
        p.rejects.size === 1 && p.queue.size + p.dlq.size + world.part(SECONDARY).queue.size === 0;
      await until(async () => settled() && (await booked(world)) === 4, 8_000);
      expect(await booked(world)).toBe(4);
      expect([world.part(SECONDARY).queue.size, p.rejects.size, p.queue.size, p.dlq.size]).toEqual([
        0, 1, 0, 0,
      ]);
    });
  }, 60_000);

  it("D1 break: the forwarder's sqs:SendMessage to the other Region's queue removed: nothing forwarded, the orders stay in its queue", async () => {
    const r = editStatement(
      resources,
      policyWith("secondary-service-forwarder", "SendToPeerQueue"),
      "SendToPeerQueue",
      () => undefined,
    );
    await withWorld(r, async (world) => {
      for (let i = 0; i < 3; i++) world.sendOrder(SECONDARY, order(SECONDARY));
      await until(() => world.part(SECONDARY).forwarding.invocations >= 2, 8_000);
      const s = world.part(SECONDARY);
      expect(await booked(world)).toBe(0);
      expect(world.part(PRIMARY).queue.size).toBe(0);
      // Held in the forwarder's queue (or its DLQ after the redrive budget): not lost.
      expect(s.queue.size + s.dlq.size).toBe(3);
      expect(s.forwarder.logs.join("\n")).toMatch(/AccessDenied.*sqs:SendMessage/);
    });
  }, 60_000);

  it("D1 break: the orchestrator's lambda:UpdateEventSourceMapping removed: the failover reports the follow-writer step failed", async () => {
    const r = editStatement(
      resources,
      policyWith("failover-fn", "ProcessingFollowsWriter"),
      "ProcessingFollowsWriter",
      (s) => ({
        ...s,
        Action: ["lambda:GetEventSourceMapping"],
      }),
    );
    await withWorld(r, async (world) => {
      const out = await switchoverToSecondary(world);
      const follow = out.result.steps?.find((s) => s.step === "follow-writer");
      // The promotion itself succeeded (ok), the step after it did not, and the run says which.
      expect([out.result.ok, follow?.ok]).toEqual([true, false]);
      expect(follow?.detail).toMatch(/AccessDenied|not authorized/);
      // The writer moved; the processing did not follow it: the old primary's mapping is still on.
      expect(world.aurora.writer().region).toBe(SECONDARY);
      expect(processing(world)).toEqual([true, false]);
    });
  }, 60_000);

  it("D1 break: the orchestrator's rds:SwitchoverGlobalCluster and rds:FailoverGlobalCluster removed: the run fails and the writer stays", async () => {
    const r = editStatement(
      resources,
      policyWith("failover-fn", "PromoteSecondary"),
      "PromoteSecondary",
      () => undefined,
    );
    await withWorld(r, async (world) => {
      const out = await switchoverToSecondary(world);
      expect([out.result.ok, out.result.result]).toEqual([false, "failed"]);
      expect(out.result.message).toMatch(/SwitchoverGlobalCluster failed: .*not authorized/);
      expect(world.aurora.writer().region).toBe(PRIMARY);
      expect(processing(world)).toEqual([true, false]);
    });
  }, 60_000);

  it("D1 break: the orchestrator's sns:Publish removed: its alert is refused and never published", async () => {
    const r = editStatement(resources, policyWith("failover-fn", "Notify"), "Notify", () => undefined);
    await withWorld(r, async (world) => {
      await switchoverToSecondary(world);
      expect(world.regions.map((x) => world.part(x).published.length)).toEqual([0, 0]);
    });
  }, 60_000);

  /** The primary processor's statement `sid` removed: three orders, none booked, all still queued or in its DLQ. */
  async function processorGrantRemoved(sid: string, logged: RegExp): Promise<void> {
    const r = editStatement(resources, policyWith("primary-service-processor", sid), sid, () => undefined);
    await withWorld(
      r,
      async (world) => {
        for (let i = 0; i < 3; i++) world.sendOrder(PRIMARY, order(PRIMARY));
        await until(() => world.batches.get(PRIMARY)!.invocations >= 2, 8_000);
        const p = world.part(PRIMARY);
        expect(world.batches.get(PRIMARY)!.invocations).toBeGreaterThanOrEqual(2);
        expect(await booked(world)).toBe(0);
        expect(p.queue.size + p.dlq.size).toBe(3);
        expect(p.processor.logs.join("\n")).toMatch(logged);
      },
      { warmUp: false },
    );
  }

  it("D1 break: the processor's secretsmanager:GetSecretValue removed: nothing booked, nothing lost", async () => {
    await processorGrantRemoved("ReadDbSecret", /AccessDeniedException/);
  }, 60_000);

  it("D1/X3 break: the processor's lambda:InvokeFunction on its lease reader removed: the lease cannot be confirmed, nothing booked, nothing lost", async () => {
    await processorGrantRemoved(
      "ConfirmWriterLease",
      /LeaseUnconfirmedError[^"]*not authorized to perform: lambda:InvokeFunction/,
    );
  }, 60_000);

  it("D1 break: the SQS endpoint removed from the primary's VPC: the processor's call to park a rejected order hangs, the order stays", async () => {
    const r = broken(
      resources,
      (e) => e.type === ENDPOINT && e.inputs.serviceName === `com.amazonaws.${PRIMARY}.sqs`,
      () => "remove",
    );
    await withWorld(r, async (world) => {
      const p = world.part(PRIMARY);
      world.sendOrder(PRIMARY, "not an order"); // rejected: parked in the rejects queue over SQS
      await until(() => p.mapping.invocations >= 1, 5_000);
      await sleep(1_500);
      // One invocation started and never finished: its SendMessage gets no answer, as without a route.
      expect([p.mapping.invocations, world.batches.get(PRIMARY)!.invocations]).toEqual([1, 0]);
      expect([p.rejects.size, p.queue.size]).toEqual([0, 1]);
    });
  }, 60_000);

  it("D1 break: the key policy no longer lets the processor use the key through SQS: Lambda cannot receive, nothing booked, nothing lost", async () => {
    const r = broken(
      resources,
      (k) =>
        k.type === KEY_POLICY &&
        String(k.inputs.policy).includes(`sqs.${PRIMARY}.amazonaws.com`) &&
        String(k.inputs.policy).includes("OnlyOrderPathUsesItThroughSqs"),
      (k) => {
        const d = doc(k);
        for (const s of d.Statement) {
          const not = s.Condition?.ArnNotEquals;
          if (s.Sid === "OnlyOrderPathUsesItThroughSqs" && not)
            not["aws:PrincipalArn"] = (not["aws:PrincipalArn"] as string[]).filter(
              (a) => !a.includes("primary-service-processor"),
            );
        }
        setDoc(k, d);
      },
    );
    await withWorld(r, async (world) => {
      const p = world.part(PRIMARY);
      for (let i = 0; i < 3; i++) world.sendOrder(PRIMARY, order(PRIMARY));
      await sleep(1_500);
      expect(p.mapping.invocations).toBe(0);
      expect(await booked(world)).toBe(0);
      expect(p.queue.size).toBe(3);
    });
  }, 60_000);
});
