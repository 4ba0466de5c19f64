/**
 * Runs the program (lib/program.ts, whose result index.ts exports) under the shared mocks for a given
 * stack config, and returns its outputs once every resource has been recorded. Each distinct config runs
 * once per Jest run (support/program-runs.ts shares it between files, support/run-cache.ts within one);
 * callers get their own copies of the arrays. Pulumi is loaded only by a file that runs the program.
 */
import * as path from "node:path";
import { withAccountDefaults, type FakeAccount } from "../tooling/mocks/fake-aws";
import { RecordedResource, waitsFor } from "../tooling/mocks/recorded";
import {
  MOCK_CONFIG_DEFAULTS,
  qualified,
  recordProgram,
  type RecordedRun,
} from "../tooling/mocks/program-run";
import { projectDefaults } from "../tooling/plan/stack-config";
import { sharedRun } from "./support/program-runs";
import { configKey, once } from "./support/run-cache";

export interface ProgramRun extends RecordedRun {
  /** Resources of one type. */
  of(type: string): RecordedResource[];
  /** The resource of `type` with exactly this logical name; throws when there is none. */
  named(type: string, name: string): RecordedResource;
  /** True when `r` waits for `component` (all of its custom resources when it is a component). */
  waitsFor(r: RecordedResource, component: RecordedResource): boolean;
}

/** The production stack's config (and its identity provider), shared with the game day's CLI. */
export { PRODUCTION_CONFIG, PRODUCTION_IDENTITY } from "../tooling/mocks/program-run";

/**
 * Config for `tap:*` keys; pass `{}` for Pulumi.yaml defaults. `account`: what AWS already holds
 * (default: nothing, a first deploy).
 */
export async function runProgram(
  config: Record<string, string> = {},
  stack = "dev",
  account: FakeAccount = {},
): Promise<ProgramRun> {
  const full = qualified(config);
  const key = runKey(config, stack, account);
  const shared = await once(key, () => sharedRun(key, () => recordProgram(full, stack, account)));
  return view({ ...shared.outputs }, [...shared.secretOutputs], [...shared.resources]);
}

/**
 * What a run is shared under: the stack, the config with full keys in any order, and what AWS holds
 * with its defaults spelled out (an account that leaves them out runs the same program).
 */
export function runKey(config: Record<string, string>, stack: string, account: FakeAccount): string {
  const held = withAccountDefaults(account);
  return configKey(withoutDefaults(qualified(config)), stack) + (held.aurora ? JSON.stringify(held) : "");
}

let defaults: Readonly<Record<string, string>> | undefined;

/**
 * `config` without the values the program gets anyway when a key is left out: Pulumi.yaml's defaults
 * (the loader's own: test/config.test.ts P1 keeps them equal) and the mocks' own. A plan's spelled-out stack
 * config and a test's `{}` are one run.
 */
function withoutDefaults(config: Record<string, string>): Record<string, string> {
  defaults ??= { ...projectDefaults(path.join(__dirname, "..")).values, ...MOCK_CONFIG_DEFAULTS };
  return Object.fromEntries(Object.entries(config).filter(([k, v]) => defaults?.[k] !== v));
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
