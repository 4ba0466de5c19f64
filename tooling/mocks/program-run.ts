/**
 * Runs the program (lib/program.ts, whose result index.ts exports) once under the mocks for a stack's
 * config and records what it declared. Tests share runs through test/program.ts; the game day
 * (gameday/program-wiring.ts) builds its world from one. Pulumi loads only when a program runs.
 */
import type { FakeAccount } from "./fake-aws";
import type { RecordedResource } from "./recorded";

/** A program run as plain data. */
export interface RecordedRun {
  outputs: Record<string, unknown>;
  /** Names of the outputs Pulumi marks secret. */
  secretOutputs: string[];
  resources: RecordedResource[];
}

/** A realistic identity provider for production runs: not a reserved placeholder name (S5). */
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
 * Config the mocks set when a run leaves it out: no default providers, as Pulumi.<stack>.yaml sets, so
 * every resource takes an explicit provider (tooling/mocks/recorder.ts installs it).
 */
export const MOCK_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  "pulumi:disable-default-providers": '["*"]',
};

/** Config with full keys: `tap:` in front of every key that has no namespace. */
export const qualified = (config: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `tap:${k}`, v]));

/** `qualified`: config with full keys ("tap:production"); `account`: what AWS already holds. */
export function recordProgram(
  qualified: Record<string, string>,
  stack: string,
  account: FakeAccount = {},
): Promise<RecordedRun> {
  // Pulumi's runtime state and the mocks are process-wide: two runs at once would record into each
  // other. Runs in one process take turns; a failed run does not block the next.
  const run = lastRun.then(() => recordOnce(qualified, stack, account));
  lastRun = run.catch(() => undefined);
  return run;
}

let lastRun: Promise<unknown> = Promise.resolve();

async function recordOnce(
  qualified: Record<string, string>,
  stack: string,
  account: FakeAccount,
): Promise<RecordedRun> {
  const pulumi = await import("@pulumi/pulumi");
  const { installMocks, promiseOf, recorded, settle } = await import("./recorder");
  const { withoutPulumiStacks } = await import("./pulumi-stacks");
  await installMocks({ config: qualified, stack, account });
  return withoutPulumiStacks(async () => {
    // The program's modules (@pulumi/aws above all) load once per process: each run declares the program
    // again under fresh mocks (installMocks resets Pulumi's state) instead of re-importing index.ts in a
    // fresh module registry, which compiled them all again (about 0.7 s of CPU per configuration).
    const { declareProgram } = await import("../../lib/program");
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
