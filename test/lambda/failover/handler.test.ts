import { FailoverGlobalClusterCommand, SwitchoverGlobalClusterCommand } from "@aws-sdk/client-rds";
import { PublishCommand } from "@aws-sdk/client-sns";
import { createHandler, handler as exportedHandler } from "../../../lambda/failover/index";
import { FailoverConfigError, loadFailoverConfig } from "../../../lambda/failover/config";
import { EventValidationError, parseEvent } from "../../../lambda/failover/events";
import {
  PRIMARY_REGION,
  FakeGlobalCluster,
  harness,
  PRIMARY_ARN,
  READ_ONLY_RDS_COMMANDS,
  SECONDARY_ARN,
  SITES,
  TOPIC_ARN,
  type Harness,
} from "./fakes";
import { formatProcessingSites } from "../../../lambda/failover/env-keys";

const ENV = {
  AWS_REGION: "us-west-2",
  GLOBAL_CLUSTER_ID: "tap-global-dev",
  TARGET_CLUSTER_ARN: SECONDARY_ARN,
  ALERT_TOPIC_ARN: TOPIC_ARN,
  ALARM_ACTION: "notify",
  ALLOWED_ALARMS: "tap-primary-db-unhealthy, tap-probe-canary",
  PROCESSING_SITES: formatProcessingSites(SITES),
};

function alarmEvent(state: string, name = "tap-primary-db-unhealthy") {
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        Sns: {
          Type: "Notification",
          TopicArn: "arn:aws:sns:us-west-2:123456789012:tap-failover-trigger",
          Subject: `${state}: "${name}" in US West (Oregon)`,
          Message: JSON.stringify({
            AlarmName: name,
            AlarmArn: `arn:aws:cloudwatch:us-west-2:123456789012:alarm:${name}`,
            NewStateValue: state,
            OldStateValue: "OK",
            NewStateReason: "Threshold Crossed: 3 datapoints were less than the threshold (1.0).",
            StateChangeTime: "2025-01-01T00:00:00.000+0000",
            Region: "US West (Oregon)",
          }),
        },
      },
    ],
  };
}

let h: Harness;
function handlerWith(env: Record<string, string | undefined>, fake = new FakeGlobalCluster(1)) {
  h = harness(fake);
  // The primary's own Region reports it failed, so a data-losing failover passes its preconditions.
  h.fake.clusterStatus[PRIMARY_ARN] = "failed";
  return createHandler({ env: () => env, buildDeps: () => h.deps });
}
afterEach(() => {
  h?.restore();
});

describe("failover Lambda handler", () => {
  it("exports `handler` for the Lambda handler string index.handler", () => {
    expect(typeof exportedHandler).toBe("function");
  });

  it("F3: a direct failover without an explicit dryRun:false is a dry run, as in the drill", async () => {
    const run = handlerWith(ENV);
    const result = await run({ mode: "failover", requestedBy: "alice" });
    expect(result).toMatchObject({ ok: true, result: "dry-run", dryRun: true });
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
  });

  it("P7: a direct switchover runs for real by default and completes", async () => {
    const run = handlerWith(ENV);
    h.fake.clusterStatus[PRIMARY_ARN] = "available";
    const result = await run({ mode: "switchover", requestedBy: "alice" });
    expect(result).toMatchObject({ ok: true, result: "completed", dryRun: false });
    expect(h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(1);
  });

  it("P7: a direct failover with dryRun:false runs for real and completes", async () => {
    const run = handlerWith(ENV);
    const result = await run({
      mode: "failover",
      dryRun: false,
      reason: "primary region outage",
      requestedBy: "alice",
    });
    expect(result).toMatchObject({
      ok: true,
      result: "completed",
      dryRun: false,
      trigger: "direct",
      requestedBy: "alice",
    });
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
  });

  it("P7: a direct event with dryRun true makes no mutating call", async () => {
    const run = handlerWith(ENV);
    h.fake.clusterStatus[PRIMARY_ARN] = "available";
    const result = await run({ mode: "switchover", dryRun: true });
    expect(result.result).toBe("dry-run");
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
  });

  it("R22: a malformed direct event is rejected with a clear error listing every problem and reported to SNS", async () => {
    const run = handlerWith(ENV);
    const bad = { mode: "promote", dry_run: true, dryRun: "yes" };
    await expect(run(bad)).rejects.toThrow(EventValidationError);
    await expect(run(bad)).rejects.toThrow(/mode: "promote" is not "switchover" or "failover"/);
    await expect(run(bad)).rejects.toThrow(/dry_run: unknown field/);
    await expect(run(bad)).rejects.toThrow(/dryRun: expected true or false/);
    const msgs = h.published();
    expect(msgs[0].subject).toBe("[DR] REJECTED: malformed failover event for tap-global-dev");
    expect(msgs[0].body).toMatchObject({
      event: "failover-rejected",
      problems: expect.arrayContaining([expect.stringMatching(/dry_run/)]),
    });
    expect(h.rdsMock.calls()).toHaveLength(0);
  });

  it("R22: non-object events and a missing mode are rejected", async () => {
    const run = handlerWith(ENV);
    await expect(run("failover")).rejects.toThrow(/expected a JSON object/);
    await expect(run({})).rejects.toThrow(/mode: is required/);
    await expect(run({ Records: [{ Sns: { Message: "not json" } }] })).rejects.toThrow(/not JSON/);
  });

  it("P7: an SNS alarm event in OK state is ignored with a clear result and no AWS calls", async () => {
    const run = handlerWith({ ...ENV, ALARM_ACTION: "failover" });
    const result = await run(alarmEvent("OK"));
    expect(result).toMatchObject({ ok: true, result: "ignored", trigger: "alarm" });
    expect(result.message).toMatch(/tap-primary-db-unhealthy=OK; only ALARM triggers a failover/);
    expect(h.rdsMock.calls()).toHaveLength(0);
    expect(h.snsMock.calls()).toHaveLength(0);
  });

  it("P7: INSUFFICIENT_DATA is ignored too", async () => {
    const run = handlerWith({ ...ENV, ALARM_ACTION: "failover" });
    expect((await run(alarmEvent("INSUFFICIENT_DATA"))).result).toBe("ignored");
  });

  it("P7: an ALARM with ALARM_ACTION=notify is a failover dry run only, and notifies", async () => {
    const run = handlerWith({ ...ENV, ALARM_ACTION: "notify" });
    const result = await run(alarmEvent("ALARM"));
    expect(result).toMatchObject({
      ok: true,
      result: "dry-run",
      mode: "failover",
      dryRun: true,
      trigger: "alarm",
    });
    expect(result.reason).toMatch(/CloudWatch alarm tap-primary-db-unhealthy is ALARM/);
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
    expect(h.snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(h.fake.writer).toBe(PRIMARY_ARN);
  });

  it("P7: an ALARM with ALARM_ACTION=failover does a real unplanned failover (AllowDataLoss)", async () => {
    const run = handlerWith({ ...ENV, ALARM_ACTION: "failover" });
    const result = await run(alarmEvent("ALARM"));
    expect(result).toMatchObject({ ok: true, result: "completed", mode: "failover", dryRun: false });
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)[0].args[0].input.AllowDataLoss).toBe(true);
    expect(h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
  });

  it("R22: repeated ALARM deliveries never fail over twice", async () => {
    const run = handlerWith({ ...ENV, ALARM_ACTION: "failover" });
    await run(alarmEvent("ALARM"));
    const again = await run(alarmEvent("ALARM"));
    expect(again.result).toBe("already-writer");
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
  });

  it("R22: invalid env fails with ONE error listing every problem, reported to SNS when the topic is usable", async () => {
    const run = handlerWith({
      AWS_REGION: "us-west-2",
      TARGET_CLUSTER_ARN: "tap-secondary-dev",
      ALERT_TOPIC_ARN: TOPIC_ARN,
      ALARM_ACTION: "promote",
      TIME_BUDGET_MS: "5 minutes",
      MAX_ATTEMPTS: "0",
      POLL_INTERVAL_MS: "-1",
    });
    let error: unknown;
    try {
      await run({ mode: "failover" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FailoverConfigError);
    const problems = (error as FailoverConfigError).problems;
    expect(problems).toHaveLength(6);
    expect((error as Error).message).toMatch(/6 problem\(s\)/);
    for (const key of [
      "GLOBAL_CLUSTER_ID",
      "TARGET_CLUSTER_ARN",
      "ALARM_ACTION",
      "TIME_BUDGET_MS",
      "MAX_ATTEMPTS",
      "POLL_INTERVAL_MS",
    ]) {
      expect(problems.some((p) => p.startsWith(`${key}:`))).toBe(true);
    }
    expect(h.published()[0].subject).toBe("[DR] REJECTED: failover Lambda configuration is invalid");
    expect(h.rdsMock.calls()).toHaveLength(0);
  });

  it("P7: env must point at the secondary Region (target cluster and alert topic in AWS_REGION)", () => {
    expect(() =>
      loadFailoverConfig({
        ...ENV,
        TARGET_CLUSTER_ARN: PRIMARY_ARN,
        ALERT_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:tap-dr-alerts-dev",
      }),
    ).toThrow(/TARGET_CLUSTER_ARN: cluster is in us-east-1[\s\S]*ALERT_TOPIC_ARN: topic is in us-east-1/);
  });

  it("R21/R22: env defaults are a 270000 ms budget, 5 attempts, 15000 ms polls and ALARM_ACTION notify", () => {
    expect(loadFailoverConfig({ ...ENV, ALARM_ACTION: undefined })).toMatchObject({
      timeBudgetMs: 270_000,
      maxAttempts: 5,
      pollIntervalMs: 15_000,
      alarmAction: "notify",
    });
  });

  it("R21: the budget is clamped to the Lambda's remaining time minus a safety margin", async () => {
    const run = handlerWith(ENV, new FakeGlobalCluster(1_000));
    const result = await run(
      { mode: "failover", dryRun: false },
      { getRemainingTimeInMillis: () => 100_000 },
    );
    expect(result.result).toBe("timed-out");
    expect(result.timings.durationMs).toBeLessThanOrEqual(90_000);
  });

  it("P7: parseEvent acts once when several SNS records arrive and one is ALARM", () => {
    const event = { Records: [...alarmEvent("OK", "a").Records, ...alarmEvent("ALARM", "b").Records] };
    const parsed = parseEvent(event, "notify", ["a", "b"]);
    expect(parsed).toMatchObject({
      kind: "run",
      request: { mode: "failover", dryRun: true, alarm: { name: "b" } },
    });
  });

  it("F3: an ALARM from an alarm outside ALLOWED_ALARMS is ignored even if SNS delivers it", async () => {
    const run = handlerWith({ ...ENV, ALARM_ACTION: "failover" });
    const result = await run(alarmEvent("ALARM", "tap-some-other-alarm"));
    expect(result).toMatchObject({ ok: true, result: "ignored" });
    expect(result.message).toMatch(/not in the allowlist/);
    expect(h.rdsMock.calls()).toHaveLength(0);
  });
});
