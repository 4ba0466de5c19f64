import { parseConfig, TapConfig } from "../../lib/config";
import { PlanResource } from "../../tooling/plan/model";
import { PlanIo, PlanProgramRunner, runPlan } from "../../tooling/plan/run-plan";
import { loadStackConfig } from "../../tooling/plan/stack-config";
import { runProgram } from "../program";
import { ROOT } from "./as-typed";

export interface PlannedStack {
  resources: PlanResource[];
  outputs: Record<string, unknown>;
  config: TapConfig;
  values: Record<string, string>;
}

/** Runs the program for a stack file plus overrides, as tooling/plan/run-plan.ts does (but under jest). */
export async function planStack(
  stack = "dev",
  overrides: Record<string, string> = {},
): Promise<PlannedStack> {
  const { values, project } = loadStackConfig(ROOT, stack, overrides);
  const config = parseConfig((k) => values[`${project}:${k}`], project);
  const run = await runProgram(values, stack);
  return { resources: run.resources, outputs: run.outputs, config, values };
}

/**
 * Config only the plan's DR budget reads (tooling/plan/dr-budget.ts): the program itself never does (a
 * test in cli.test.ts keeps lib/ from reading it), so plans that differ only in these share one run.
 */
export const BUDGET_ONLY_KEYS = ["rtoTargetSeconds"];

/** The config the program runs with for a plan's `config`: the budget-only keys at the stack file's value. */
export function programConfig(
  stack: string,
  project: string,
  config: Record<string, string>,
): Record<string, string> {
  const stackFile = loadStackConfig(ROOT, stack, {}).values;
  const keys = BUDGET_ONLY_KEYS.map((k) => `${project}:${k}`);
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, keys.includes(k) ? stackFile[k] : v]));
}

/** The plan's program runner under jest: test/program.ts, so each configuration runs once per file. */
export const runUnderJest: PlanProgramRunner = async (stack, project, config) => {
  const run = await runProgram(programConfig(stack, project, config), stack);
  const secret = new Set(run.secretOutputs);
  const outputs = Object.fromEntries(
    Object.entries(run.outputs).map(([k, value]) => [k, { value, secret: secret.has(k) }]),
  );
  return { resources: run.resources, outputs };
};

export interface PlanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The plan command in-process (`npm run plan -- <args>` without the process); stdout and stderr captured. */
export async function plan(...args: string[]): Promise<PlanResult> {
  const out = { stdout: "", stderr: "" };
  const io: PlanIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) };
  const code = await runPlan(args, io, runUnderJest);
  return { code, ...out };
}
