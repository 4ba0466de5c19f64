/**
 * The scenarios' world's gate (gameday/access.ts) on the program as recorded: the decisions the world
 * relies on, batch operations authorized as their single action, and the cache that keeps it fast.
 */
import { ProgramAccess, sqsAction } from "../../gameday/access";
import { programModel } from "../../gameday/day-one/model";
import { ORDER_PROCESSOR_ENV } from "../../lambda/order-processor/env";
import { runProgram } from "../program";

describe("the scenarios' world's gate (dev)", () => {
  let access: ProgramAccess;
  beforeAll(async () => {
    access = new ProgramAccess(programModel((await runProgram()).resources));
  });

  it("D1: SQS batch operations are authorized as their single action, as SQS does", () => {
    expect(
      ["SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch", "ReceiveMessage"].map(
        sqsAction,
      ),
    ).toEqual(["sqs:SendMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:ReceiveMessage"]);
  });

  it("D1: each function reaches only what its role, the queue and key policies and its VPC allow", async () => {
    const processor = access.functionOf("order-processor", "us-east-1");
    const forwarder = access.functionOf("order-forwarder", "us-west-2");
    const queue = (region: string, kind: string) =>
      access.model.queues.find(
        (q) => q.region === region && new RegExp(`-orders-${kind}[0-9a-f]{7}$`).test(q.name),
      )!.arn;
    const kinds = async (checks: Promise<{ kind: string }>[]) =>
      (await Promise.all(checks)).map((v) => v.kind);
    expect(
      await kinds([
        access.check(forwarder, "sqs", "sqs:SendMessage", queue("us-east-1", "")),
        access.check(processor, "sqs", "sqs:SendMessage", queue("us-east-1", "rejects-")),
        // The processor is no writer of the order queue (queue-writers.ts's deny, and no grant).
        access.check(processor, "sqs", "sqs:SendMessage", queue("us-east-1", "")),
        // A VPC function and another Region's service: its VPC's endpoints serve its own Region only.
        access.check(processor, "sqs", "sqs:SendMessage", queue("us-west-2", "rejects-")),
        access.check(processor, "kinesis", "kinesis:PutRecord", "*"),
      ]),
    ).toEqual(["allowed", "allowed", "denied", "unreachable", "unreachable"]);
  });

  it("D1: the processor and reconcile may read back the item a refused conditional put met (state.ts), in their own Region", async () => {
    const table = (region: string) => {
      const name = access.functionOf("order-processor", "us-east-1").env[ORDER_PROCESSOR_ENV.tableName];
      return `arn:aws:dynamodb:${region}:${access.model.account}:table/${name}`;
    };
    const checks = [
      access.check(
        access.functionOf("order-processor", "us-east-1"),
        "dynamodb",
        "dynamodb:GetItem",
        table("us-east-1"),
      ),
      access.check(
        access.functionOf("order-processor", "us-west-2"),
        "dynamodb",
        "dynamodb:GetItem",
        table("us-west-2"),
      ),
      access.check(access.functionOf("reconcile"), "dynamodb", "dynamodb:GetItem", table("us-west-2")),
    ];
    expect((await Promise.all(checks)).map((v) => v.kind)).toEqual(["allowed", "allowed", "allowed"]);
  });

  it("D1: a decision is made once per principal, action, resource and context", () => {
    const fn = access.functionOf("failover");
    const arn = access.model.mappings[0].arn;
    const first = access.decide(fn, "lambda:UpdateEventSourceMapping", arn);
    expect(access.decide(fn, "lambda:UpdateEventSourceMapping", arn)).toBe(first);
    expect(access.decide(fn, "lambda:GetEventSourceMapping", arn)).not.toBe(first);
  });

  it("D1: an action IAM does not know is the world's mistake, not a denial", async () => {
    const fn = access.functionOf("order-processor", "us-east-1");
    await expect(access.check(fn, "sqs", "sqs:SendMessageBatch", access.model.queues[0].arn)).rejects.toThrow(
      /the game day asked IAM: invalid request/,
    );
  });
});
