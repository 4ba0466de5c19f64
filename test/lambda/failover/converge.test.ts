/**
 * X1/X6: the scheduled convergence run finishes what nobody re-triggers: a promotion that outlasted the
 * orchestrator's budget, orders that reached a DLQ after a failover's one redrive. Against the per-Region
 * fakes (fakes.ts); alarm actions fire on a state change only, so these runs come from the schedule.
 */
import { FailoverGlobalClusterCommand } from "@aws-sdk/client-rds";
import { runConverge } from "../../../lambda/failover/converge";
import { EventValidationError, parseEvent } from "../../../lambda/failover/events";
import { createHandler } from "../../../lambda/failover/index";
import { runFailover } from "../../../lambda/failover/orchestrator";
import { formatProcessingSites } from "../../../lambda/failover/env-keys";
import {
  FakeGlobalCluster,
  FakeIntake,
  harness,
  PRIMARY_ARN,
  PRIMARY_REGION,
  SECONDARY_ARN,
  SECONDARY_REGION,
  settings,
  SITES,
  TOPIC_ARN,
  type Harness,
} from "./fakes";

const [primarySite, secondarySite] = SITES;
let h: Harness;
afterEach(() => h?.restore());

describe("X6: a promotion that outlasts the budget finishes without a person", () => {
  it("X6: the failover run times out mid-promotion; the next scheduled run finds the new writer and flips processing and redrives", async () => {
    h = harness(new FakeGlobalCluster(100));
    h.fake.clusterStatus[PRIMARY_ARN] = "failed";
    h.intake.dlqDepth[primarySite.dlqArn] = 7; // orders the primary failed for want of its database
    const first = await runFailover(
      { mode: "failover", dryRun: false, trigger: "alarm" },
      settings({ timeBudgetMs: 30_000 }),
      h.deps,
    );
    expect(first.result).toBe("timed-out");
    expect(h.intake.stateIn(SECONDARY_REGION)).toBe("Disabled"); // no follow-up was done

    // While the promotion is still running the schedule leaves everything alone, and says nothing.
    const during = await runConverge(settings(), h.deps);
    expect(during.result).toBe("in-progress");
    expect(h.intake.switches).toEqual([]);
    const publishedBefore = h.published().length;

    h.fake.operation!.pollsLeft = 0; // Aurora finishes the promotion on its own
    const after = await runConverge(settings(), h.deps);

    expect(after).toMatchObject({ ok: true, result: "converged", currentWriterArn: SECONDARY_ARN });
    expect(h.intake.stateIn(SECONDARY_REGION)).toBe("Enabled");
    expect(h.intake.forwarderStateIn(SECONDARY_REGION)).toBe("Disabled");
    expect(h.intake.stateIn(PRIMARY_REGION)).toBe("Disabled");
    expect(h.intake.forwarderStateIn(PRIMARY_REGION)).toBe("Enabled");
    expect(h.intake.moveTasks).toEqual([{ source: primarySite.dlqArn, destination: primarySite.queueArn }]);
    expect(
      h
        .published()
        .slice(publishedBefore)
        .map((p) => p.subject),
    ).toEqual(["[DR] CONVERGED: switchover of tap-global-dev"]);
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1); // never promotes
  });
});

describe("X6: mapping updates take effect later, as in AWS", () => {
  it("X6: a run that meets mappings still Enabling/Disabling neither fails nor flips them again; a later tick finds them settled", async () => {
    h = harness(
      new FakeGlobalCluster(0, undefined, SECONDARY_ARN),
      () => 0.5,
      new FakeIntake(PRIMARY_REGION),
    );
    h.intake.transitionReads = 2;
    const first = await runConverge(settings(), h.deps);
    expect(first).toMatchObject({ ok: true, result: "converged" });
    expect(h.intake.stateIn(SECONDARY_REGION)).toMatch(/^Enabl/);
    const second = await runConverge(settings(), h.deps); // meets the transitions: in place, no update
    expect(second.steps?.find((s) => s.step === "follow-writer")).toMatchObject({
      ok: true,
      data: { changed: false },
    });
    expect(h.intake.switches).toEqual([
      "us-west-2 forwarder off",
      "us-west-2 processor on",
      "us-east-1 processor off",
      "us-east-1 forwarder on",
    ]);
    await runConverge(settings(), h.deps);
    expect(h.intake.stateIn(SECONDARY_REGION)).toBe("Enabled");
    expect(h.intake.forwarderStateIn(PRIMARY_REGION)).toBe("Enabled");
  });
});

describe("X1: orders that reach a DLQ after the failover's redrive are redriven by the next run", () => {
  it("X1: a DLQ that fills after the failover is redriven on the next tick; a tick with nothing to do changes and publishes nothing", async () => {
    h = harness(
      new FakeGlobalCluster(0, undefined, SECONDARY_ARN),
      () => 0.5,
      new FakeIntake(SECONDARY_REGION),
    );
    const quiet = await runConverge(settings(), h.deps);
    expect(quiet).toMatchObject({ ok: true, result: "converged" });
    expect(quiet.message).toMatch(/^Nothing to converge/);
    expect(h.intake.switches).toEqual([]);
    expect(h.published()).toEqual([]);

    // Orders that used up their receives in the standby while the writer was unreachable.
    h.intake.dlqDepth[primarySite.dlqArn] = 5;
    h.intake.dlqDepth[secondarySite.dlqArn] = 2;
    const busy = await runConverge(settings(), h.deps);
    expect(busy.message).toMatch(/^Converged/);
    expect(h.intake.moveTasks).toEqual([
      { source: secondarySite.dlqArn, destination: secondarySite.queueArn },
      { source: primarySite.dlqArn, destination: primarySite.queueArn },
    ]);
    expect(h.intake.switches).toEqual([]); // the roles were right: only the DLQs moved
    expect(h.published()).toHaveLength(1);
  });

  it("X1: the schedule's event is exactly {action: converge}; anything else is refused, never read as a failover", async () => {
    expect(parseEvent({ action: "converge" }, "failover", [])).toEqual({ kind: "converge" });
    expect(() => parseEvent({ action: "converge", mode: "failover" }, "failover", [])).toThrow(
      EventValidationError,
    );
    expect(() => parseEvent({ action: "failover" }, "failover", [])).toThrow(EventValidationError);

    h = harness(new FakeGlobalCluster(0), () => 0.5, new FakeIntake(PRIMARY_REGION));
    h.intake.dlqDepth[primarySite.dlqArn] = 1;
    const handler = createHandler({
      env: () => ({
        AWS_REGION: SECONDARY_REGION,
        GLOBAL_CLUSTER_ID: "tap-global-dev",
        TARGET_CLUSTER_ARN: SECONDARY_ARN,
        ALERT_TOPIC_ARN: TOPIC_ARN,
        PROCESSING_SITES: formatProcessingSites(SITES),
      }),
      buildDeps: () => h.deps,
    });
    const result = await handler({ action: "converge" });
    expect(result).toMatchObject({ result: "converged", trigger: "schedule" });
    expect(h.intake.moveTasks).toEqual([{ source: primarySite.dlqArn, destination: primarySite.queueArn }]);
    expect(h.fake.writer).toBe(PRIMARY_ARN);
  });
});
