/**
 * The day-one world's event source mappings: Lambda's poller reads a queue that holds a message with the
 * function's execution role (gameday/day-one/mapping-poll.ts), through the role's, the queue's and the
 * key's policies, and not through the function's VPC. The function itself is not run here (the order
 * processor runs in the scenarios' world): a refused poll leaves the order queued, nothing lost.
 */
import { DayOneWorld, type DayOneReport } from "../../gameday/day-one/world";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { runProgram } from "../program";
import { broken, CLIENT, editStatement, named, order, signedBy, withoutEndpoint } from "./day-one-support";

const POLICY = "aws:iam/rolePolicy:RolePolicy";
const PROCESSOR_POLICY = "tap-dev-primary-service-processor-fn-policy";
const primaryKeyPolicy = (r: RecordedResource) =>
  r.type === "aws:kms/keyPolicy:KeyPolicy" && r.region === "us-east-1";

/** Builds the world, places one signed order on the primary API, lets the pollers look once. */
async function withOrder(changed: RecordedResource[]): Promise<{ report: DayOneReport; world: DayOneWorld }> {
  const world = await DayOneWorld.build(changed, [CLIENT]);
  try {
    const api = world.model.apis.find((a) => a.region === "us-east-1")!;
    const r = await world.request(api.host, {
      method: "POST",
      path: `/${api.stage}/orders`,
      headers: signedBy(CLIENT),
      body: order("poll-1"),
    });
    expect(r.status).toBe(202);
    return { report: await world.run(0), world };
  } finally {
    await world.stop();
  }
}

describe("day one: Lambda polls the queue the order was sent to (dev)", () => {
  let resources: RecordedResource[];
  beforeAll(async () => {
    resources = (await runProgram()).resources;
  });

  it("D1: the primary processor's mapping (the only enabled one on that queue) may poll its encrypted queue", async () => {
    const { report, world } = await withOrder(resources);
    const processor = world.model.functions.find((f) => f.name === "tap-dev-primary-service-processor-fn")!;
    expect(report.polls).toEqual([
      {
        mappingUuid: expect.any(String),
        queueArn: expect.stringMatching(/^arn:aws:sqs:us-east-1:\d{12}:tap-dev-primary-service-orders-/),
        functionArn: processor.arn,
      },
    ]);
    const byProcessor = world.calls.filter((c) => c.caller === processor.roleArn);
    expect(byProcessor.map((c) => [c.action, c.outcome])).toEqual([
      ["sqs:ReceiveMessage", "ok"],
      ["sqs:DeleteMessage", "ok"],
      ["sqs:GetQueueAttributes", "ok"],
      ["kms:Decrypt", "ok"],
    ]);
  }, 60_000);

  it("D1 break: the processor's role left out of the key's SQS users: the poll is refused by KMS and the order stays queued", async () => {
    const changed = broken(resources, primaryKeyPolicy, (r) =>
      editStatement(r, "OnlyOrderPathUsesItThroughSqs", (s) => {
        const c = s.Condition as { ArnNotEquals: { "aws:PrincipalArn": string[] } };
        const kept = c.ArnNotEquals["aws:PrincipalArn"].filter(
          (a) => !/primary-service-processor-fn-role/.test(a),
        );
        return { ...s, Condition: { ...c, ArnNotEquals: { "aws:PrincipalArn": kept } } };
      }),
    );
    const { report, world } = await withOrder(changed);
    expect(report.polls.map((p) => p.refused?.split(":")[0])).toEqual(["KMS.AccessDeniedException"]);
    expect(report.polls[0].refused).toMatch(/kms:Decrypt.*ExplicitlyDenied/);
    expect(world.queued.map((q) => JSON.parse(q.body).orderId)).toEqual(["poll-1"]);
  }, 60_000);

  it("D1 break: the processor role's ConsumeQueue statement removed: the poll is refused (ReceiveMessage)", async () => {
    const changed = broken(resources, named(POLICY, PROCESSOR_POLICY), (r) =>
      editStatement(r, "ConsumeQueue", () => undefined),
    );
    const { report } = await withOrder(changed);
    expect(report.polls.map((p) => p.refused)).toEqual([
      expect.stringMatching(/^AccessDenied: .*sqs:ReceiveMessage/),
    ]);
  }, 60_000);

  it("D1: the SQS interface endpoint removed from the primary VPC does not stop the poller (it is Lambda's, not the function's network)", async () => {
    const changed = withoutEndpoint(resources, "sqs");
    const { report } = await withOrder(changed);
    expect(report.polls.map((p) => p.refused)).toEqual([undefined]);
  }, 60_000);
});
