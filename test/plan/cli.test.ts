/**
 * The plan command (tooling/plan/run-plan.ts) in-process: what it prints where, and its exit codes. Each
 * program configuration runs once for the file (test/program.ts). The process around it, through npm
 * exactly as the README writes each command, is tested in readme-commands.test.ts and
 * readme-plan-commands.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { locateRuns, sampleRuns, samplesOf } from "../docs/samples";
import { PRODUCTION_IDENTITY } from "../program";
import { ROOT } from "./as-typed";
import { BUDGET_ONLY_KEYS, plan, PlanResult, programConfig } from "./helpers";

// The dev plan is read by two tests: planned once.
let devPlan: Promise<PlanResult> | undefined;
const planDev = () => (devPlan ??= plan("--stack", "dev"));

it("F5: the default dev stack (notify) counts a person's decision, inside the 900 s default target", async () => {
  const r = await planDev();
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/RTO {2}\(assumes alarmFailoverAction=notify\)/);
  expect(r.stdout).toMatch(
    /a person decides \(alarmFailoverAction=notify\)\s+300 s\s+config tap:decisionSeconds/,
  );
  expect(r.stdout).toMatch(/target 900 s \(tap:rtoTargetSeconds, Pulumi.yaml default\)\s+OK/);
});

it("F5: a 300 s RTO target with a person deciding fails the plan and says why", async () => {
  const r = await plan("--stack", "dev", "--config", "rtoTargetSeconds=300");
  expect(r.code).toBe(1);
  expect(r.stdout + r.stderr).toMatch(/FAILED: RTO \d+ s exceeds the 300 s target/);
});

it("dev: prints the tree, summary, outputs, budget and policy results and passes", async () => {
  const r = await planDev();
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  for (const section of [
    "== Resources (stack dev) ==",
    "== Summary ==",
    "== Outputs ==",
    "== DR budget ==",
    "== Policy ==",
  ]) {
    expect(r.stdout).toContain(section);
  }
  expect(r.stdout).toMatch(/\nplan OK\n/);
  // How long it took is printed, not asserted (a loaded machine is not a failing plan).
  expect(r.stdout).toMatch(/\nplan dev: \d+ resources, \d+\.\d s\n$/);
});

it("prod --json (with a real identity provider set): one JSON document on stdout", async () => {
  const idp = Object.entries(PRODUCTION_IDENTITY).flatMap(([k, v]) => ["--config", `${k}=${v}`]);
  const r = await plan("--stack", "prod", "--json", ...idp);
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc).toMatchObject({ stack: "prod", ok: true, policy: { mandatory: [] } });
  const cluster = doc.resources.find((x: { type: string }) => x.type === "aws:rds/cluster:Cluster");
  expect(cluster.options.protect).toBe(true);
});

it("a broken target fails the plan (exit 1) and says why; --mermaid still prints the graph", async () => {
  const r = await plan("--mermaid", "--config", "rtoTargetSeconds=60");
  expect(r.code).toBe(1);
  expect(r.stdout.startsWith("graph TD\n")).toBe(true);
  expect(r.stderr).toMatch(/FAILED: RTO \d+ s exceeds the 60 s target/);
});

it("a config error prints the ConfigError message and exits 2", async () => {
  const r = await plan("--config", "healthCheckIntervalSeconds=20");
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain("Invalid stack configuration (1 problem(s))");
  expect(r.stderr).toContain('healthCheckIntervalSeconds: "20" is not one of 10, 30');
});

it("a misspelled --config key exits 2 naming the closest key", async () => {
  const r = await plan("--config", "primaryRegio=eu-west-1");
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain(
    "tap:primaryRegio: not a config key of this program; did you mean tap:primaryRegion?",
  );
});

it("the usage text shows the commands docs/plan.md shows", async () => {
  const readme = readFileSync(path.join(ROOT, "docs", "plan.md"), "utf8");
  const r = await plan("--help");
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/^usage: npm run plan -- \[--stack dev\|prod\]/);
  expect(readme).toContain("npm run plan -- --stack prod");
  expect(r.stderr).toContain("npm run --silent plan -- --json > plan.json");
});

it("O4: every plan sample in the README and docs/plan.md is lines of this dev plan, in order", async () => {
  const lines = (await planDev()).stdout.split("\n");
  const samples = samplesOf("plan dev");
  expect(samples.map((s) => s.file)).toEqual(["README.md", "docs/plan.md", "docs/plan.md"]);
  for (const sample of samples) {
    const runs = sampleRuns(sample);
    const at = locateRuns(runs, lines);
    // On a mismatch, show the first stale run next to what the plan prints where it should be.
    const stale = at.findIndex((x) => x === -1);
    if (stale !== -1) {
      const from = lines.indexOf(runs[stale][0]);
      expect({ sample: `${sample.file}:${sample.line}`, lines: runs[stale] }).toEqual({
        sample: `${sample.file}:${sample.line}`,
        lines:
          from === -1
            ? ["(first line not printed by the plan)"]
            : lines.slice(from, from + runs[stale].length),
      });
    }
    expect(at).not.toContain(-1);
  }
});

describe("plans that differ only in the DR budget's targets share one program run", () => {
  it("the program runs with the stack file's value of each budget-only key, whatever the plan was given", () => {
    const given = { "tap:rtoTargetSeconds": "60", "tap:alarmFailoverAction": "failover" };
    expect(programConfig("dev", "tap", given)).toEqual({
      "tap:rtoTargetSeconds": "900",
      "tap:alarmFailoverAction": "failover",
    });
  });

  it("lib/ reads no budget-only key outside lib/config (what makes sharing the run safe)", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory()
          ? files(path.join(dir, d.name))
          : d.name.endsWith(".ts")
            ? [path.join(dir, d.name)]
            : [],
      );
    const lib = path.join(ROOT, "lib");
    // TapConfig's field for rtoTargetSeconds is rtoSeconds (lib/config/index.ts).
    const names = [...BUDGET_ONLY_KEYS, "rtoSeconds"];
    const readers = files(lib)
      .filter((f) => !f.startsWith(path.join(lib, "config")))
      .filter((f) => names.some((n) => new RegExp(`\\b${n}\\b`).test(readFileSync(f, "utf8"))));
    expect(readers).toEqual([]);
  });
});
