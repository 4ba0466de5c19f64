/**
 * Runs the real program (index.ts) under the shared mocks for a given stack config, and returns its
 * outputs once every resource has been recorded.
 */
import { installMocks, promiseOf, recorded, RecordedResource, settle } from "./mocks";

export interface ProgramRun {
  outputs: Record<string, unknown>;
  resources: RecordedResource[];
}

/** Config for `tap:*` keys; pass `{}` for Pulumi.yaml defaults. */
export async function runProgram(config: Record<string, string> = {}, stack = "dev"): Promise<ProgramRun> {
  const qualified = Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `tap:${k}`, v]),
  );
  await installMocks({ config: qualified, stack });
  let exported: Record<string, unknown> = {};
  await jest.isolateModulesAsync(async () => {
    exported = (await import("../index")) as unknown as Record<string, unknown>;
  });
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(exported)) {
    if (k === "default" || k === "__esModule") continue;
    outputs[k] = await promiseOf(v as never);
  }
  await settle();
  return { outputs, resources: [...recorded()] };
}
