import {
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-rds";
import { PublishCommand } from "@aws-sdk/client-sns";
import { runFailover, sanitizeSubject } from "../../../lambda/failover/orchestrator";
import type { FailoverRequest } from "../../../lambda/failover/events";
import {
  PRIMARY_REGION,
  awsError,
  FakeGlobalCluster,
  harness,
  PRIMARY_ARN,
  READ_ONLY_RDS_COMMANDS,
  SECONDARY_ARN,
  settings,
  TOPIC_ARN,
  type Harness,
} from "./fakes";

const switchover: FailoverRequest = {
  mode: "switchover",
  dryRun: false,
  trigger: "direct",
  requestedBy: "ops",
};
const failover: FailoverRequest = { mode: "failover", dryRun: false, trigger: "direct", requestedBy: "ops" };

let h: Harness;
/** The primary's own Region reports its cluster failed: a data-losing failover may go ahead (F3). */
function primaryFailed(hh: Harness): Harness {
  hh.fake.clusterStatus[PRIMARY_ARN] = "failed";
  return hh;
}
afterEach(() => {
  h?.restore();
});

describe("failover orchestrator", () => {
  it("P7: planned switchover calls SwitchoverGlobalCluster with the target ARN and polls to completion", async () => {
    h = harness(new FakeGlobalCluster(2));
    const result = await runFailover(switchover, settings(), h.deps);

    expect(result).toMatchObject({
      ok: true,
      result: "completed",
      previousWriterArn: PRIMARY_ARN,
      currentWriterArn: SECONDARY_ARN,
    });
    const calls = h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      GlobalClusterIdentifier: "tap-global-dev",
      TargetDbClusterIdentifier: SECONDARY_ARN,
    });
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    expect(h.fake.writer).toBe(SECONDARY_ARN);
    expect(result.plan?.dataLossPossible).toBe(false);
    // 3 polls: two while switching-over, the third sees the flipped writer.
    expect(result.timings.polls).toBe(3);
    expect(h.clock.sleeps).toEqual([15_000, 15_000, 15_000]);
  });

  it("P7/R22: switchover notifies SNS on start and on success, in the secondary-region topic", async () => {
    h = harness();
    await runFailover(switchover, settings(), h.deps);
    const msgs = h.published();
    expect(msgs.map((m) => m.subject)).toEqual([
      "[DR] STARTED: switchover of tap-global-dev",
      "[DR] COMPLETED: switchover of tap-global-dev",
    ]);
    for (const c of h.snsMock.commandCalls(PublishCommand)) {
      expect(c.args[0].input.TopicArn).toBe(TOPIC_ARN);
      expect((c.args[0].input.Subject ?? "").length).toBeLessThanOrEqual(100);
    }
    expect(msgs[1].body).toMatchObject({
      event: "failover-result",
      mode: "switchover",
      dryRun: false,
      result: "completed",
    });
    expect(msgs[1].body.timings).toEqual(expect.objectContaining({ durationMs: 45_000 }));
  });

  it("P7: unplanned failover calls FailoverGlobalCluster with AllowDataLoss=true, never Switchover", async () => {
    h = primaryFailed(harness(new FakeGlobalCluster(1)));
    const result = await runFailover(failover, settings(), h.deps);

    expect(result).toMatchObject({ ok: true, result: "completed", currentWriterArn: SECONDARY_ARN });
    const calls = h.rdsMock.commandCalls(FailoverGlobalClusterCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      GlobalClusterIdentifier: "tap-global-dev",
      TargetDbClusterIdentifier: SECONDARY_ARN,
      AllowDataLoss: true,
    });
    expect(calls[0].args[0].input).not.toHaveProperty("Switchover");
    expect(h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
    expect(result.plan).toMatchObject({ apiCall: "FailoverGlobalCluster", dataLossPossible: true });
  });

  it("P7: switchover is refused when the current writer is unhealthy, and the operator is told to use failover", async () => {
    h = harness();
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    const result = await runFailover(switchover, settings(), h.deps);

    expect(result).toMatchObject({ ok: false, result: "refused" });
    expect(result.message).toMatch(/not healthy \(Status=failed\)/);
    expect(result.message).toMatch(/mode "failover"/);
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
    expect(h.published().at(-1)?.subject).toBe("[DR] REFUSED: switchover of tap-global-dev");
  });

  it("P7: switchover is refused when the primary Region cannot be reached (bounded retries)", async () => {
    h = harness();
    const down = awsError("TimeoutError", 0, "connect ETIMEDOUT");
    h.fake.failNext.describeDbClusters.push(down, down, down, down, down);
    const result = await runFailover(switchover, settings({ maxAttempts: 5 }), h.deps);
    expect(result.result).toBe("refused");
    expect(result.message).toMatch(/could not confirm .* healthy/);
    expect(h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
  });

  it("P7: a target that is not a member of the global cluster fails clearly, with no mutating call", async () => {
    h = harness(new FakeGlobalCluster(2, [PRIMARY_ARN, SECONDARY_ARN]));
    const result = await runFailover(
      switchover,
      settings({ targetClusterArn: SECONDARY_ARN.replace("secondary", "other") }),
      h.deps,
    );
    expect(result).toMatchObject({ ok: false, result: "failed" });
    expect(result.message).toMatch(/is not a member of global cluster/);
    expect(h.rdsCommands()).toEqual(["DescribeGlobalClustersCommand"]);
  });

  it("R22: the target already being the writer is a no-op (already-writer), no mutating call", async () => {
    h = primaryFailed(harness(new FakeGlobalCluster(2, [PRIMARY_ARN, SECONDARY_ARN], SECONDARY_ARN)));
    const result = await runFailover(failover, settings(), h.deps);
    expect(result).toMatchObject({ ok: true, result: "already-writer" });
    expect(h.rdsCommands()).toEqual(["DescribeGlobalClustersCommand"]);
  });

  it("R22: an operation already in progress is a no-op (in-progress), no mutating call", async () => {
    h = primaryFailed(harness(new FakeGlobalCluster(10)));
    h.fake.operation = { kind: "switchover", from: PRIMARY_ARN, to: SECONDARY_ARN, pollsLeft: 10 };
    h.fake.status = "switching-over";
    const result = await runFailover(failover, settings(), h.deps);
    expect(result).toMatchObject({ ok: true, result: "in-progress", operationMayBeRunning: true });
    expect(result.message).toMatch(/switchover is already in progress .*toward the target/);
    expect(h.rdsCommands()).toEqual(["DescribeGlobalClustersCommand"]);
  });

  it("R22: a global cluster busy with another change (Status not available) is in-progress, no mutating call", async () => {
    h = harness();
    h.fake.status = "modifying";
    const result = await runFailover(switchover, settings(), h.deps);
    expect(result.result).toBe("in-progress");
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
  });

  it("R22: running twice after completion never fails over twice (second run is already-writer)", async () => {
    h = primaryFailed(harness(new FakeGlobalCluster(1)));
    const first = await runFailover(failover, settings(), h.deps);
    const second = await runFailover(failover, settings(), h.deps);
    expect(first.result).toBe("completed");
    expect(second.result).toBe("already-writer");
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
  });

  it("R22: a second run while the first is still running is in-progress, not a second failover", async () => {
    h = primaryFailed(harness(new FakeGlobalCluster(100)));
    const first = await runFailover(failover, settings({ timeBudgetMs: 30_000 }), h.deps);
    const second = await runFailover(failover, settings(), h.deps);
    expect(first.result).toBe("timed-out");
    expect(second.result).toBe("in-progress");
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
  });

  it("R22: throttling is retried with exponential backoff and full jitter, then succeeds", async () => {
    const randoms = [0.999, 0.999, 0.999];
    h = primaryFailed(harness(new FakeGlobalCluster(0), () => randoms.shift() ?? 0.5));
    h.fake.failNext.describe.push(
      awsError("ThrottlingException", 400, "Rate exceeded"),
      awsError("Throttling", 400),
      awsError("RequestLimitExceeded", 400),
    );
    const result = await runFailover(
      failover,
      settings({ retryBaseDelayMs: 500, retryMaxDelayMs: 20_000 }),
      h.deps,
    );

    expect(result.result).toBe("completed");
    // 3 throttled + 1 good initial read, then the post-call poll.
    expect(h.fake.describeCalls).toBe(5);
    const backoffs = h.clock.sleeps.slice(0, 3);
    expect(backoffs).toEqual([499, 999, 1998]); // floor(0.999 * 500 * 2^(n-1))
    for (let i = 1; i < backoffs.length; i++) expect(backoffs[i]).toBeGreaterThan(backoffs[i - 1] * 1.9);
    for (const b of backoffs) {
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThanOrEqual(20_000);
    }
  });

  it("R22: full jitter never exceeds the cap and can be zero", async () => {
    const randoms = [0, 0.999999, 0.999999, 0.999999];
    h = primaryFailed(harness(new FakeGlobalCluster(0), () => randoms.shift() ?? 0.5));
    for (let i = 0; i < 4; i++) h.fake.failNext.describe.push(awsError("ServiceUnavailable", 503));
    const result = await runFailover(
      failover,
      settings({ retryBaseDelayMs: 1_000, retryMaxDelayMs: 2_500 }),
      h.deps,
    );
    expect(result.result).toBe("completed");
    expect(h.clock.sleeps.slice(0, 4)).toEqual([0, 1_999, 2_499, 2_499]);
  });

  it("R22: transient network errors (ECONNRESET, 5xx) on the mutating call are retried until accepted", async () => {
    h = primaryFailed(harness(new FakeGlobalCluster(1)));
    h.fake.failNext.failover.push(
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      awsError("InternalFailure", 500),
    );
    const result = await runFailover(failover, settings(), h.deps);
    expect(result.result).toBe("completed");
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(3);
  });

  it("R22: a lost response is detected on retry: the accepted operation is not requested again", async () => {
    h = primaryFailed(harness(new FakeGlobalCluster(2)));
    // The first call reaches AWS (operation starts) but the client sees a timeout.
    const original = h.fake.failover.bind(h.fake);
    let first = true;
    h.fake.failover = (input) => {
      const out = original(input);
      if (first) {
        first = false;
        throw awsError("TimeoutError", 0, "response lost");
      }
      return out;
    };
    const result = await runFailover(failover, settings(), h.deps);
    expect(result.result).toBe("completed");
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
  });

  it("R22: a persistent throttling error stops after exactly MAX_ATTEMPTS calls, is reported to SNS and fails the run", async () => {
    h = harness();
    for (let i = 0; i < 10; i++)
      h.fake.failNext.switchover.push(awsError("ThrottlingException", 400, "Rate exceeded"));
    const result = await runFailover(switchover, settings({ maxAttempts: 3 }), h.deps);

    expect(h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(3);
    // F3: the state re-read after the failed call shows nothing started, so nothing may still be running.
    expect(result).toMatchObject({ ok: false, result: "failed", operationMayBeRunning: false });
    expect(result.message).toMatch(/SwitchoverGlobalCluster failed: ThrottlingException/);
    const last = h.published().at(-1);
    expect(last?.subject).toBe("[DR] FAILED: switchover of tap-global-dev");
    expect(last?.body).toMatchObject({ result: "failed", error: expect.stringMatching(/after 3 attempt/) });
  });

  it("R22: a persistent error reading state stops after exactly MAX_ATTEMPTS (default 5) and is reported", async () => {
    h = primaryFailed(harness());
    for (let i = 0; i < 10; i++) h.fake.failNext.describe.push(awsError("InternalFailure", 500));
    const result = await runFailover(failover, settings(), h.deps);
    expect(h.rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(5);
    expect(result).toMatchObject({ ok: false, result: "failed" });
    expect(h.published().map((m) => m.subject)).toEqual(["[DR] FAILED: failover of tap-global-dev"]);
  });

  it("R22: a non-retryable error is not retried and is reported", async () => {
    h = primaryFailed(harness());
    h.fake.failNext.failover.push(
      awsError("AccessDenied", 403, "not authorized to rds:FailoverGlobalCluster"),
    );
    const result = await runFailover(failover, settings(), h.deps);
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, result: "failed", operationMayBeRunning: false });
    expect(h.published().at(-1)?.body).toMatchObject({ result: "failed" });
  });

  it("R22: an SNS publish failure never changes the failover's result; notificationErrors is set", async () => {
    h = harness();
    h.snsMock.on(PublishCommand).rejects(awsError("AuthorizationError", 403, "not allowed to publish"));
    const result = await runFailover(switchover, settings(), h.deps);
    expect(result).toMatchObject({ ok: true, result: "completed", currentWriterArn: SECONDARY_ARN });
    expect(result.notificationErrors).toHaveLength(2);
    expect(result.notificationErrors?.[0]).toMatch(/STARTED.*AuthorizationError/);
    expect(h.logger.lines.some((l) => l.level === "error" && /notification failed/.test(l.message))).toBe(
      true,
    );
  });

  it("R21: when the time budget is spent the run is timed-out, reported as a failure that may still be running", async () => {
    h = primaryFailed(harness(new FakeGlobalCluster(1_000)));
    const result = await runFailover(
      failover,
      settings({ timeBudgetMs: 60_000, pollIntervalMs: 15_000 }),
      h.deps,
    );
    expect(result).toMatchObject({ ok: false, result: "timed-out", operationMayBeRunning: true });
    expect(result.message).toMatch(/may still be running in AWS/);
    expect(h.clock.now() - Date.UTC(2025, 0, 1)).toBeLessThanOrEqual(60_000);
    expect(h.published().at(-1)).toMatchObject({ subject: "[DR] TIMED-OUT: failover of tap-global-dev" });
  });

  it("R21: the default budget (270 s) ends polling before the 300 s Lambda timeout", async () => {
    h = primaryFailed(harness(new FakeGlobalCluster(1_000)));
    const result = await runFailover(failover, settings(), h.deps);
    expect(result.result).toBe("timed-out");
    // F3: the last notification's cap (2 s) is kept inside the budget.
    expect(result.timings.durationMs).toBe(270_000 - 2_000);
  });

  it("P7: a cancelled operation (back to available, old writer) fails instead of waiting out the budget", async () => {
    h = harness(new FakeGlobalCluster(5));
    const realDescribe = h.fake.describe.bind(h.fake);
    let n = 0;
    h.fake.describe = () => {
      n++;
      if (n === 3) {
        h.fake.operation = undefined;
        h.fake.status = "available";
      }
      return realDescribe();
    };
    const result = await runFailover(switchover, settings(), h.deps);
    expect(result).toMatchObject({ ok: false, result: "failed" });
    expect(result.message).toMatch(/cancelled or rolled back/);
  });

  it("P7: a dry run reports the plan and makes no mutating call (only Describe* reach RDS)", async () => {
    h = harness();
    const result = await runFailover({ ...switchover, dryRun: true }, settings(), h.deps);
    expect(result).toMatchObject({
      ok: true,
      result: "dry-run",
      dryRun: true,
      currentWriterArn: PRIMARY_ARN,
    });
    expect(result.plan).toMatchObject({
      apiCall: "SwitchoverGlobalCluster",
      currentWriterArn: PRIMARY_ARN,
      targetClusterArn: SECONDARY_ARN,
      dataLossPossible: false,
    });
    expect(h.rdsCommands().length).toBeGreaterThan(0);
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
    expect(h.fake.writer).toBe(PRIMARY_ARN);
    expect(h.published()).toHaveLength(1);
    expect(h.published()[0].subject).toBe("[DR] DRY-RUN: switchover dry run of tap-global-dev");
  });

  it("P7: a failover dry run says data loss is possible and names FailoverGlobalCluster with AllowDataLoss", async () => {
    h = primaryFailed(harness());
    const result = await runFailover({ ...failover, dryRun: true }, settings(), h.deps);
    expect(result.plan?.parameters).toEqual({
      GlobalClusterIdentifier: "tap-global-dev",
      TargetDbClusterIdentifier: SECONDARY_ARN,
      AllowDataLoss: true,
    });
    expect(result.message).toMatch(/data loss possible: yes/);
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
  });

  it("R22: InvalidGlobalClusterStateFault (a change in progress) on the mutating call is retried", async () => {
    h = harness(new FakeGlobalCluster(1));
    h.fake.failNext.switchover.push(
      awsError("InvalidGlobalClusterStateFault", 400, "a change is in progress"),
    );
    const result = await runFailover(switchover, settings(), h.deps);
    expect(result.result).toBe("completed");
    expect(h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(2);
  });

  it("R22: SNS subjects stay within 100 printable ASCII characters", async () => {
    const longId = `tap-global-${"x".repeat(150)}`;
    expect(sanitizeSubject(`[DR] COMPLETED: switchover of ${longId}`).length).toBeLessThanOrEqual(100);
    expect(sanitizeSubject("a\nb\u00e9")).toBe("a b?");
    h = primaryFailed(harness());
    await runFailover({ ...failover, dryRun: true }, settings({ globalClusterId: longId }), h.deps).catch(
      () => undefined,
    );
    for (const c of h.snsMock.commandCalls(PublishCommand))
      expect((c.args[0].input.Subject ?? "").length).toBeLessThan(100);
  });
});
