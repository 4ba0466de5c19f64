/**
 * X3 on day one (D1-style): the writer lease as the program deploys it. A healthy day one lets the
 * writer's Region book and refuses the standby; each deliberate break of the wiring the lease depends on
 * stops the writer's Region from booking, as AWS would (gameday/day-one/writer-lease.ts).
 */
import { DayOneLease } from "../../gameday/day-one/writer-lease";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { runProgram } from "../program";
import { broken, editStatement, named, withoutEndpoint } from "./day-one-support";

const POLICY = "aws:iam/rolePolicy:RolePolicy";
const READER_POLICY = "tap-dev-primary-service-processor-lease-reader-fn-policy";
const PROCESSOR_POLICY = "tap-dev-primary-service-processor-fn-policy";

let resources: RecordedResource[];
beforeAll(async () => {
  resources = (await runProgram()).resources;
}, 120_000);

async function withLease<T>(
  changed: readonly RecordedResource[],
  then: (l: DayOneLease) => Promise<T>,
): Promise<T> {
  const lease = await DayOneLease.build(changed);
  try {
    return await then(lease);
  } finally {
    await lease.stop();
  }
}
const outcome = (gate: () => Promise<void>) =>
  gate().then(
    () => "books",
    (e: Error) => `${e.name}: ${e.message}`,
  );

describe("X3: the writer lease on day one", () => {
  it("X3: healthy: the writer's Region (first holder) books through its reader, the standby is refused; every call allowed", async () => {
    await withLease(resources, async (l) => {
      expect(await outcome(l.gate("us-east-1"))).toBe("books");
      expect(await outcome(l.gate("us-west-2"))).toBe(
        "NotLeaseHolderError: the writer lease is held by us-east-1, not us-west-2: not booking",
      );
      expect(l.calls.map((c) => [c.action, c.outcome])).toEqual([
        ["lambda:InvokeFunction", "ok"],
        ["dynamodb:GetItem", "ok"],
        ["lambda:InvokeFunction", "ok"],
        ["dynamodb:GetItem", "ok"],
      ]);
    });
  });

  it("X3: the reader's GetItem grant removed: the invoke fails (FunctionError) and the writer's Region refuses to book", async () => {
    const changed = broken(resources, named(POLICY, READER_POLICY), (r) =>
      editStatement(r, "ReadWriterLease", () => undefined),
    );
    await withLease(changed, async (l) => {
      expect(await outcome(l.gate("us-east-1"))).toMatch(
        /^LeaseUnconfirmedError: the writer lease could not be confirmed for us-east-1 \(lease reader \S+ failed \(Unhandled\): .*not authorized to perform: dynamodb:GetItem/,
      );
      expect(l.calls.map((c) => [c.action, c.outcome])).toEqual([
        ["lambda:InvokeFunction", "ok"],
        ["dynamodb:GetItem", "denied"],
      ]);
    });
  });

  it("X3: the processor's invoke grant removed: the writer's Region refuses to book", async () => {
    const changed = broken(resources, named(POLICY, PROCESSOR_POLICY), (r) =>
      editStatement(r, "ConfirmWriterLease", () => undefined),
    );
    await withLease(changed, async (l) => {
      expect(await outcome(l.gate("us-east-1"))).toMatch(
        /^LeaseUnconfirmedError: the writer lease could not be confirmed for us-east-1 \(.*not authorized to perform: lambda:InvokeFunction/,
      );
    });
  });

  it("X3: the Lambda endpoint removed from the primary VPC: the processor cannot reach its reader and refuses to book", async () => {
    const changed = withoutEndpoint(resources, "lambda");
    await withLease(changed, async (l) => {
      expect(await outcome(l.gate("us-east-1"))).toBe(
        "LeaseUnconfirmedError: the writer lease could not be confirmed for us-east-1 (connect ETIMEDOUT: no route to Lambda from the VPC): not booking",
      );
    });
  });

  it("X3: the reader put in the processor's VPC (as the processor is): it cannot reach the witness Region and the writer's Region refuses to book", async () => {
    const FN = "aws:lambda/function:Function";
    const processorVpc = resources.find(
      (r) => r.type === FN && r.name === "tap-dev-primary-service-processor-fn",
    )!.inputs.vpcConfig;
    const changed = broken(resources, named(FN, "tap-dev-primary-service-processor-lease-reader-fn"), (r) => {
      r.inputs.vpcConfig = processorVpc;
    });
    await withLease(changed, async (l) => {
      expect(await outcome(l.gate("us-east-1"))).toMatch(
        /^LeaseUnconfirmedError: .*failed \(Unhandled\): .*no route to DynamoDB in us-east-2/,
      );
    });
  });
});
