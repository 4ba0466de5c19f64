import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseConfig, TapConfig } from "../../lib/config";
import { PlanResource } from "../../tooling/plan/model";
import { PlanIo, PlanProgramRunner, runPlan } from "../../tooling/plan/run-plan";
import { loadStackConfig } from "../../tooling/plan/stack-config";
import { runProgram } from "../program";

export const ROOT = path.join(__dirname, "..", "..");

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

/** The plan's program runner under jest: test/program.ts, so each configuration runs once per file. */
export const runUnderJest: PlanProgramRunner = async (stack, _project, config) => {
  const run = await runProgram(config, stack);
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

/** Where the plan's commands are shown: the README's first screen and the plan's reference page. */
export const PLAN_DOCS = ["README.md", "docs/plan.md"];

/** The docs' `npm run … plan …` command lines, exactly as written (the trailing comment dropped). */
export function readmePlanCommands(): string[] {
  const docs = PLAN_DOCS.map((f) => readFileSync(path.join(ROOT, f), "utf8")).join("\n");
  return [...docs.matchAll(/^(npm run [^#\n]*\bplan\b[^#\n]*)/gm)].map((m) => m[1].trim());
}

/** Runs a command as a user's shell would: `sh -c`, without the npm_* variables of the `npm test` we run in. */
export function runAsUser(command: string): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync("sh", ["-c", command], { cwd: ROOT, env, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
