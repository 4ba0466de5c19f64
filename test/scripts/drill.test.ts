import { SwitchoverGlobalClusterCommand, FailoverGlobalClusterCommand } from "@aws-sdk/client-rds";
import { main, parseArgs } from "../../scripts/drill";
import {
  FakeClock,
  FakeGlobalCluster,
  harness,
  PRIMARY_ARN,
  READ_ONLY_RDS_COMMANDS,
  SECONDARY_ARN,
  TOPIC_ARN,
  type Harness,
} from "../lambda/failover/fakes";

const OUTPUTS = {
  globalClusterId: "tap-global-dev",
  secondaryClusterArn: SECONDARY_ARN,
  secondaryRegion: "us-west-2",
  secondarySnsTopicArn: TOPIC_ARN,
  primaryClusterArn: PRIMARY_ARN,
};

let h: Harness;
afterEach(() => {
  h?.restore();
});

function run(
  argv: string[],
  outputs: Record<string, unknown> = OUTPUTS,
  fake = new FakeGlobalCluster(1),
  env: Record<string, string> = {},
) {
  h = harness(fake);
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
    rdsClient: (region) => h.deps.rdsForRegion!(region),
    snsClient: () => h.deps.sns,
    clock: new FakeClock(),
    random: () => 0.5,
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
    expect(h.rdsMock.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
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
      h.rdsMock.commandCalls(SwitchoverGlobalClusterCommand)[0].args[0].input.TargetDbClusterIdentifier,
    ).toBe(SECONDARY_ARN);
    expect(r.out.join("\n")).toMatch(/^after: .*writer=arn:aws:rds:us-west-2/m);
    expect(r.out.join("\n")).toMatch(/Result: completed/);
  });

  it("reads the outputs path from TAP_OUTPUTS_FILE when --outputs is absent", async () => {
    const r = run(["--mode", "switchover", "--dry-run"], OUTPUTS, new FakeGlobalCluster(1), {
      TAP_OUTPUTS_FILE: "/tmp/o.json",
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
    expect(() => parseArgs(["--mode", "failover", "--force"])).toThrow(/unknown argument "--force"/);
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
    expect(h.rdsMock.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
  });
});
