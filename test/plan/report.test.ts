/** B1: the tree, summary, outputs, JSON and mermaid renderings of a plan. */
import { REDACTED } from "../../lib/plan/model";
import { renderMermaid, renderText, renderTree } from "../../lib/plan/render";
import { buildReport, PlanReport, reportToJson } from "../../lib/plan/report";
import { SecretValue } from "../mocks";
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

it("the tree lists every resource once, under its component, with type, name and region", () => {
  const tree = renderTree(report.graph);
  for (const r of dev.resources) expect(tree).toContain(`${r.type}  ${r.name}  `);
  expect(tree.split("\n")).toHaveLength(dev.resources.length);
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
  expect(cluster.options).toMatchObject({ protect: false, ignoreChanges: ["replicationSourceIdentifier"] });
  const json = JSON.stringify(doc);
  const password = dev.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
  expect(json).not.toContain(String(password.state.result));
  expect(doc).toMatchObject({ ok: true, policy: { mandatory: [] }, drBudget: { ok: true } });
});

it("mermaid: components and the order between them", () => {
  const m = renderMermaid(report.graph);
  expect(m.split("\n")[0]).toBe("graph TD");
  const id = (type: string) => {
    const line = m.split("\n").find((l) => l.includes(`["${type}<br/>`));
    return line!.trim().split("[")[0];
  };
  const topicComponent = m
    .split("\n")
    .find((l) => l.includes('["AlertTopic<br/>'))!
    .trim()
    .split("[")[0];
  expect(m).toContain(`${topicComponent} --> ${id("AuroraGlobalDatabase")}`);
  expect(m).not.toMatch(/aws:/);
});
