import { RDSClient, SwitchoverGlobalClusterCommand, FailoverGlobalClusterCommand } from "@aws-sdk/client-rds";
import { createServer, type Server } from "node:net";
import { DescribeGlobalClustersCommand } from "@aws-sdk/client-rds";
import { formatProcessingSites } from "../../lambda/failover/env-keys";
import {
  defaultDeps,
  drillClientConfig,
  DRILL_HTTP_TIMEOUTS,
  main,
  parseArgs,
  type DrillDeps,
} from "../../scripts/drill";
import {
  FakeIntake,
  PRIMARY_REGION,
  SECONDARY_REGION,
  SITES,
  drillClients,
  FakeClock,
  FakeGlobalCluster,
  harness,
  PRIMARY_ARN,
  READ_ONLY_RDS_COMMANDS,
  SECONDARY_ARN,
  TOPIC_ARN,
  type Harness,
} from "../lambda/failover/fakes";
import { OUTPUTS_FILE_ENV } from "../../lib/stack-outputs";
import { FakeRpoLagMetric } from "./fake-cloudwatch";
import { createWitness } from "../../gameday/witness-table";
import { readWitness } from "../../lambda/shared/lease-witness";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startDynamo, type TestDynamo } from "../../tooling/stores/dynamodb";

const OUTPUTS = {
  globalClusterId: "tap-global-dev",
  secondaryClusterArn: SECONDARY_ARN,
  secondaryRegion: "us-west-2",
  secondarySnsTopicArn: TOPIC_ARN,
  primaryClusterArn: PRIMARY_ARN,
};
/** The same file from a stack that exports its processing sites (the orchestrator's PROCESSING_SITES). */
const WITH_SITES = { ...OUTPUTS, processingSites: formatProcessingSites(SITES) };
/** What a file without the writer lease's outputs (tap:writerLease false, or written before X3) warns. */
const NO_LEASE_WARNING = (file: string) =>
  expect.stringMatching(
    new RegExp(
      `^drill: warning: ${file.replace(".", "\\.")} has no writer lease outputs .*the lease will not move`,
    ),
  );

let h: Harness;
const T0 = Date.UTC(2025, 0, 1);
/** The secondary's lag, published in its own Region; two minutes old datapoints included. */
let cw: FakeRpoLagMetric;
beforeEach(() => {
  cw = new FakeRpoLagMetric(SECONDARY_REGION, "tap-secondary-dev", [
    { at: new Date(T0 - 120_000), ms: 4_000 },
    { at: new Date(T0 - 60_000), ms: 850 },
  ]);
});
afterEach(() => {
  h?.restore();
  cw.restore();
});

function run(
  argv: string[],
  outputs: Record<string, unknown> = OUTPUTS,
  fake = new FakeGlobalCluster(1),
  env: Record<string, string> = {},
  setup: (h: Harness) => void = () => undefined,
  extra: Partial<DrillDeps> = {},
) {
  h = harness(fake, () => 0.5, new FakeIntake());
  setup(h);
  // A failover passes its preconditions only when the primary's own Region reports it unhealthy (F3).
  if (argv.includes("failover")) h.fake.clusterStatus[PRIMARY_ARN] = "failed";
  const out: string[] = [];
  const err: string[] = [];
  const files: string[] = [];
  const code = main(argv, {
    readFile: (p) => {
      files.push(p);
      return JSON.stringify(outputs);
    },
    env,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    ...drillClients(h),
    cloudwatchClient: (region) => cw.client(region),
    clock: new FakeClock(T0),
    ...extra,
  });
  return { code, out, err, files };
}

describe("scripts/drill.ts", () => {
  it("P7: --dry-run prints the live state before and after, the plan, and makes no mutating call", async () => {
    const r = run(["--mode", "switchover", "--dry-run"]);
    expect(await r.code).toBe(0);
    const text = r.out.join("\n");
    expect(text).toMatch(/DRY RUN/);
    expect(text).toMatch(
      /^before: global cluster tap-global-dev: Status=available; writer=arn:aws:rds:us-east-1/m,
    );
    expect(text).toMatch(
      /^after: global cluster tap-global-dev: Status=available; writer=arn:aws:rds:us-east-1/m,
    );
    expect(text).toMatch(/plan: SwitchoverGlobalCluster .*data loss possible: no/);
    expect(text).toMatch(/Step 1\/3[\s\S]*Step 2\/3[\s\S]*Step 3\/3/);
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
    expect(h.fake.writer).toBe(PRIMARY_ARN);
    expect(r.files).toEqual(["outputs.json"]);
  });

  it("P7: without --yes (and without --dry-run) it never acts: prints the plan, says to add --yes, exits 2", async () => {
    const r = run(["--mode", "failover"]);
    expect(await r.code).toBe(2);
    expect(r.out.join("\n")).toMatch(/re-run with --yes/);
    expect(r.out.join("\n")).toMatch(/AllowDataLoss.*data loss possible: yes/);
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    expect(h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
  });

  it("P7: --dry-run wins over --yes", async () => {
    const r = run(["--mode", "failover", "--dry-run", "--yes"]);
    expect(await r.code).toBe(0);
    expect(h.rdsCommands().every((c) => READ_ONLY_RDS_COMMANDS.has(c))).toBe(true);
  });

  it("P7: with --yes it runs the same orchestrator for real and shows the new writer afterwards", async () => {
    const r = run(["--mode", "switchover", "--yes", "--outputs", "stack.json"]);
    expect(await r.code).toBe(0);
    expect(r.files).toEqual(["stack.json"]);
    expect(
      h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand)[0].args[0].input
        .TargetDbClusterIdentifier,
    ).toBe(SECONDARY_ARN);
    expect(r.out.join("\n")).toMatch(/^after: .*writer=arn:aws:rds:us-west-2/m);
    expect(r.out.join("\n")).toMatch(/Result: completed/);
  });

  it("reads the outputs path from TAP_OUTPUTS_FILE when --outputs is absent", async () => {
    const r = run(["--mode", "switchover", "--dry-run"], OUTPUTS, new FakeGlobalCluster(1), {
      [OUTPUTS_FILE_ENV]: "/tmp/o.json",
    });
    expect(await r.code).toBe(0);
    expect(r.files).toEqual(["/tmp/o.json"]);
  });

  it("a missing outputs key is a clear error naming every missing key, before any AWS call", async () => {
    const partial = { ...OUTPUTS, secondaryRegion: undefined, secondarySnsTopicArn: undefined };
    const r = run(["--mode", "switchover", "--dry-run"], partial);
    expect(await r.code).toBe(2);
    expect(r.err[0]).toMatch(/missing stack output key\(s\): secondaryRegion, secondarySnsTopicArn/);
    expect(h.rdsMock.calls()).toHaveLength(0);
  });

  it("rejects a bad mode or an unknown flag with usage", () => {
    expect(() => parseArgs(["--mode", "promote"])).toThrow(/--mode must be switchover or failover/);
    expect(() => parseArgs(["--mode", "failover", "--frce"])).toThrow(/unknown argument "--frce"/);
    expect(() => parseArgs(["--mode", "switchover", "--force"])).toThrow(
      /--force applies to --mode failover only/,
    );
    expect(() => parseArgs([])).toThrow(/--mode is required/);
    expect(parseArgs(["--mode=failover", "--yes"])).toMatchObject({
      mode: "failover",
      yes: true,
      dryRun: false,
    });
  });

  it("P7: a refused switchover (primary unhealthy) exits 1 and says to use failover", async () => {
    const fake = new FakeGlobalCluster(1);
    fake.clusterStatus[PRIMARY_ARN] = "failed";
    const r = run(["--mode", "switchover", "--yes"], OUTPUTS, fake);
    expect(await r.code).toBe(1);
    expect(r.out.join("\n")).toMatch(/Result: refused[\s\S]*mode "failover"/);
    expect(h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
  });
});

describe("scripts/drill.ts: the lag at decision time (O3)", () => {
  it("O3: before it asks for --yes it reads the secondary's AuroraGlobalDBRPOLag in the secondary Region and says how it compares with the RPO target", async () => {
    const r = run(["--mode", "failover"], { ...OUTPUTS, auroraRpoTargetSeconds: 1 });
    expect(await r.code).toBe(2);
    const text = r.out.join("\n");
    expect(text).toContain(
      "RPO lag (AuroraGlobalDBRPOLag of tap-secondary-dev in us-west-2): 850 ms at 2024-12-31T23:59:00.000Z, within the RPO target of 1 s",
    );
    // Before the plan and the reminder to add --yes.
    expect(text.indexOf("RPO lag")).toBeLessThan(text.indexOf("re-run with --yes"));
    expect(text.indexOf("RPO lag")).toBeLessThan(text.indexOf("Step 2/3"));
    expect(cw.queries[0].region).toBe(SECONDARY_REGION);
  });

  it("O3: a lag above the target says so and points at the decision table; a switchover shows it too", async () => {
    cw.datapoints.push({ at: new Date(T0 - 10_000), ms: 2_500 });
    const r = run(["--mode", "switchover", "--dry-run"], { ...OUTPUTS, auroraRpoTargetSeconds: 1 });
    expect(await r.code).toBe(0);
    expect(r.out.join("\n")).toMatch(
      /: 2500 ms at 2024-12-31T23:59:50.000Z, ABOVE the RPO target of 1 s: .*decision table in docs\/runbook\.md/,
    );
  });

  it("O3: no datapoint (the cluster is not a connected secondary), an unreachable CloudWatch, or no target output: says so, never a number", async () => {
    cw.datapoints.length = 0;
    let r = run(["--mode", "failover", "--dry-run"]);
    expect(await r.code).toBe(0);
    expect(r.out.join("\n")).toMatch(
      /: no datapoint in the last 10 min .*treat the writes at risk as unknown/,
    );
    h.restore();
    cw.unreachable = true;
    r = run(["--mode", "failover", "--dry-run"]);
    expect(await r.code).toBe(0);
    expect(r.out.join("\n")).toMatch(
      /: could not be read \(ETIMEDOUT: connect ETIMEDOUT\); treat the writes at risk as unknown/,
    );
    h.restore();
    cw.unreachable = false;
    cw.datapoints.push({ at: new Date(T0 - 30_000), ms: 120 });
    r = run(["--mode", "failover", "--dry-run"]);
    expect(await r.code).toBe(0);
    expect(r.out.join("\n")).toMatch(
      /: 120 ms at .* \(no auroraRpoTargetSeconds in the outputs file to compare with\)/,
    );
  });

  it("O3: the orchestrator's own plan carries the same lag (the drill gives it CloudWatch)", async () => {
    const r = run(["--mode", "failover"], { ...OUTPUTS, auroraRpoTargetSeconds: 1 });
    expect(await r.code).toBe(2);
    expect(r.out.join("\n")).toMatch(/data loss possible: yes \(RPO lag 850 ms\)/);
  });

  it("O3: a malformed auroraRpoTargetSeconds is an outputs error naming it", async () => {
    const r = run(["--mode", "failover"], { ...OUTPUTS, auroraRpoTargetSeconds: "one" });
    expect(await r.code).toBe(2);
    expect(r.err[0]).toMatch(/auroraRpoTargetSeconds: expected a positive integer/);
  });
});

describe("scripts/drill.ts: never hangs, never claims what it did not do (O4)", () => {
  it("O2: every client it builds has connect and request timeouts", async () => {
    expect(drillClientConfig("us-west-2")).toEqual({
      region: "us-west-2",
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true },
    });
    const deps = defaultDeps();
    for (const client of [
      deps.rdsClient("us-west-2"),
      deps.snsClient("us-east-1"),
      deps.lambdaClient("us-east-1"),
      deps.sqsClient("us-west-2"),
    ]) {
      const handler = client.config.requestHandler as unknown as {
        configProvider: Promise<Record<string, unknown>>;
      };
      expect(await handler.configProvider).toMatchObject(DRILL_HTTP_TIMEOUTS);
      client.destroy();
    }
  });

  it("O2: with those settings a Region that accepts connections but never answers fails the call, not the drill", async () => {
    const sockets: import("node:net").Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const client = new RDSClient({
      ...drillClientConfig("us-west-2"),
      requestHandler: { ...DRILL_HTTP_TIMEOUTS, requestTimeout: 300 },
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    });
    const started = Date.now();
    try {
      await expect(client.send(new DescribeGlobalClustersCommand({}))).rejects.toThrow(/timeout|timed out/i);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      client.destroy();
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    }
  });

  it("O2: a confirmed run with nothing to do exits 3 and says why", async () => {
    const r = run(
      ["--mode", "switchover", "--yes"],
      OUTPUTS,
      new FakeGlobalCluster(1, undefined, SECONDARY_ARN),
    );
    expect(await r.code).toBe(3);
    expect(r.out.join("\n")).toMatch(/Nothing was started: .*already the writer/);
  });

  it("O2: in failover mode a switchover in progress blocks it: exit 3, no failover call, points at the runbook", async () => {
    const fake = new FakeGlobalCluster(50);
    fake.operation = { kind: "switchover", from: PRIMARY_ARN, to: SECONDARY_ARN, pollsLeft: 50 };
    fake.status = "switching-over";
    const r = run(["--mode", "failover", "--yes"], OUTPUTS, fake);
    expect(await r.code).toBe(3);
    expect(r.out.join("\n")).toMatch(/Nothing was started: A switchover is already in progress/);
    expect(r.out.join("\n")).toMatch(/When the drill is blocked.*--force overrides/);
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  it("O2: in failover mode a global cluster that is merely not available does not block", async () => {
    const fake = new FakeGlobalCluster(1);
    fake.status = "modifying";
    const r = run(["--mode", "failover", "--yes"], OUTPUTS, fake);
    expect(await r.code).toBe(0);
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
    expect(r.out.join("\n")).toMatch(/Result: completed/);
  });

  it("O2: the same state blocks a switchover (both Regions must be healthy) with exit 3", async () => {
    const fake = new FakeGlobalCluster(1);
    fake.status = "modifying";
    const r = run(["--mode", "switchover", "--yes"], OUTPUTS, fake);
    expect(await r.code).toBe(3);
    expect(h.rdsMocks[PRIMARY_REGION].commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
  });

  it("O2: --force lets a failover go ahead while another operation is in progress", async () => {
    const fake = new FakeGlobalCluster(1);
    fake.operation = { kind: "switchover", from: PRIMARY_ARN, to: SECONDARY_ARN, pollsLeft: 3 };
    fake.status = "switching-over";
    const r = run(["--mode", "failover", "--yes", "--force"], OUTPUTS, fake);
    expect(await r.code).toBe(0);
    expect(r.out.join("\n")).not.toMatch(/Nothing was started/);
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand).length).toBeGreaterThan(0);
    expect(r.out.join("\n")).toMatch(/Result: completed/);
  });
});

describe("scripts/drill.ts: each call through the Region AWS documents (O3)", () => {
  it("O2: a switchover is sent through the current writer's Region", async () => {
    const fake = new FakeGlobalCluster(1);
    const r = run(["--mode", "switchover", "--yes"], OUTPUTS, fake);
    expect(await r.code).toBe(0);
    expect(fake.callRegions).toContain("SwitchoverGlobalCluster@us-east-1");
    expect(fake.callRegions.filter((c) => c.startsWith("Switchover"))).toEqual([
      "SwitchoverGlobalCluster@us-east-1",
    ]);
  });

  it("O2: a failover is sent through the target's Region and succeeds with the primary Region down", async () => {
    const fake = new FakeGlobalCluster(1);
    fake.downRegions.add("us-east-1");
    const r = run(["--mode", "failover", "--yes"], OUTPUTS, fake);
    expect(await r.code).toBe(0);
    // Only the precondition probe of the primary's health goes there (and fails: the Region is down);
    // nothing that changes the global cluster does.
    expect(
      fake.callRegions.filter((c) => c.endsWith("@us-east-1") && !c.startsWith("DescribeDBClusters")),
    ).toEqual([]);
    expect(fake.callRegions).toContain("FailoverGlobalCluster@us-west-2");
  });
});

describe("scripts/drill.ts: the drill finishes the job like the Lambda (F2)", () => {
  /** Orders waiting in each Region's DLQ: both are redriven after the writer moves. */
  const withDeadLetters = (h: Harness) => {
    h.intake.dlqDepth[SITES[0].dlqArn] = 2;
    h.intake.dlqDepth[SITES[1].dlqArn] = 3;
  };

  it("F2: a confirmed switchover flips both Regions' mappings, stopping consumers first, and redrives both DLQs", async () => {
    const r = run(["--mode", "switchover", "--yes"], WITH_SITES, undefined, {}, withDeadLetters);
    expect(await r.code).toBe(0);
    expect(h.intake.switches).toEqual([
      "us-west-2 forwarder off",
      "us-west-2 processor on",
      "us-east-1 processor off",
      "us-east-1 forwarder on",
    ]);
    expect(h.intake.moveTasks).toEqual([
      { source: SITES[1].dlqArn, destination: SITES[1].queueArn },
      { source: SITES[0].dlqArn, destination: SITES[0].queueArn },
    ]);
    const text = r.out.join("\n");
    expect(text).toMatch(/processing sites: us-east-1, us-west-2/);
    expect(text).toMatch(/step follow-writer: ok: orders are processed in us-west-2/);
    expect(text).toMatch(/step redrive: ok: moving about 3 message\(s\)/);
    expect(text).toMatch(/step redrive-standby: ok: us-east-1: moving about 2 message\(s\)/);
    expect(r.err).toEqual([NO_LEASE_WARNING("outputs.json")]);
  });

  it("F2: a failover with the primary Region down still moves processing to the secondary; the primary is best effort", async () => {
    const fake = new FakeGlobalCluster(1);
    fake.downRegions.add(PRIMARY_REGION);
    const r = run(["--mode", "failover", "--yes"], WITH_SITES, fake, {}, (h) => {
      h.regions.down.add(PRIMARY_REGION);
      withDeadLetters(h);
    });
    expect(await r.code).toBe(0);
    expect(h.fake.writer).toBe(SECONDARY_ARN);
    expect([h.intake.stateIn(SECONDARY_REGION), h.intake.forwarderStateIn(SECONDARY_REGION)]).toEqual([
      "Enabled",
      "Disabled",
    ]);
    // Unreachable: left as it was, reported, and switched by a re-run when the Region is back.
    expect(h.intake.stateIn(PRIMARY_REGION)).toBe("Enabled");
    expect(h.intake.moveTasks).toEqual([{ source: SITES[1].dlqArn, destination: SITES[1].queueArn }]);
    const text = r.out.join("\n");
    expect(text).toMatch(
      /step follow-writer: ok: orders are processed in us-west-2; .*us-east-1: switch to forwarding failed, best effort/,
    );
    expect(text).toMatch(
      /step redrive-standby: ok: us-east-1: .*best effort; re-run when the Region is back/,
    );
    // The drill has no reconcile function: the orchestrator names the CLI to run.
    expect(text).toMatch(
      /step reconcile: NEEDS ATTENTION: no reconcile function configured: run `npm run reconcile -- --since 2024-12-31T23:\d\d:\d\d\.\d{3}Z`/,
    );
  });

  it.each([
    ["an explicit dry run", ["--mode", "switchover", "--dry-run"], PRIMARY_ARN],
    ["a failover without --yes", ["--mode", "failover"], PRIMARY_ARN],
    ["a dry run whose target already writes", ["--mode", "switchover", "--dry-run"], SECONDARY_ARN],
  ])("F2: %s reads the sites but changes no mapping and redrives nothing", async (_, argv, writer) => {
    const r = run(argv, WITH_SITES, new FakeGlobalCluster(1, undefined, writer), {}, withDeadLetters);
    await r.code;
    expect(h.intake.switches).toEqual([]);
    expect(h.intake.moveTasks).toEqual([]);
    expect(r.out.join("\n")).toMatch(/processing sites: us-east-1, us-west-2/);
    expect(r.out.join("\n")).not.toMatch(/step follow-writer/);
  });

  it("F2: an outputs file without processingSites runs database-only and warns, naming the output", async () => {
    const r = run(["--mode", "switchover", "--yes", "--outputs", "old.json"], OUTPUTS);
    expect(await r.code).toBe(0);
    expect(h.fake.writer).toBe(SECONDARY_ARN);
    expect(r.err).toEqual([
      expect.stringMatching(
        /^drill: warning: old\.json has no processingSites output .*moves the database only; processing does not follow and no DLQ is redriven/,
      ),
      NO_LEASE_WARNING("old.json"),
    ]);
    expect(h.intake.switches).toEqual([]);
    expect(r.out.join("\n")).toMatch(/step follow-writer: NEEDS ATTENTION: .*by hand/);
  });

  it.each([
    [
      "a site the orchestrator would refuse",
      '[{"region":"us-east-1"}]',
      /processingSites: not what the orchestrator's PROCESSING_SITES accepts \(PROCESSING_SITES\[0\]\.mappingUuid: not a mapping UUID;/,
    ],
    [
      "not JSON",
      "[{",
      /processingSites: not what the orchestrator's PROCESSING_SITES accepts \(PROCESSING_SITES: not JSON\)/,
    ],
    [
      "an array instead of its JSON text",
      SITES,
      /processingSites: expected a non-empty string, got array\(2\)/,
    ],
    ["no site at all", "[]", /processingSites: expected at least one processing site/],
    [
      "no site in the Region the drill promotes",
      formatProcessingSites([SITES[0]]),
      /processingSites: no site in us-west-2/,
    ],
  ])(
    "F2: a malformed processingSites output (%s) exits 2 naming it, before any AWS call",
    async (_, value, message) => {
      const r = run(["--mode", "switchover", "--yes"], { ...OUTPUTS, processingSites: value });
      expect(await r.code).toBe(2);
      expect(r.err[0]).toMatch(message);
      expect(h.rdsCommands()).toEqual([]);
      expect(h.intake.switches).toEqual([]);
    },
  );
});

describe("X3: the drill moves the writer lease like the function", () => {
  let dynamo: TestDynamo;
  let n = 0;
  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(() => dynamo?.stop());

  /** A witness whose lease the primary holds, the outputs file naming it, and the drill's witness client. */
  async function witnessed() {
    const table = `drill-lease-${++n}`;
    await createWitness(dynamo.client, table, PRIMARY_REGION);
    const regions: string[] = [];
    const extra: Partial<DrillDeps> = {
      witnessClient: (region) => {
        regions.push(region);
        return dynamo.doc;
      },
    };
    const outputs = {
      ...WITH_SITES,
      witnessTableName: table,
      witnessRegion: "us-east-2",
      writerLeaseMs: 30_000,
    };
    const holder = async () => readWitness(dynamo.doc, table);
    return { outputs, extra, regions, holder };
  }

  it("X3: a confirmed switchover moves the lease to the target through a client in the witness Region, with no wait", async () => {
    const w = await witnessed();
    const clock = new FakeClock(T0);
    const r = run(["--mode", "switchover", "--yes"], w.outputs, undefined, {}, undefined, {
      ...w.extra,
      clock,
    });
    expect(await r.code).toBe(0);
    expect(await w.holder()).toEqual({ holder: SECONDARY_REGION, epoch: 2 });
    expect(w.regions).toEqual(["us-east-2"]);
    expect(r.out.join("\n")).toMatch(
      /writer lease: drill-lease-\d+ in us-east-2 \(moved to the target before the promotion\)/,
    );
    expect(r.out.join("\n")).toMatch(/writer lease moved; waiting it out before the promotion/);
    expect(clock.sleeps).not.toContain(33_000);
    expect(r.err).toEqual([]);
  });

  it("X3: a confirmed failover waits out the lease (33 s) before it promotes", async () => {
    const w = await witnessed();
    const clock = new FakeClock(T0);
    const r = run(["--mode", "failover", "--yes"], w.outputs, undefined, {}, undefined, {
      ...w.extra,
      clock,
    });
    expect(await r.code).toBe(0);
    expect(h.fake.writer).toBe(SECONDARY_ARN);
    expect(await w.holder()).toEqual({ holder: SECONDARY_REGION, epoch: 2 });
    expect(clock.sleeps).toContain(33_000);
  });

  it("X3: a dry run leaves the lease where it is", async () => {
    const w = await witnessed();
    const r = run(["--mode", "switchover", "--dry-run"], w.outputs, undefined, {}, undefined, w.extra);
    expect(await r.code).toBe(0);
    expect(await w.holder()).toEqual({ holder: PRIMARY_REGION, epoch: 1 });
  });

  it("X3: half the witness outputs is an outputs error, before any AWS call", async () => {
    const w = await witnessed();
    const half: Record<string, unknown> = { ...w.outputs };
    delete half.writerLeaseMs;
    const r = run(["--mode", "switchover", "--yes"], half, undefined, {}, undefined, w.extra);
    expect(await r.code).toBe(2);
    expect(r.err[0]).toMatch(/the writer lease's outputs are incomplete: writerLeaseMs missing/);
    expect(h.rdsCommands()).toEqual([]);
    expect(await w.holder()).toEqual({ holder: PRIMARY_REGION, epoch: 1 });
  });

  it("X3: the drill's witness client is in the witness Region with the drill's timeouts and one attempt", async () => {
    const client = defaultDeps().witnessClient("us-east-2") as DynamoDBDocumentClient;
    expect(await client.config.region()).toBe("us-east-2");
    expect(await client.config.maxAttempts()).toBe(1);
    const handler = client.config.requestHandler as unknown as {
      configProvider: Promise<Record<string, unknown>>;
    };
    expect(await handler.configProvider).toMatchObject(DRILL_HTTP_TIMEOUTS);
    client.destroy();
  });
});
