/**
 * scripts/plan.ts end to end, as `npm run plan` runs it (tsx, no jest, no Pulumi CLI, no credentials).
 * Needs the Lambda bundles in dist/lambda (`npm test` builds them first).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { PLAN_JSON_SCHEMA_VERSION } from "../../lib/plan/report";
import { ROOT } from "./helpers";

function plan(...args: string[]) {
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
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

it("dev: prints the tree, summary, outputs, budget and policy results and passes", () => {
  const r = plan("--stack", "dev");
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

it("prod --json: one JSON document on stdout", () => {
  const r = plan("--stack", "prod", "--json");
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

it("a misspelled --config key exits 2 naming the closest key", () => {
  const r = plan("--config", "primaryRegio=eu-west-1");
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toContain(
    "tap:primaryRegio: not a config key of this program; did you mean tap:primaryRegion?",
  );
});

describe("the README's plan commands, run as the README writes them", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  // The commands in fenced bash blocks that redirect the plan into a file.
  const redirected = [...readme.matchAll(/^(npm run [^#\n]*\bplan\b[^#\n]*> *(\S+))/gm)].map((m) => ({
    command: m[1].trim(),
    file: m[2],
  }));
  // A user's shell: no npm_* variables from the `npm test` this runs under.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

  it("the README shows the JSON and the mermaid redirect", () => {
    expect(redirected.map((r) => r.file).sort()).toEqual(["plan.json", "plan.mmd"]);
  });

  it.each(redirected)(
    "$command: stdout holds the document alone",
    ({ command, file }) => {
      const target = path.join(ROOT, file);
      try {
        const r = spawnSync("sh", ["-c", command], { cwd: ROOT, env, encoding: "utf8", timeout: 120_000 });
        expect(r.status).toBe(0);
        const text = readFileSync(target, "utf8");
        if (file.endsWith(".json")) {
          const doc = JSON.parse(text);
          expect(doc).toMatchObject({ schemaVersion: PLAN_JSON_SCHEMA_VERSION, stack: "dev", ok: true });
        } else {
          expect(text.startsWith("graph TD\n")).toBe(true);
          expect(text).toMatch(/^ {2}subgraph r\d+\["us-east-1"\]$/m);
          const opened = (text.match(/^\s*subgraph /gm) ?? []).length;
          expect((text.match(/^\s*end$/gm) ?? []).length).toBe(opened);
          // Every line is mermaid: a header, a comment, a subgraph, a node, an end or an edge.
          const odd = text
            .trimEnd()
            .split("\n")
            .filter(
              (l) =>
                !/^(graph TD|\s*%%.*|\s*subgraph \w+\[".*"\]|\s*\w+\[".*"\]|\s*end|\s*\w+ --> \w+)$/.test(l),
            );
          expect(odd).toEqual([]);
        }
        // Progress is not lost, only kept off stdout.
        expect(r.stderr).toMatch(/bundled \d+ lambda\(s\)/);
      } finally {
        rmSync(target, { force: true });
      }
    },
    180_000,
  );

  it("the usage text shows the commands the README shows", () => {
    const r = plan("--help");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^usage: npm run plan -- \[--stack dev\|prod\]/);
    expect(readme).toContain("npm run plan -- --stack prod");
    expect(r.stderr).toContain("npm run --silent plan -- --json > plan.json");
  });
});
