/**
 * scripts/plan.ts end to end, as `npm run plan` runs it (tsx, no jest, no Pulumi CLI, no credentials).
 * Needs the Lambda bundles in dist/lambda (`npm test` builds them first).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "./helpers";

function plan(...args: string[]) {
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules", ".bin", "tsx"), "scripts/plan.ts", ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

/** The configuration that meets the default 300 s RTO target (F5): automatic failover, 10 s checks. */
const AUTOMATIC = ["--config", "alarmFailoverAction=failover", "--config", "healthCheckIntervalSeconds=10"];

it("F5: the default dev stack (notify) counts a person's decision and says it misses the 300 s RTO target", () => {
  const r = plan("--stack", "dev");
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/RTO {2}\(assumes alarmFailoverAction=notify\)/);
  expect(r.stdout).toMatch(
    /a person decides \(alarmFailoverAction=notify\)\s+300 s\s+config tap:decisionSeconds/,
  );
  expect(r.stdout).toMatch(/plan FAILED: RTO \d+ s exceeds the 300 s target/);
});

it("dev: prints the tree, summary, outputs, budget and policy results and passes, well under 10 s", () => {
  const r = plan("--stack", "dev", ...AUTOMATIC);
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
  expect(r.ms).toBeLessThan(10_000);
});

it("prod --json: one JSON document on stdout", () => {
  const r = plan("--stack", "prod", "--json", ...AUTOMATIC);
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  expect(doc).toMatchObject({ stack: "prod", ok: true, policy: { mandatory: [] } });
  const cluster = doc.resources.find((x: { type: string }) => x.type === "aws:rds/cluster:Cluster");
  expect(cluster.options.protect).toBe(true);
});

it("a broken target fails the plan (exit 1) and says why; --mermaid still prints the graph", () => {
  const r = plan("--mermaid", "--config", "rtoTargetSeconds=60");
  expect(r.code).toBe(1);
  expect(r.stdout.startsWith("graph TD\n")).toBe(true);
  expect(r.stderr).toMatch(/FAILED: RTO \d+ s exceeds the 60 s target/);
});

it("a config error prints the ConfigError message and exits 2", () => {
  const r = plan("--config", "healthCheckIntervalSeconds=20");
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain("Invalid stack configuration (1 problem(s))");
  expect(r.stderr).toContain('healthCheckIntervalSeconds: "20" is not one of 10, 30');
});
