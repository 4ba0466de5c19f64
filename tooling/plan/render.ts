/** Text and mermaid renderings of a PlanReport. */
import { renderDrBudget } from "./dr-budget";
import { PlanResource, ResourceGraph } from "./model";
import { PolicyViolation } from "./policy-check";
import { PlanReport } from "./report";
import { replicasOf, settingsOf } from "./settings";

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

function line(graph: ResourceGraph, r: PlanResource): string {
  if (!r.custom) {
    const regions = regionsBelow(graph, r);
    return `${r.type}  ${r.name}  (component${regions.length ? `: ${regions.join(", ")}` : ""})`;
  }
  const settings = settingsOf(r);
  return `${r.type}  ${r.name}  [${r.region ?? "-"}]${settings ? `  {${settings}}` : ""}`;
}

/**
 * Every resource under its component, in registration order, with the settings a reviewer checks in
 * braces. Replicas a resource keeps in other regions follow it, each under its own region.
 */
export function renderTree(graph: ResourceGraph): string {
  const lines: string[] = [];
  const visit = (r: PlanResource, prefix: string, last: boolean, top: boolean) => {
    lines.push(top ? line(graph, r) : `${prefix}${last ? "└─ " : "├─ "}${line(graph, r)}`);
    const next = top ? "" : `${prefix}${last ? "   " : "│  "}`;
    const kids = graph.children(r.urn);
    const replicas = replicasOf(r);
    replicas.forEach((x, i) =>
      lines.push(
        `${next}${i === replicas.length - 1 && kids.length === 0 ? "└─ " : "├─ "}↳ ${x.kind}  [${x.region}]`,
      ),
    );
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

/** Outputs as a preview shows them (report.previewOutputs): computed values are "(known after deploy)". */
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

/** The region a component lives in: its only one, or "multi-region" when it spans several (or none). */
function regionOf(graph: ResourceGraph, c: PlanResource): string {
  const regions = regionsBelow(graph, c);
  return regions.length === 1 ? regions[0] : "multi-region";
}

/** The component directly under a root that `c` belongs to (itself when it is one). */
function topComponent(graph: ResourceGraph, c: PlanResource): PlanResource {
  const chain = [c, ...graph.ancestors(c)].filter((x) => !x.custom);
  return chain.length > 1 ? chain[chain.length - 2] : c;
}

/**
 * The architecture: one subgraph per region, in it one subgraph per top-level component (a child of the
 * stack) with the components nested in it, and `A --> B` when resources of B wait on resources of A,
 * lifted to top-level components. A component whose resources are all in one region sits in that
 * region; the others (global database, replicated buckets, monitoring) in "multi-region".
 */
export function renderMermaid(graph: ResourceGraph): string {
  const roots = new Set(graph.roots().map((r) => r.urn));
  const components = graph.resources.filter((r) => !r.custom && !roots.has(r.urn));
  const tops = components.filter((c) => topComponent(graph, c) === c);
  const id = new Map(tops.map((c, i) => [c.urn, `t${i}`]));
  const edges = new Set<string>();
  for (const r of graph.resources) {
    const own = graph.componentOf(r);
    if (!own || roots.has(own.urn)) continue;
    const to = topComponent(graph, own);
    for (const dep of r.dependencies) {
      const d = graph.byUrn.get(dep);
      const fromOwn = d && graph.componentOf(d);
      if (!fromOwn || roots.has(fromOwn.urn)) continue;
      const from = topComponent(graph, fromOwn);
      if (from !== to) edges.add(`  ${id.get(from.urn)} --> ${id.get(to.urn)}`);
    }
  }
  const label = (c: PlanResource) => `${c.type.split(":").pop()}<br/>${c.name}`.replace(/"/g, "#quot;");
  const byRegion = new Map<string, PlanResource[]>();
  for (const c of tops) byRegion.set(regionOf(graph, c), [...(byRegion.get(regionOf(graph, c)) ?? []), c]);
  const order = (a: string, b: string) =>
    a === "multi-region" ? -1 : b === "multi-region" ? 1 : a.localeCompare(b);
  const block = (c: PlanResource) => {
    const nested = components.filter((x) => x !== c && topComponent(graph, x) === c);
    if (nested.length === 0) return [`    ${id.get(c.urn)}["${label(c)}"]`];
    return [
      `    subgraph ${id.get(c.urn)}["${label(c)}"]`,
      ...nested.map((x) => `      ${id.get(c.urn)}_${components.indexOf(x)}["${label(x)}"]`),
      "    end",
    ];
  };
  return [
    "graph TD",
    "  %% regions contain components; A --> B: resources of B wait on resources of A",
    ...[...byRegion.keys()]
      .sort(order)
      .flatMap((region, i) => [
        `  subgraph r${i}["${region}"]`,
        ...byRegion.get(region)!.flatMap(block),
        "  end",
      ]),
    ...[...edges].sort(),
  ].join("\n");
}

export function renderText(report: PlanReport): string {
  const section = (title: string, body: string) => `== ${title} ==\n${body}`;
  return [
    section(`Resources (stack ${report.stack})`, renderTree(report.graph)),
    section("Summary", renderSummary(report)),
    section(
      "Outputs",
      `  (as a preview shows them: values AWS computes are known after deploy)\n${renderOutputs(report.previewOutputs)}`,
    ),
    section("DR budget", renderDrBudget(report.budget)),
    section("Policy", renderPolicy(report)),
    // Only when there is something to say, so a stack that reserves nothing prints as before.
    ...(report.warnings.length
      ? [section("Warnings", report.warnings.map((w) => `warning: ${w}`).join("\n"))]
      : []),
    report.ok ? "plan OK" : `plan FAILED: ${report.failures.join("; ")}`,
  ].join("\n\n");
}
