import * as path from "node:path";
import { parseConfig, TapConfig } from "../../lib/config";
import { PlanResource } from "../../tooling/plan/model";
import { loadStackConfig } from "../../tooling/plan/stack-config";
import { runProgram } from "../program";

export const ROOT = path.join(__dirname, "..", "..");

export interface PlannedStack {
  resources: PlanResource[];
  outputs: Record<string, unknown>;
  config: TapConfig;
  values: Record<string, string>;
}

/** Runs index.ts for a stack file plus overrides, as tooling/plan/cli.ts does (but under jest). */
export async function planStack(
  stack = "dev",
  overrides: Record<string, string> = {},
): Promise<PlannedStack> {
  const { values, project } = loadStackConfig(ROOT, stack, overrides);
  const config = parseConfig((k) => values[`${project}:${k}`], project);
  const run = await runProgram(values, stack);
  return { resources: run.resources, outputs: run.outputs, config, values };
}
