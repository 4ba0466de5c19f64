/**
 * F2/F3: a failover that finishes the job (processing follows the writer, DLQ redrive, reconciliation)
 * and never blows its budget or misreports, against per-Region fakes (fakes.ts states each assumption).
 */
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { FailoverGlobalClusterCommand, type FailoverGlobalClusterCommandInput } from "@aws-sdk/client-rds";
import { PublishCommand } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { parseEvent } from "../../../lambda/failover/events";
import type { FailoverRequest } from "../../../lambda/failover/events";
import { runFailover } from "../../../lambda/failover/orchestrator";
import {
  awsError,
  FakeGlobalCluster,
  FakeIntake,
  harness,
  PRIMARY_ARN,
  PRIMARY_REGION,
  READ_ONLY_RDS_COMMANDS,
  reconcileStub,
  SECONDARY_ARN,
  SECONDARY_REGION,
  settings,
  SITES,
  type Harness,
} from "./fakes";

const failover: FailoverRequest = { mode: "failover", dryRun: false, trigger: "direct", requestedBy: "ops" };
const switchover: FailoverRequest = { ...failover, mode: "switchover" };
const [primarySite, secondarySite] = SITES;

let h: Harness;
afterEach(() => h?.restore());

describe("F3: preconditions of a data-losing failover", () => {
  it("F3: a failover is refused while the primary answers healthy through its own Region; nothing changes", async () => {
    h = harness();
    const result = await runFailover(failover, settings(), h.deps);
    expect(result).toMatchObject({ ok: false, result: "refused" });
    expect(result.message).toMatch(/answers healthy through its own Region.*Use mode "switchover"/);
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
    // The primary's health was asked of the primary Region, not of the secondary.
    expect(h.rdsMocks[PRIMARY_REGION].calls().length).toBeGreaterThan(0);
  });

  it("F3: a failover is refused when the target cannot be promoted (not available)", async () => {
    h = harness();
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    h.fake.clusterStatus[SECONDARY_ARN] = "upgrading";
    const result = await runFailover(failover, settings(), h.deps);
    expect(result).toMatchObject({ ok: false, result: "refused" });
    expect(result.message).toMatch(/target cannot be promoted: .*Status=upgrading/);
    expect(h.rdsCommands()).not.toContain("FailoverGlobalClusterCommand");
  });

  it("F3: the RPO lag about to be lost is read from the target's AuroraGlobalDBRPOLag and reported", async () => {
    h = harness(new FakeGlobalCluster(1));
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    const cw = new CloudWatchClient({ region: SECONDARY_REGION });
    const cwMock = mockClient(cw);
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "rpo", Values: [850, 400] }] });
    const result = await runFailover(failover, settings(), { ...h.deps, cloudwatch: cw });
    expect(result).toMatchObject({ ok: true, result: "completed", lagAtRiskMs: 850 });
    const query = cwMock.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries?.[0];
    expect(query?.MetricStat?.Metric).toEqual({
      Namespace: "AWS/RDS",
      MetricName: "AuroraGlobalDBRPOLag",
      Dimensions: [{ Name: "DBClusterIdentifier", Value: "tap-secondary-dev" }],
    });
    expect(h.published()[0].body).toMatchObject({ event: "failover-started", lagAtRiskMs: 850 });
    expect(result.preconditions).toEqual([
      expect.stringMatching(/^target: .* is available/),
      expect.stringMatching(/^primary: .*Status=failed/),
      "writes at risk: RPO lag 850 ms",
    ]);
  });
});

describe("F1/F2/F3: the primary Region is unreachable", () => {
  it("F2: the failover completes through the secondary Region alone; processing moves there, the old Region's disable is best effort", async () => {
    h = harness(new FakeGlobalCluster(1));
    h.regions.down.add(PRIMARY_REGION);
    const result = await runFailover(failover, settings(), h.deps);

    expect(result).toMatchObject({ ok: true, result: "completed", currentWriterArn: SECONDARY_ARN });
    expect(result.preconditions?.[1]).toMatch(
      /could not be read through us-east-1 \(TimeoutError: connect ETIMEDOUT us-east-1\)/,
    );
    // Every call that changed something went through the secondary Region.
    expect(h.rdsMocks[SECONDARY_REGION].commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
    expect(h.rdsMocks[PRIMARY_REGION].commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    expect(h.intake.stateIn(SECONDARY_REGION)).toBe("Enabled");
    expect(h.intake.forwarderStateIn(SECONDARY_REGION)).toBe("Disabled");
    expect(h.intake.stateIn(PRIMARY_REGION)).toBe("Enabled"); // unreachable: left as it was
    const follow = result.steps?.find((s) => s.step === "follow-writer");
    expect(follow?.ok).toBe(true);
    expect(follow?.detail).toMatch(/us-east-1: switch to forwarding failed, best effort/);
    expect(result.steps?.find((s) => s.step === "redrive-standby")).toMatchObject({
      ok: true,
      detail: expect.stringMatching(
        /^us-east-1: redrive failed: .*best effort; re-run when the Region is back/,
      ),
    });
  });
});

describe("F2: the failover finishes the job", () => {
  it("F1/F2: after a switchover the new writer Region processes, the old one forwards, and every step is in the result and the notification", async () => {
    h = harness(new FakeGlobalCluster(1));
    const result = await runFailover(switchover, settings(), h.deps);
    expect(result.result).toBe("completed");
    expect(h.intake.stateIn(SECONDARY_REGION)).toBe("Enabled");
    expect(h.intake.forwarderStateIn(SECONDARY_REGION)).toBe("Disabled");
    expect(h.intake.stateIn(PRIMARY_REGION)).toBe("Disabled");
    expect(h.intake.forwarderStateIn(PRIMARY_REGION)).toBe("Enabled");
    // In each Region the consumer to stop goes first: never both consuming one queue.
    expect(h.intake.switches).toEqual([
      "us-west-2 forwarder off",
      "us-west-2 processor on",
      "us-east-1 processor off",
      "us-east-1 forwarder on",
    ]);
    expect(result.steps?.map((s) => [s.step, s.ok])).toEqual([
      ["follow-writer", true],
      ["redrive", true],
      ["redrive-standby", true],
    ]);
    const last = h.published().at(-1)!;
    expect(last.subject).toBe("[DR] COMPLETED: switchover of tap-global-dev");
    expect((last.body.steps as unknown[]).length).toBe(3);
  });

  it("F2: each Region's DLQ is moved back to its own queue by a message move task, once (the standby's is forwarded from there)", async () => {
    h = harness(new FakeGlobalCluster(1));
    h.intake.dlqDepth[secondarySite.dlqArn] = 3;
    h.intake.dlqDepth[primarySite.dlqArn] = 2;
    const first = await runFailover(switchover, settings(), h.deps);
    expect(h.intake.moveTasks).toEqual([
      { source: secondarySite.dlqArn, destination: secondarySite.queueArn },
      { source: primarySite.dlqArn, destination: primarySite.queueArn },
    ]);
    expect(first.steps?.[1]).toMatchObject({ step: "redrive", ok: true, data: { waiting: 3 } });
    // Idempotent: a second run finds the writer in place and the DLQ empty.
    const second = await runFailover(switchover, settings(), h.deps);
    expect(second.result).toBe("already-writer");
    expect(second.steps?.[1].detail).toMatch(/DLQ is empty/);
    expect(h.intake.moveTasks).toHaveLength(2);
    expect(second.steps?.[2]).toMatchObject({ step: "redrive-standby", ok: true });
    expect(second.steps?.[2].detail).toMatch(/^us-east-1: the DLQ is empty/);
  });

  it("F2: a re-run after a run that only promoted finishes the post-promotion steps (already-writer)", async () => {
    h = harness(
      new FakeGlobalCluster(0, undefined, SECONDARY_ARN),
      undefined,
      new FakeIntake(PRIMARY_REGION),
    );
    const result = await runFailover(switchover, settings(), h.deps);
    expect(result).toMatchObject({ ok: true, result: "already-writer" });
    expect(h.intake.stateIn(SECONDARY_REGION)).toBe("Enabled");
    expect(h.intake.stateIn(PRIMARY_REGION)).toBe("Disabled");
    expect(h.intake.forwarderStateIn(PRIMARY_REGION)).toBe("Enabled");
  });

  it("F2: a mapping update that failed but took effect is read back and counted as done", async () => {
    h = harness(new FakeGlobalCluster(1));
    h.intake.failNextUpdate.push(awsError("ServiceException", 500), awsError("ServiceException", 500));
    const original = h.intake.mappingState;
    original[secondarySite.mappingUuid] = "Disabled";
    const result = await runFailover(switchover, settings({ maxAttempts: 2 }), h.deps);
    expect(result.steps?.[0]).toMatchObject({ step: "follow-writer", ok: false });
    expect(result.steps?.[0].detail).toMatch(/could not be enabled in us-west-2/);
    expect(result.ok).toBe(true); // the database moved; the step needing attention is flagged, not hidden
    expect(h.published().at(-1)?.subject).toMatch(/\(1 step\(s\) need attention\)$/);
  });

  it("F2: after a data-losing failover the stores are reconciled from an hour before the request, and the counts reported", async () => {
    h = harness(new FakeGlobalCluster(1));
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    const calls: { sinceIso: string; dryRun: boolean }[] = [];
    const deps = {
      ...h.deps,
      reconcile: reconcileStub((req) => calls.push(req), {
        examined: { ledger: 10, table: 12 },
        rebookedIntoLedger: 2,
        rewrittenIntoTable: 1,
      }),
    };
    const result = await runFailover(failover, settings(), deps);
    expect(calls).toEqual([
      { sinceIso: new Date(Date.UTC(2025, 0, 1) - 3_600_000).toISOString(), dryRun: false },
    ]);
    expect(result.steps?.[0]).toMatchObject({ step: "reconcile", ok: true });
    expect(result.steps?.[0].detail).toMatch(
      /2 re-booked into the ledger, 1 rewritten into DynamoDB, 0 conflict/,
    );
  });

  it("X5: after a data-losing failover reconcile runs before the new writer's processor is enabled", async () => {
    h = harness(new FakeGlobalCluster(1));
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    let processorWhenReconciled: string | undefined;
    const deps = {
      ...h.deps,
      reconcile: reconcileStub(() => (processorWhenReconciled = h.intake.stateIn(SECONDARY_REGION))),
    };
    const result = await runFailover(failover, settings(), deps);
    expect(processorWhenReconciled).toBe("Disabled");
    expect(h.intake.stateIn(SECONDARY_REGION)).toBe("Enabled");
    expect(result.steps?.map((s) => s.step)).toEqual([
      "reconcile",
      "follow-writer",
      "redrive",
      "redrive-standby",
    ]);
  });

  it("F2: without a reconcile function the step says which CLI command to run", async () => {
    h = harness(new FakeGlobalCluster(1));
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    const result = await runFailover(failover, settings(), h.deps);
    expect(result.steps?.[0]).toMatchObject({ step: "reconcile", ok: false });
    expect(result.steps?.[0].detail).toMatch(/npm run reconcile -- --since 2024-12-31T23:00:00.000Z/);
  });

  it("F2: a switchover loses nothing, so it does not reconcile", async () => {
    h = harness(new FakeGlobalCluster(1));
    const result = await runFailover(switchover, settings(), h.deps);
    expect(result.steps?.map((s) => s.step)).not.toContain("reconcile");
  });
});

describe("F3: budget, re-reads and escalation", () => {
  it("F3: a failover call that errors after AWS accepted it is read back: the run completes, not FAILED", async () => {
    h = harness(new FakeGlobalCluster(1));
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    h.rdsMock.on(FailoverGlobalClusterCommand).callsFake((input: FailoverGlobalClusterCommandInput) => {
      h.fake.failover(input);
      throw awsError("InternalFailure", 500, "response lost");
    });
    const result = await runFailover(failover, settings({ maxAttempts: 1 }), h.deps);
    expect(result).toMatchObject({ ok: true, result: "completed", currentWriterArn: SECONDARY_ARN });
  });

  it("F3: a refused call whose target is already the writer reports already-writer, not FAILED", async () => {
    h = harness(new FakeGlobalCluster(0));
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    h.rdsMock.on(FailoverGlobalClusterCommand).callsFake(() => {
      h.fake.writer = SECONDARY_ARN; // someone else's promotion landed first
      throw awsError("InvalidParameterValue", 400, "target is already the writer");
    });
    const result = await runFailover(failover, settings(), h.deps);
    expect(result).toMatchObject({ ok: true, result: "completed", currentWriterArn: SECONDARY_ARN });
  });

  it("F3: an alarm-triggered failover blocked by a switchover in progress escalates with its own notification", async () => {
    h = harness(new FakeGlobalCluster(100));
    h.fake.operation = { kind: "switchover", from: PRIMARY_ARN, to: SECONDARY_ARN, pollsLeft: 100 };
    h.fake.status = "switching-over";
    const alarm: FailoverRequest = {
      mode: "failover",
      dryRun: false,
      trigger: "alarm",
      reason: "health alarm",
    };
    const result = await runFailover(alarm, settings(), h.deps);
    expect(result).toMatchObject({ ok: false, result: "escalated", operationMayBeRunning: true });
    expect(result.message).toMatch(/^ESCALATION: an alarm-triggered failover is blocked by a switchover/);
    expect(h.published().at(-1)?.subject).toBe("[DR] ESCALATED: failover of tap-global-dev");
    expect(h.rdsCommands()).toEqual(["DescribeGlobalClustersCommand"]);
  });

  it("F3: a hung SNS never delays the RDS call, each publish is capped, and the run still reports", async () => {
    h = harness(new FakeGlobalCluster(0));
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    const order: string[] = [];
    h.snsMock.on(PublishCommand).callsFake(() => {
      order.push("sns");
      return new Promise(() => undefined); // never answers
    });
    h.rdsMock.on(FailoverGlobalClusterCommand).callsFake((input: FailoverGlobalClusterCommandInput) => {
      order.push("failover");
      return h.fake.failover(input);
    });
    const result = await runFailover(failover, settings({ notifyTimeoutMs: 100 }), h.deps);
    expect(result).toMatchObject({ ok: true, result: "completed" });
    expect(order.slice(0, 2)).toEqual(["sns", "failover"]); // started publish pending when RDS was called
    // The final publish is capped too, and its failure is part of the result (not of the SNS body).
    expect(result.notificationErrors).toEqual([
      expect.stringMatching(/STARTED.*timed out after 100 ms/),
      expect.stringMatching(/COMPLETED.*timed out after 100 ms/),
    ]);
  });
});

describe("F3: what may start a run", () => {
  const alarm = (name: string) => ({
    Records: [{ Sns: { Message: JSON.stringify({ AlarmName: name, NewStateValue: "ALARM" }) } }],
  });

  it("F3: only allowlisted alarm names act", () => {
    expect(parseEvent(alarm("x"), "failover", ["y"])).toMatchObject({ kind: "ignored" });
    expect(parseEvent(alarm("y"), "failover", ["y"])).toMatchObject({
      kind: "run",
      request: { mode: "failover", dryRun: false, trigger: "alarm" },
    });
    expect(parseEvent(alarm("y"), "failover", [])).toMatchObject({ kind: "ignored" });
  });

  it("F3: a direct failover is a dry run unless dryRun is false; a switchover runs unless dryRun is true", () => {
    expect(parseEvent({ mode: "failover" }, "notify", [])).toMatchObject({ request: { dryRun: true } });
    expect(parseEvent({ mode: "failover", dryRun: false }, "notify", [])).toMatchObject({
      request: { dryRun: false },
    });
    expect(parseEvent({ mode: "switchover" }, "notify", [])).toMatchObject({ request: { dryRun: false } });
  });
});

describe("F2: a dry run stops before the post-promotion steps", () => {
  it.each([
    ["switchover", "the primary writes", PRIMARY_ARN],
    ["failover", "the primary writes", PRIMARY_ARN],
    ["switchover", "the target already writes", SECONDARY_ARN],
    ["failover", "the target already writes", SECONDARY_ARN],
  ] as const)("F2: a %s dry run while %s flips no mapping and redrives nothing", async (mode, _, writer) => {
    h = harness(new FakeGlobalCluster(1, undefined, writer));
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    h.intake.dlqDepth[secondarySite.dlqArn] = 4;
    const result = await runFailover({ ...failover, mode, dryRun: true }, settings(), h.deps);
    expect(result.steps).toBeUndefined();
    expect(h.intake.switches).toEqual([]);
    expect(h.intake.moveTasks).toEqual([]);
    expect(h.intake.stateIn(PRIMARY_REGION)).toBe("Enabled");
  });
});
