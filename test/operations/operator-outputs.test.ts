/**
 * O3: the outputs give what the runbook's commands need, and the operator policy the program builds
 * grants exactly what the drill, the reconcile CLI and the runbook's commands call, scoped to this
 * stack's resources.
 */
import { FUNCTION_RUNTIME_SIDS } from "../../lib/compute/node-function";
import { FAILOVER_ENV, parseProcessingSites } from "../../lambda/failover/config";
import { RECONCILE_ENV } from "../../lambda/reconcile/env";
import { OPERATOR_COMMANDS } from "../../lib/operations/operator-commands";
import { MANAGED_POLICY_MAX_CHARS } from "../../lib/operations/operator-policy";
import { runProgram, type ProgramRun } from "../program";

interface PolicyStatement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

let program: ProgramRun;
let out: Record<string, unknown>;
let policy: { Version: string; Statement: PolicyStatement[] };
beforeAll(async () => {
  program = await runProgram();
  out = program.outputs;
  policy = JSON.parse(out.operatorPolicy as string);
});

const envOf = (name: string) =>
  (
    program.named("aws:lambda/function:Function", name).inputs.environment as {
      variables: Record<string, string>;
    }
  ).variables;
const roleStatements = (fnName: string): PolicyStatement[] => {
  const role = program.of("aws:iam/rolePolicy:RolePolicy").find((p) => p.name.startsWith(fnName));
  return JSON.parse(role?.inputs.policy as string).Statement;
};
const allows = (action: string, resource?: string) =>
  policy.Statement.some(
    (s) =>
      s.Effect === "Allow" &&
      list(s.Action).includes(action) &&
      (resource === undefined || list(s.Resource).includes(resource)),
  );

describe("stack outputs for the runbook (O3)", () => {
  it("O3: DLQ ARNs are the processing sites' DLQs, region by region", () => {
    const problems: string[] = [];
    const sites = parseProcessingSites(out.processingSites as string, problems);
    expect(problems).toEqual([]);
    expect([out.primaryDlqArn, out.secondaryDlqArn]).toEqual(sites.map((s) => s.dlqArn));
    expect(out.primaryDlqArn).toMatch(/^arn:aws:sqs:us-east-1:/);
    expect(out.secondaryDlqArn).toMatch(/^arn:aws:sqs:us-west-2:/);
  });

  it("O3: reconcileFunctionName is the function the orchestrator invokes; ledgerSecretArn is the one it reads", () => {
    expect(out.reconcileFunctionName).toBe(envOf("tap-dev-failover-fn")[FAILOVER_ENV.reconcileFunction]);
    const reconcileEnv = envOf("tap-dev-failover-reconcile-fn");
    expect(out.ledgerSecretArn).toBe(reconcileEnv[RECONCILE_ENV.dbSecretArn]);
    expect(out.ledgerSecretArn).toMatch(/^arn:aws:secretsmanager:us-west-2:/);
    // The CLI connects as the function does: the same host and certificate names.
    expect(out.globalWriterEndpoint).toBe(reconcileEnv[RECONCILE_ENV.dbHost]);
    expect((out.ledgerTlsServerNames as string[]).join(",")).toBe(
      reconcileEnv[RECONCILE_ENV.dbTlsServerNames],
    );
    expect((out.ledgerTlsServerNames as string[]).length).toBe(2);
  });

  it("O3: cluster ids are the lag metric's dimension values; the RPO target is the configured one", () => {
    expect((out.secondaryClusterArn as string).endsWith(`:cluster:${out.secondaryClusterId}`)).toBe(true);
    expect((out.primaryClusterArn as string).endsWith(`:cluster:${out.primaryClusterId}`)).toBe(true);
    expect(out.auroraRpoTargetSeconds).toBe(1);
  });
});

describe("operator policy (O3)", () => {
  it("O3: it holds every statement of the orchestrator's and the reconcile function's roles", () => {
    const ours = policy.Statement.map(({ Sid, ...rest }) => ({ Sid, rest }));
    for (const [fn, prefix] of [
      ["tap-dev-failover-fn", "Drill"],
      ["tap-dev-failover-reconcile-fn", "ReconcileCli"],
    ] as const) {
      // Every function's own logging, tracing and VPC interfaces are not the operator's business.
      const runtime: readonly string[] = FUNCTION_RUNTIME_SIDS;
      const theirs = roleStatements(fn).filter((s) => !runtime.includes(s.Sid));
      expect(theirs.length).toBeGreaterThan(2);
      for (const { Sid, ...rest } of theirs) {
        expect(ours.find((s) => s.Sid === `${prefix}${Sid}`)?.rest).toEqual(rest);
      }
    }
  });

  it("O3: it allows every action of every runbook command an operator runs; not the administrator's", () => {
    for (const [name, cmd] of Object.entries(OPERATOR_COMMANDS)) {
      for (const action of cmd.actions) {
        expect([name, action, allows(action)]).toEqual([name, action, !("byAdmin" in cmd)]);
      }
    }
    expect(allows("lambda:InvokeFunction", out.failoverFunctionArn as string)).toBe(true);
    expect(
      allows("route53:UpdateHealthCheck", `arn:aws:route53:::healthcheck/${out.primaryHealthCheckId}`),
    ).toBe(true);
  });

  it("O3: no action wildcard; '*' resources only for actions AWS cannot scope", () => {
    const unscoped = new Set([
      "cloudwatch:DescribeAlarms",
      "cloudwatch:GetMetricStatistics",
      "cloudwatch:GetMetricData",
      "lambda:ListEventSourceMappings",
      "secretsmanager:ListSecrets",
    ]);
    for (const s of policy.Statement) {
      for (const a of list(s.Action)) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      if (list(s.Resource).includes("*")) expect(list(s.Action).filter((a) => !unscoped.has(a))).toEqual([]);
    }
    expect(policy.Statement.map((s) => s.Sid).every((sid) => /^[A-Za-z0-9]+$/.test(sid))).toBe(true);
    expect(new Set(policy.Statement.map((s) => s.Sid)).size).toBe(policy.Statement.length);
  });

  it("O3: it fits one IAM managed policy (6,144 characters, whitespace not counted)", () => {
    const size = (out.operatorPolicy as string).replace(/\s/g, "").length;
    expect(MANAGED_POLICY_MAX_CHARS).toBe(6144);
    expect(size).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
  });
});
