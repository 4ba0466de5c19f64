/**
 * The offline plan's result: resources with their effective dependencies and options, outputs, the DR
 * budget and the policy results, plus whether the plan passes (no mandatory violation, budget kept).
 */
import { reservationWarnings } from "../../lib/config/concurrency-quota";
import { securityWarnings } from "../../lib/config/security";
import { TapConfig } from "../../lib/config";
import { budgetToJson, computeDrBudget, DrBudget } from "./dr-budget";
import { asPreviewed, computedStrings } from "./known-values";
import { PlanResource, REDACTED, redactSecrets, ResourceGraph, serviceOf } from "./model";
import { PolicyRun, runPolicies } from "./policy-check";
import { PLAN_JSON_SCHEMA_VERSION } from "./schema-version";

export interface ResolvedOutput {
  readonly value: unknown;
  readonly secret: boolean;
}

export interface PlanInput {
  readonly project: string;
  readonly stack: string;
  readonly resources: readonly PlanResource[];
  readonly outputs: Readonly<Record<string, ResolvedOutput>>;
  readonly config: TapConfig;
  /** Where each fully qualified config key came from, for the budget's source column. */
  readonly configOrigins?: Readonly<Record<string, string>>;
}

export interface Summary {
  readonly resources: number;
  readonly components: number;
  readonly byRegion: [string, number][];
  readonly byService: [string, number][];
}

export interface PlanReport {
  readonly project: string;
  readonly stack: string;
  readonly graph: ResourceGraph;
  /** Outputs as the mocks answered them: computed values are placeholders. */
  readonly outputs: Record<string, unknown>;
  /** Outputs as a preview shows them: "(known after deploy)" for every computed value. */
  readonly previewOutputs: Record<string, unknown>;
  readonly summary: Summary;
  readonly budget: DrBudget;
  readonly policy: PolicyRun;
  /** What may break in some accounts without failing the plan: Lambda concurrency reservations (S5). */
  readonly warnings: string[];
  readonly failures: string[];
  readonly ok: boolean;
}

const countBy = (keys: string[]): [string, number][] => {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
};

export function summarize(resources: readonly PlanResource[]): Summary {
  const custom = resources.filter((r) => r.custom);
  return {
    resources: custom.length,
    components: resources.length - custom.length,
    byRegion: countBy(custom.map((r) => r.region ?? "none")),
    byService: countBy(custom.map((r) => serviceOf(r.type))),
  };
}

export async function buildReport(input: PlanInput): Promise<PlanReport> {
  const graph = new ResourceGraph(input.resources);
  const budget = computeDrBudget(input.resources, input.config, {
    configOrigin: (k) => input.configOrigins?.[k],
  });
  const policy = await runPolicies(input.resources, {
    // The pack cannot read stack config; the plan knows it, so it says whether this is production.
    config: { "prod-deletion-protection": { production: input.config.production } },
  });
  const outputs = Object.fromEntries(
    Object.entries(input.outputs).map(([k, o]) => [k, o.secret ? REDACTED : redactSecrets(o.value)]),
  );

  const failures: string[] = [];
  if (policy.mandatory.length > 0) failures.push(`${policy.mandatory.length} mandatory policy violation(s)`);
  if (!budget.rto.ok)
    failures.push(`RTO ${budget.rto.seconds} s exceeds the ${budget.rto.targetSeconds} s target`);
  for (const r of budget.rpo.filter((x) => !x.ok)) {
    const s = Number.isFinite(r.seconds) ? `${r.seconds} s` : "an unbounded RPO";
    failures.push(`${r.store} RPO ${s} exceeds the ${r.targetSeconds} s target`);
  }
  const computed = computedStrings(input.resources);
  return {
    project: input.project,
    stack: input.stack,
    graph,
    outputs,
    previewOutputs: Object.fromEntries(
      Object.entries(outputs).map(([k, v]) => [k, asPreviewed(v, computed)]),
    ),
    summary: summarize(input.resources),
    budget,
    policy,
    warnings: [
      ...reservationWarnings(reservedByRegion(input.resources)),
      ...securityWarnings(input.config.security),
    ],
    failures,
    ok: failures.length === 0,
  };
}

/** Lambda executions the stack's functions reserve, per Region. */
export function reservedByRegion(resources: readonly PlanResource[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of resources) {
    const reserved = Number(r.inputs.reservedConcurrentExecutions ?? 0);
    if (r.type !== "aws:lambda/function:Function" || !(reserved > 0)) continue;
    const region = r.region ?? "unknown region";
    out[region] = (out[region] ?? 0) + reserved;
  }
  return out;
}

/** The `--json` document. */
export function reportToJson(
  report: PlanReport,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const { graph } = report;
  return {
    schemaVersion: PLAN_JSON_SCHEMA_VERSION,
    project: report.project,
    stack: report.stack,
    ok: report.ok,
    failures: report.failures,
    warnings: report.warnings,
    summary: {
      resources: report.summary.resources,
      components: report.summary.components,
      byRegion: Object.fromEntries(report.summary.byRegion),
      byService: Object.fromEntries(report.summary.byService),
    },
    resources: graph.resources.map((r) => {
      const deps = graph.dependenciesOf(r);
      return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        custom: r.custom,
        region: r.region ?? null,
        parent: r.parentUrn ?? null,
        dependencies: deps.all,
        inheritedDependencies: deps.inherited,
        inputs: redactSecrets(r.inputs),
        options: {
          protect: r.protect,
          ignoreChanges: r.ignoreChanges,
          deleteBeforeReplace: r.deleteBeforeReplace,
          retainOnDelete: r.retainOnDelete,
          provider: r.providerUrn ?? null,
        },
      };
    }),
    outputs: report.previewOutputs,
    mockOutputs: report.outputs,
    drBudget: budgetToJson(report.budget),
    policy: {
      pack: report.policy.pack,
      policies: report.policy.policyCount,
      mandatory: report.policy.mandatory,
      advisory: report.policy.advisory,
    },
    ...extra,
  };
}
