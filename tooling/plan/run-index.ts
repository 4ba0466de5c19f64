/**
 * The plan's program run (tooling/plan/run-plan.ts): index.ts under the shared mock runtime, as
 * `pulumi preview` would run it. Its own module so the plan loads Pulumi only once it runs the program.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import type { ResolvedOutput } from "./report";
import { ROOT, type PlanProgramRunner } from "./run-plan";
import { installMocks, promiseOf, recorded, settle } from "../mocks/recorder";
import { withoutPulumiStacks } from "../mocks/pulumi-stacks";

async function resolveOutputs(exported: Record<string, unknown>): Promise<Record<string, ResolvedOutput>> {
  const out: Record<string, ResolvedOutput> = {};
  for (const [k, v] of Object.entries(exported)) {
    if (k === "__esModule") continue;
    const o = pulumi.output(v);
    out[k] = { value: await promiseOf(o), secret: await pulumi.isSecret(o) };
  }
  return out;
}

/** Installs the mocks and requires index.ts, as `pulumi preview` would run it: once per process. */
export const runIndexUnderMocks: PlanProgramRunner = async (stack, project, config) => {
  await installMocks({ config, stack, project });
  return withoutPulumiStacks(async () => {
    // index.ts exports the program as a function, which Pulumi calls and awaits (lib/program.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(path.join(ROOT, "index")) as () => Promise<Record<string, unknown>>;
    const exported = await program();
    const outputs = await resolveOutputs(exported);
    await settle();
    return { resources: recorded(), outputs };
  });
};
