/** Text and mermaid renderings of a PlanReport. */
import { renderDrBudget } from "./dr-budget";
import { PlanResource, ResourceGraph } from "./model";
import { PolicyViolation } from "./policy-check";
import { PlanReport } from "./report";

function regionsBelow(graph: ResourceGraph, r: PlanResource): string[] {
  const found = new Set<string>();
  const visit = (x: PlanResource) => {
    for (const c of graph.children(x.urn)) {
      if (c.custom && c.region) found.add(c.region);
      visit(c);
    }
  };
  visit(r);
  return [...found].sort();
}

/** Every resource under its component, in registration order. */
export function renderTree(graph: ResourceGraph): string {
  const lines: string[] = [];
  const line = (r: PlanResource) =>
    r.custom
      ? `${r.type}  ${r.name}  [${r.region ?? "-"}]`
      : `${r.type}  ${r.name}  (component${regionsBelow(graph, r).length ? `: ${regionsBelow(graph, r).join(", ")}` : ""})`;
  const visit = (r: PlanResource, prefix: string, last: boolean, top: boolean) => {
    lines.push(top ? line(r) : `${prefix}${last ? "└─ " : "├─ "}${line(r)}`);
    const kids = graph.children(r.urn);
    const next = top ? "" : `${prefix}${last ? "   " : "│  "}`;
    kids.forEach((k, i) => visit(k, next, i === kids.length - 1, false));
  };
  for (const root of graph.roots()) visit(root, "", true, true);
  return lines.join("\n");
}

function table(rows: [string, number][], indent = "  "): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, n]) => `${indent}${k.padEnd(width)}  ${String(n).padStart(4)}`).join("\n");
}

export function renderSummary(report: PlanReport): string {
  const s = report.summary;
  return [
    `${s.resources} resources in ${s.components} components`,
    "by region:",
    table(s.byRegion),
    "by service:",
    table(s.byService),
  ].join("\n");
}

export function renderOutputs(outputs: Record<string, unknown>): string {
  const keys = Object.keys(outputs);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys
    .map((k) => {
      const v = outputs[k];
      return `  ${k.padEnd(width)}  ${typeof v === "string" ? v : JSON.stringify(v)}`;
    })
    .join("\n");
}

const violationLine = (v: PolicyViolation) =>
  `  ${v.enforcementLevel.padEnd(9)} ${v.policy}  ${v.type && v.name ? `${v.type} ${v.name}: ` : ""}${v.message}`;

export function renderPolicy(report: PlanReport): string {
  const p = report.policy;
  return [
    `policy pack ${p.pack}: ${p.policyCount} policies, ${p.mandatory.length} mandatory violation(s), ${p.advisory.length} advisory`,
    ...p.mandatory.map(violationLine),
    ...p.advisory.map(violationLine),
  ].join("\n");
}

/**
 * Components and the order between them: `A --> B` when a resource in B waits on a resource in A
 * (each resource belongs to its nearest component; nesting is shown by the tree, not here). Own
 * dependencies suffice: an inherited one already yields the edge to the ancestor that declared it.
 */
export function renderMermaid(graph: ResourceGraph): string {
  const components = graph.resources.filter((r) => !r.custom);
  const ids = new Map(components.map((c, i) => [c.urn, `c${i}`]));
  const edges = new Map<string, [number, number]>();
  for (const r of graph.resources) {
    const to = graph.componentOf(r);
    if (!to) continue;
    for (const dep of r.dependencies) {
      const d = graph.byUrn.get(dep);
      const from = d && graph.componentOf(d);
      if (!from || from === to || graph.isAncestor(from, to) || graph.isAncestor(to, from)) continue;
      const [a, b] = [ids.get(from.urn)!, ids.get(to.urn)!];
      edges.set(`  ${a} --> ${b}`, [Number(a.slice(1)), Number(b.slice(1))]);
    }
  }
  const label = (c: PlanResource) => `${c.type.split(":").pop()}<br/>${c.name}`.replace(/"/g, "#quot;");
  return [
    "graph TD",
    "  %% A --> B: resources of B wait on resources of A",
    ...components.map((c) => `  ${ids.get(c.urn)}["${label(c)}"]`),
    ...[...edges].sort((x, y) => x[1][0] - y[1][0] || x[1][1] - y[1][1]).map(([line]) => line),
  ].join("\n");
}

export function renderText(report: PlanReport): string {
  const section = (title: string, body: string) => `== ${title} ==\n${body}`;
  return [
    section(`Resources (stack ${report.stack})`, renderTree(report.graph)),
    section("Summary", renderSummary(report)),
    section("Outputs", renderOutputs(report.outputs)),
    section("DR budget", renderDrBudget(report.budget)),
    section("Policy", renderPolicy(report)),
    report.ok ? "plan OK" : `plan FAILED: ${report.failures.join("; ")}`,
  ].join("\n\n");
}
