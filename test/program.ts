/**
 * Runs the program (lib/program.ts, whose result index.ts exports) under the shared mocks for a given
 * stack config, and returns its outputs once every resource has been recorded. Each distinct config runs
 * once per Jest run (support/program-runs.ts shares it between files, support/run-cache.ts within one);
 * callers get their own copies of the arrays. Pulumi is loaded only by a file that runs the program.
 */
import type { FakeAccount } from "../tooling/mocks/fake-aws";
import { RecordedResource, waitsFor } from "../tooling/mocks/recorded";
import { RecordedRun, sharedRun } from "./support/program-runs";
import { configKey, once } from "./support/run-cache";

export interface ProgramRun extends RecordedRun {
  /** Resources of one type. */
  of(type: string): RecordedResource[];
  /** The resource of `type` with exactly this logical name; throws when there is none. */
  named(type: string, name: string): RecordedResource;
  /** True when `r` waits for `component` (all of its custom resources when it is a component). */
  waitsFor(r: RecordedResource, component: RecordedResource): boolean;
}

/** A realistic identity provider for production tests: not a reserved placeholder name (S5). */
export const PRODUCTION_IDENTITY: Record<string, string> = {
  authIssuer: "https://sso.tap-trading.net/",
  authJwksUrl: "https://sso.tap-trading.net/.well-known/jwks.json",
};

/** What a production stack must set besides `production`: a JWT issuer for order intake (S1, S5). */
export const PRODUCTION_CONFIG: Record<string, string> = {
  production: "true",
  environmentSuffix: "prod",
  authMode: "jwt",
  authAudience: "tap-orders",
  ...PRODUCTION_IDENTITY,
};

/**
 * Config for `tap:*` keys; pass `{}` for Pulumi.yaml defaults. `account`: what AWS already holds
 * (default: nothing, a first deploy).
 */
export async function runProgram(
  config: Record<string, string> = {},
  stack = "dev",
  account: FakeAccount = {},
): Promise<ProgramRun> {
  const qualified = Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `tap:${k}`, v]),
  );
  const key = configKey(qualified, stack) + (account.aurora ? JSON.stringify(account) : "");
  const shared = await once(key, () => sharedRun(key, () => runOnce(qualified, stack, account)));
  return view({ ...shared.outputs }, [...shared.secretOutputs], [...shared.resources]);
}

async function runOnce(
  qualified: Record<string, string>,
  stack: string,
  account: FakeAccount,
): Promise<RecordedRun> {
  const pulumi = await import("@pulumi/pulumi");
  const { installMocks, promiseOf, recorded, settle } = await import("../tooling/mocks/recorder");
  const { withoutPulumiStacks } = await import("../tooling/mocks/pulumi-stacks");
  await installMocks({ config: qualified, stack, account });
  return withoutPulumiStacks(async () => {
    // The program's modules (@pulumi/aws above all) load once per file: each run declares the program
    // again under fresh mocks (installMocks resets Pulumi's state) instead of re-importing index.ts in a
    // fresh module registry, which compiled them all again (about 0.7 s of CPU per configuration).
    const { declareProgram } = await import("../lib/program");
    const exported = (await Promise.resolve(declareProgram()).catch(async (err: unknown) => {
      // A refused deploy (M2) fails after some resources were sent: let them land before the next run.
      await settle();
      throw err;
    })) as unknown as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [k, v] of Object.entries(exported)) {
      if (k === "default" || k === "__esModule") continue;
      outputs[k] = await promiseOf(v as never);
      if (await pulumi.isSecret(pulumi.output(v))) secretOutputs.push(k);
    }
    await settle();
    return { outputs, secretOutputs, resources: [...recorded()] };
  });
}

function view(
  outputs: Record<string, unknown>,
  secretOutputs: string[],
  resources: RecordedResource[],
): ProgramRun {
  return {
    outputs,
    secretOutputs,
    resources,
    of: (type) => resources.filter((r) => r.type === type),
    named: (type, name) => {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (!found) throw new Error(`no ${type} named ${name}`);
      return found;
    },
    waitsFor: (r, component) => waitsFor(resources, r, component),
  };
}
