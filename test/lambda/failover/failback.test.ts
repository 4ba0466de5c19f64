/**
 * X4: failback is the same button. The orchestrator deployed where production deploys it (the secondary
 * Region) and the drill move the writer back to the original primary and finish the job in that direction
 * too: mappings, forwarders, DLQs and the `tap:processingRegion` value to set. Against the per-Region
 * fakes (fakes.ts), with the writer already in the secondary after an earlier failover.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { FakeRpoLagMetric } from "../../scripts/fake-cloudwatch";
import { loadFailoverConfig, FailoverConfigError } from "../../../lambda/failover/config";
import { formatProcessingSites } from "../../../lambda/failover/env-keys";
import { EventValidationError, parseEvent } from "../../../lambda/failover/events";
import { createHandler } from "../../../lambda/failover/index";
import { main } from "../../../scripts/drill";
import {
  drillClients,
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
  TOPIC_ARN,
  type Harness,
} from "./fakes";
import { runFailover } from "../../../lambda/failover/orchestrator";

const [primarySite, secondarySite] = SITES;

const ENV = {
  AWS_REGION: SECONDARY_REGION,
  GLOBAL_CLUSTER_ID: "tap-global-dev",
  TARGET_CLUSTER_ARN: SECONDARY_ARN,
  FAILBACK_CLUSTER_ARN: PRIMARY_ARN,
  ALERT_TOPIC_ARN: TOPIC_ARN,
  ALARM_ACTION: "notify",
  ALLOWED_ALARMS: "tap-primary-health",
  PROCESSING_SITES: formatProcessingSites(SITES),
};

let h: Harness;
afterEach(() => h?.restore());

/** The world after a failover to the secondary: it writes and books, the primary forwards. */
function afterFailover(): Harness {
  h = harness(
    new FakeGlobalCluster(1, undefined, SECONDARY_ARN),
    () => 0.5,
    new FakeIntake(SECONDARY_REGION),
  );
  return h;
}

const failbackHandler = (env: Record<string, string> = ENV) =>
  createHandler({ env: () => env, buildDeps: () => h.deps });

describe("X4: failback through the orchestrator deployed in the secondary Region", () => {
  it("X4: a switchover aimed at the primary's Region moves the writer back and finishes the job that way round", async () => {
    afterFailover();
    h.intake.dlqDepth[primarySite.dlqArn] = 4;
    h.intake.dlqDepth[secondarySite.dlqArn] = 2;

    const result = await failbackHandler()({
      mode: "switchover",
      targetRegion: PRIMARY_REGION,
      requestedBy: "ops",
    });

    expect(result).toMatchObject({
      ok: true,
      result: "completed",
      targetClusterArn: PRIMARY_ARN,
      previousWriterArn: SECONDARY_ARN,
      currentWriterArn: PRIMARY_ARN,
    });
    // AWS takes a switchover in the current writer's Region: the function's own (secondary) Region.
    expect(h.fake.callRegions).toContain("SwitchoverGlobalCluster@us-west-2");
    expect(h.intake.switches).toEqual([
      "us-east-1 forwarder off",
      "us-east-1 processor on",
      "us-west-2 processor off",
      "us-west-2 forwarder on",
    ]);
    expect(h.intake.stateIn(SECONDARY_REGION)).toBe("Disabled");
    expect(h.intake.forwarderStateIn(SECONDARY_REGION)).toBe("Enabled");
    expect(h.intake.moveTasks).toEqual([
      { source: primarySite.dlqArn, destination: primarySite.queueArn },
      { source: secondarySite.dlqArn, destination: secondarySite.queueArn },
    ]);
    const follow = result.steps?.find((s) => s.step === "follow-writer");
    expect(follow?.data?.processingRegion).toBe("primary");
    expect(follow?.detail).toMatch(
      /the next pulumi up follows the writer \(only if tap:processingRegion is pinned: pulumi config set tap:processingRegion primary\)$/,
    );
  });

  it("X4/O3: a failover aimed at the primary reads the lag at risk in the primary's Region, where Aurora publishes it", async () => {
    afterFailover();
    h.fake.clusterStatus[SECONDARY_ARN] = "failed";
    const lag = new FakeRpoLagMetric(PRIMARY_REGION, "tap-primary-dev", [
      { at: new Date(Date.now() - 60_000), ms: 420 },
    ]);
    try {
      const result = await runFailover(
        { mode: "failover", dryRun: true, trigger: "direct", targetRegion: PRIMARY_REGION },
        settings({ failbackClusterArn: PRIMARY_ARN }),
        {
          ...h.deps,
          clock: { now: () => Date.now(), sleep: async () => undefined },
          cloudwatch: new CloudWatchClient({ region: SECONDARY_REGION }),
          cloudwatchForRegion: (region) => new CloudWatchClient({ region }),
        },
      );
      expect(result.lagAtRiskMs).toBe(420);
      expect(lag.queries.map((q) => q.region)).toEqual([PRIMARY_REGION]);
    } finally {
      lag.restore();
    }
  });

  it("X4: a failover aimed at the primary is sent through the primary's Region (the target's) and reconciles first", async () => {
    afterFailover();
    h.fake.clusterStatus[SECONDARY_ARN] = "failed"; // the secondary's writer is down, its Region answers
    const reconciled: string[] = [];
    const deps = {
      ...h.deps,
      reconcile: reconcileStub(() => reconciled.push(h.intake.stateIn(PRIMARY_REGION))),
    };
    const result = await runFailover(
      { mode: "failover", dryRun: false, trigger: "direct", targetRegion: PRIMARY_REGION },
      settings({ failbackClusterArn: PRIMARY_ARN }),
      deps,
    );
    expect(result).toMatchObject({ ok: true, result: "completed", currentWriterArn: PRIMARY_ARN });
    expect(h.fake.callRegions).toContain("FailoverGlobalCluster@us-east-1");
    expect(h.fake.callRegions).not.toContain("FailoverGlobalCluster@us-west-2");
    expect(reconciled).toEqual(["Disabled"]);
    expect(h.intake.stateIn(PRIMARY_REGION)).toBe("Enabled");
  });

  it("X4: a Region the function knows no cluster in is refused, with nothing requested", async () => {
    afterFailover();
    const result = await failbackHandler()({ mode: "switchover", targetRegion: "eu-west-1" });
    expect(result).toMatchObject({ ok: false, result: "refused" });
    expect(result.message).toMatch(/targetRegion eu-west-1 has no cluster .*us-west-2, us-east-1/);
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
  });

  it("X4: without FAILBACK_CLUSTER_ARN a failback is refused, naming what the function knows", async () => {
    afterFailover();
    const env: Record<string, string> = { ...ENV };
    delete env.FAILBACK_CLUSTER_ARN;
    const result = await failbackHandler(env)({ mode: "switchover", targetRegion: PRIMARY_REGION });
    expect(result).toMatchObject({ ok: false, result: "refused" });
    expect(result.message).toMatch(/it knows us-west-2\)/);
    expect(h.intake.switches).toEqual([]);
  });

  it("X4: the event's targetRegion and FAILBACK_CLUSTER_ARN are validated", () => {
    expect(parseEvent({ mode: "switchover", targetRegion: "us-east-1" }, "notify", [])).toMatchObject({
      kind: "run",
      request: { targetRegion: "us-east-1" },
    });
    expect(() => parseEvent({ mode: "switchover", targetRegion: "primary" }, "notify", [])).toThrow(
      EventValidationError,
    );
    expect(() => loadFailoverConfig({ ...ENV, FAILBACK_CLUSTER_ARN: "tap-primary" })).toThrow(
      FailoverConfigError,
    );
    expect(loadFailoverConfig(ENV).failbackClusterArn).toBe(PRIMARY_ARN);
  });
});

describe("X4: failback with the drill", () => {
  it("X4: --target-region <primary> --mode switchover --yes moves the writer back and reports the config to set", async () => {
    afterFailover();
    const out: string[] = [];
    const code = await main(["--mode", "switchover", "--target-region", PRIMARY_REGION, "--yes"], {
      readFile: () =>
        JSON.stringify({
          globalClusterId: "tap-global-dev",
          secondaryClusterArn: SECONDARY_ARN,
          secondaryRegion: SECONDARY_REGION,
          secondarySnsTopicArn: TOPIC_ARN,
          primaryClusterArn: PRIMARY_ARN,
          processingSites: formatProcessingSites(SITES),
        }),
      env: {},
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      ...drillClients(h),
    });
    expect(code).toBe(0);
    expect(h.fake.writer).toBe(PRIMARY_ARN);
    expect(out.join("\n")).toMatch(/target \(primary: failback\) cluster: .*primary.* in us-east-1/);
    expect(out.join("\n")).toMatch(/step follow-writer: ok: .*tap:processingRegion primary/);
    expect(h.intake.stateIn(PRIMARY_REGION)).toBe("Enabled");
    expect(h.intake.forwarderStateIn(SECONDARY_REGION)).toBe("Enabled");
  });
});
