/** B1: the tree, summary, outputs, JSON and mermaid renderings of a plan. */
import { MEMBER_CLUSTER_RUNTIME_OWNED } from "../../lib/run-time-owned";
import { REDACTED } from "../../tooling/plan/model";
import { renderMermaid, renderText, renderTree } from "../../tooling/plan/render";
import { KNOWN_AFTER_DEPLOY } from "../../tooling/plan/known-values";
import { buildReport, PlanReport, reportToJson } from "../../tooling/plan/report";
import { PLAN_JSON_SCHEMA_VERSION } from "../../tooling/plan/schema-version";
import { SecretValue } from "../../tooling/mocks/recorded";
import { planStack, PlannedStack } from "./helpers";

let dev: PlannedStack;
let report: PlanReport;
beforeAll(async () => {
  // Automatic failover with 10 s checks: the configuration that meets the 300 s RTO target (F5), so
  // these rendering tests see a passing plan.
  dev = await planStack("dev", { alarmFailoverAction: "failover", healthCheckIntervalSeconds: "10" });
  const outputs = Object.fromEntries(
    Object.entries(dev.outputs).map(([k, v]) => [k, { value: v, secret: false }]),
  );
  outputs.adminPassword = { value: "hunter2", secret: true };
  outputs.nested = { value: { token: new SecretValue("abc"), plain: 1 }, secret: false };
  report = await buildReport({
    project: "tap",
    stack: "dev",
    resources: dev.resources,
    outputs,
    config: dev.config,
  });
});

it("the tree lists every resource once, under its component, with type, name and region, plus the replicas", () => {
  const tree = renderTree(report.graph);
  for (const r of dev.resources) expect(tree).toContain(`${r.type}  ${r.name}  `);
  const replicas = tree.split("\n").filter((l) => l.includes("↳ "));
  expect(tree.split("\n")).toHaveLength(dev.resources.length + replicas.length);
  const cluster = dev.resources.find((r) => r.type === "aws:rds/cluster:Cluster")!;
  expect(tree).toMatch(new RegExp(`[├└]─ aws:rds/cluster:Cluster  ${cluster.name}  \\[${cluster.region}\\]`));
});

it("the summary counts every custom resource per region and per service", () => {
  const custom = dev.resources.filter((r) => r.custom).length;
  const sum = (rows: [string, number][]) => rows.reduce((s, [, n]) => s + n, 0);
  expect(report.summary.resources).toBe(custom);
  expect(sum(report.summary.byRegion)).toBe(custom);
  expect(sum(report.summary.byService)).toBe(custom);
  expect(Object.fromEntries(report.summary.byService).rds).toBeGreaterThan(0);
});

it("outputs redact secrets, whole or nested", () => {
  expect(report.outputs.adminPassword).toBe(REDACTED);
  expect(report.outputs.nested).toEqual({ token: REDACTED, plain: 1 });
  const text = renderText(report);
  expect(text).not.toContain("hunter2");
  expect(text).toContain("plan OK");
});

it("JSON: dependencies include those inherited from ancestor components; inputs redact secrets", () => {
  const doc = reportToJson(report) as { resources: Record<string, unknown>[] };
  const cluster = doc.resources.find((r) => r.type === "aws:rds/cluster:Cluster")!;
  const topic = dev.resources.find((r) => r.type === "aws:sns/topic:Topic")!;
  // The Aurora component dependsOn the alert topics; its clusters do not list them themselves.
  expect(cluster.inheritedDependencies).toContain(topic.urn);
  expect(cluster.dependencies).toContain(topic.urn);
  expect(cluster.options).toMatchObject({ protect: false, ignoreChanges: MEMBER_CLUSTER_RUNTIME_OWNED });
  const json = JSON.stringify(doc);
  const password = dev.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
  expect(json).not.toContain(String(password.state.result));
  expect(doc).toMatchObject({ ok: true, policy: { mandatory: [] }, drBudget: { ok: true } });
});

it("mermaid: regions hold components, top-level components hold theirs, edges join top-level components", () => {
  const m = renderMermaid(report.graph);
  const lines = m.split("\n");
  expect(lines[0]).toBe("graph TD");
  const idOf = (label: string) =>
    lines
      .find((l) => l.includes(`["${label}"]`))!
      .trim()
      .replace(/^subgraph /, "")
      .split("[")[0];
  const regionOf = (label: string) => {
    const at = lines.findIndex((l) => l.includes(`["${label}"]`));
    return lines
      .slice(0, at)
      .reverse()
      .find((l) => /^ {2}subgraph r\d+/.test(l));
  };
  expect(regionOf("RegionalFoundation<br/>tap-dev-primary")).toMatch(/\["us-east-1"\]$/);
  expect(regionOf("RegionalFoundation<br/>tap-dev-secondary")).toMatch(/\["us-west-2"\]$/);
  expect(regionOf("AuroraGlobalDatabase<br/>tap-dev-aurora")).toMatch(/\["multi-region"\]$/);
  // The Aurora component waits on the alert topic, nested in the primary's foundation.
  const foundation = idOf("RegionalFoundation<br/>tap-dev-primary");
  expect(lines.find((l) => l.includes('["AlertTopic<br/>tap-dev-primary-alerts"]'))!.trim()).toMatch(
    new RegExp(`^${foundation}_\\d+\\[`),
  );
  expect(m).toContain(`  ${foundation} --> ${idOf("AuroraGlobalDatabase<br/>tap-dev-aurora")}`);
  const opened = lines.filter((l) => /^\s*subgraph /.test(l)).length;
  expect(lines.filter((l) => l.trim() === "end")).toHaveLength(opened);
  // Edges only between top-level components: far fewer than between all of them (122 before).
  expect(lines.filter((l) => l.includes(" --> ")).length).toBeLessThan(80);
  expect(m).not.toMatch(/aws:/);
});

it("the tree shows the settings a reviewer checks, and the replicas under their regions", () => {
  const tree = renderTree(report.graph);
  expect(tree).toMatch(
    /aws:rds\/cluster:Cluster {2}tap-dev-aurora-primary {2}\[us-east-1\] {2}\{engine 15\.14, no deletion protection, backups 7d, skip final snapshot\}/,
  );
  expect(tree).toMatch(
    /aws:rds\/clusterInstance:ClusterInstance {2}\S+ {2}\[us-east-1\] {2}\{class db\.r6g\.large\}/,
  );
  expect(tree).toMatch(
    /aws:lambda\/function:Function {2}tap-dev-primary-service-processor-fn {2}\[us-east-1\] {2}\{runtime nodejs22\.x, timeout \d+s/,
  );
  const table = tree
    .split("\n")
    .findIndex((l) => l.includes("aws:dynamodb/table:Table  tap-dev-orders-table"));
  expect(tree.split("\n")[table + 1]).toMatch(/↳ DynamoDB replica {2}\[us-west-2\]$/);
  const secret = tree.split("\n").findIndex((l) => l.includes("aws:secretsmanager/secret:Secret "));
  expect(tree.split("\n")[secret + 1]).toMatch(/↳ Secrets Manager replica {2}\[us-west-2\]$/);
});

it("outputs: computed values show as known after deploy, the program's own values as they are", () => {
  expect(report.previewOutputs).toMatchObject({
    primaryRegion: "us-east-1",
    globalClusterId: "tap-dev-aurora-global",
    dbEngineVersion: "15.14",
    primaryVpcId: KNOWN_AFTER_DEPLOY,
    primaryApiEndpoint: KNOWN_AFTER_DEPLOY,
    dynamoTableName: KNOWN_AFTER_DEPLOY,
    adminPassword: REDACTED,
  });
  expect(report.outputs.primaryVpcId).toMatch(/^vpc-/);
  const text = renderText(report);
  expect(text).toMatch(
    /== Outputs ==\n {2}\(as a preview shows them: values AWS computes are known after deploy\)\n/,
  );
  expect(text).toMatch(/\n {2}primaryVpcId +\(known after deploy\)\n/);
  const doc = reportToJson(report) as Record<string, Record<string, unknown>>;
  expect(doc.schemaVersion).toBe(PLAN_JSON_SCHEMA_VERSION);
  expect(doc.outputs.primaryVpcId).toBe(KNOWN_AFTER_DEPLOY);
  expect(doc.mockOutputs.primaryVpcId).toBe(report.outputs.primaryVpcId);
});
