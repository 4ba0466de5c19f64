/**
 * The day-one world runs the real failover handler when an alarm reaches it (gameday/day-one/failover.ts),
 * with the program's environment and its calls authorized by the program's policies; and CloudWatch's
 * alarm notifications pass the topic's and the key's policies before SNS delivers them
 * (gameday/day-one/publish.ts). Each break is made on the recorded resources.
 */
import type { DayOneWorld } from "../../gameday/day-one/world";
import { FAILOVER_ENV as K } from "../../lambda/failover/env-keys";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { runProgram } from "../program";
import { broken, dayOne, editStatement, named } from "./day-one-support";

const POLICY = "aws:iam/rolePolicy:RolePolicy";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const HEALTH_POLICY = "tap-dev-primary-service-api-health-policy";
const FAILOVER_POLICY = "tap-dev-failover-fn-policy";
const primaryKeyPolicy = (r: RecordedResource) => r.type === KEY_POLICY && r.region === "us-east-1";
const HEALTH_ALARM = /^tap-dev-primary-service-health-alarm-/;

/** The health role loses GetEventSourceMapping: /health answers 503 and the primary health alarm fires. */
const unhealthy = (resources: RecordedResource[]) =>
  broken(resources, named(POLICY, HEALTH_POLICY), (r) => editStatement(r, "ReadRole", () => undefined));

const failoverCalls = (world: DayOneWorld) =>
  world.calls.filter((c) => /role\/tap-dev-failover-fn-role-/.test(c.caller));

describe("day one: the failover function runs on the primary health alarm (dev)", () => {
  let resources: RecordedResource[];
  beforeAll(async () => {
    resources = (await runProgram()).resources;
  });

  it("D3: with alarmFailoverAction=notify (the default) the alarm still invokes it (the trigger subscription does not depend on the action); it refuses, the writer answering healthy, and reports to its topic", async () => {
    const { report, world } = await dayOne(unhealthy(resources));
    expect(report.failoverRuns.map((r) => r.alarm)).toEqual([expect.stringMatching(HEALTH_ALARM)]);
    const run = report.failoverRuns[0];
    expect("result" in run && [run.result.result, run.result.trigger, run.result.dryRun]).toEqual([
      "refused",
      "alarm",
      true,
    ]);
    expect("result" in run && run.result.message).toMatch(
      /the current writer answers healthy through its own Region/,
    );
    // Every call it made was allowed, and it read the cluster state through both Regions.
    expect(failoverCalls(world).filter((c) => c.outcome !== "ok")).toEqual([]);
    expect(new Set(failoverCalls(world).map((c) => c.action))).toEqual(
      new Set([
        "rds:DescribeGlobalClusters",
        "rds:DescribeDBClusters",
        "sns:Publish",
        "kms:GenerateDataKey",
        "kms:Decrypt",
      ]),
    );
    expect(world.failoverPublished.map((p) => p.topicArn)).toEqual([
      expect.stringMatching(/^arn:aws:sns:us-west-2:\d{12}:tap-dev-secondary-alerts-topic-/),
    ]);
    expect(world.failoverPublished[0].subject).toMatch(/^\[DR\] REFUSED/);
  }, 120_000);

  it("D3: with alarmFailoverAction=failover it runs for real (no dry run) and refuses for the same reason", async () => {
    const run = await runProgram({ alarmFailoverAction: "failover" });
    const fn = run.resources.find(
      (r) => r.type === "aws:lambda/function:Function" && r.name === "tap-dev-failover-fn",
    )!;
    expect((fn.inputs.environment as { variables: Record<string, string> }).variables[K.alarmAction]).toBe(
      "failover",
    );
    const { report } = await dayOne(unhealthy(run.resources));
    const out = report.failoverRuns[0];
    expect("result" in out && [out.result.result, out.result.dryRun]).toEqual(["refused", false]);
    expect("result" in out && out.result.message).toMatch(/the current writer answers healthy/);
  }, 120_000);

  it("D3 break: the failover role's ReadGlobalCluster removed: AccessDenied in its result, nothing promoted", async () => {
    const changed = broken(unhealthy(resources), named(POLICY, FAILOVER_POLICY), (r) =>
      editStatement(r, "ReadGlobalCluster", () => undefined),
    );
    const { report, world } = await dayOne(changed);
    const out = report.failoverRuns[0];
    expect("result" in out && out.result.result).toBe("failed");
    expect("result" in out && out.result.message).toMatch(
      /AccessDenied: User: arn:aws:iam::\d+:role\/tap-dev-failover-fn-role-\w+ is not authorized to perform: rds:DescribeGlobalClusters/,
    );
    expect(
      failoverCalls(world)
        .filter((c) => c.outcome === "denied")
        .map((c) => c.action),
    ).toEqual(["rds:DescribeGlobalClusters"]);
  }, 120_000);
});

describe("day one: alarm notifications pass the topic's and the key's policies (dev)", () => {
  let resources: RecordedResource[];
  beforeAll(async () => {
    resources = (await runProgram()).resources;
  });

  it("D3 break: the primary topic's policy without CloudWatchAlarmsPublish: the alarm fires, its notification is refused, the failover function never runs", async () => {
    const changed = broken(unhealthy(resources), named(TOPIC_POLICY, "tap-dev-primary-alerts-policy"), (r) =>
      editStatement(r, "CloudWatchAlarmsPublish", () => undefined),
    );
    const { report } = await dayOne(changed);
    expect(report.alarmChanges.filter((c) => c.to === "ALARM").map((c) => c.alarm)).toContainEqual(
      expect.stringMatching(HEALTH_ALARM),
    );
    const refused = report.undelivered.filter((u) => HEALTH_ALARM.test(u.alarm) && u.state === "ALARM");
    expect(refused.map((u) => u.reason.split(":")[0])).toEqual(["AuthorizationError"]);
    expect(refused[0].reason).toMatch(/cloudwatch\.amazonaws\.com is not authorized to perform: sns:Publish/);
    expect(report.delivered.filter((d) => d.bundle === "failover")).toEqual([]);
    expect(report.failoverRuns).toEqual([]);
  }, 120_000);

  it("D3 break: the primary key's policy without CloudWatchAlarmsToEncryptedTopics: the encrypted topic refuses the notification (KMS), nothing delivered", async () => {
    const changed = broken(unhealthy(resources), primaryKeyPolicy, (r) =>
      editStatement(r, "CloudWatchAlarmsToEncryptedTopics", () => undefined),
    );
    const { report } = await dayOne(changed);
    const refused = report.undelivered.filter((u) => HEALTH_ALARM.test(u.alarm) && u.state === "ALARM");
    expect(refused.map((u) => u.reason.split(":")[0])).toEqual(["KMSAccessDenied"]);
    expect(refused[0].reason).toMatch(/kms:GenerateDataKey/);
    expect(report.failoverRuns).toEqual([]);
  }, 120_000);

  it("D3 break: the condition narrowed to another account's alarms (aws:SourceArn) refuses the notification too", async () => {
    const changed = broken(unhealthy(resources), primaryKeyPolicy, (r) =>
      editStatement(r, "CloudWatchAlarmsToEncryptedTopics", (s) => ({
        ...s,
        Condition: {
          ...(s.Condition as object),
          ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:210987654321:alarm:*" },
        },
      })),
    );
    const { report } = await dayOne(changed);
    expect(
      report.undelivered
        .filter((u) => HEALTH_ALARM.test(u.alarm) && u.state === "ALARM")
        .map((u) => u.reason.split(":")[0]),
    ).toEqual(["KMSAccessDenied"]);
  }, 120_000);
});
