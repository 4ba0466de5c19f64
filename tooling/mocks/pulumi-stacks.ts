/**
 * @pulumi/pulumi takes a stack trace twice for every resource a program declares, and neither is of use
 * under the mocks:
 * - `debuggablePromise` (runtime/debuggable.js) wraps every promise it makes, takes `new Error().stack`
 *   and defines three properties on the promise, all only ever read by the leak report at process exit;
 * - the `Resource` constructor (resource.js) takes `new Error().stack` with no frame limit and parses it
 *   into the source position it sends to the engine, which the mock monitor drops.
 * Under Jest, which source-maps every frame, the two were over half of a program run's CPU.
 *
 * While `run` is in progress, `withoutPulumiStacks` puts lighter versions in their place: a promise
 * settles the same way, a rejection still carries `err.promise`, and a pending promise is still a leak
 * candidate; a resource is registered without a source position. Every other error keeps its stack, so
 * a failing program run still says where. The originals are back afterwards, also when `run` fails.
 *
 * It patches the modules the caller's `require` resolves, which are the program's own when both share
 * one module registry (the plan process; one Jest test file with test/program.ts).
 */

type Wrap = <T>(p: Promise<T>, ctx: string) => Promise<T>;

interface Debuggable {
  debuggablePromise: Wrap;
}
interface ResourceClass {
  callsites(): unknown[];
}
interface PulumiState {
  getStore(): { leakCandidates: Set<Promise<unknown>> };
}

// Internal modules of @pulumi/pulumi (no typings): the exports its runtime calls through.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as Debuggable;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as PulumiState;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Resource } = require("@pulumi/pulumi/resource") as { Resource: ResourceClass };

/** debuggablePromise without the stack: the same settling and leak bookkeeping. */
const tracked: Wrap = (p) => {
  const leaks = state.getStore().leakCandidates;
  leaks.add(p);
  return p.then(
    (value) => {
      leaks.delete(p);
      return value;
    },
    (err: unknown) => {
      leaks.delete(p);
      if (err && typeof err === "object") (err as { promise?: unknown }).promise = p;
      throw err;
    },
  );
};

/** No callsites: `Resource.stackTrace` then gives none, and the resource no source position. */
const noCallsites = (): unknown[] => [];

let depth = 0;
let saved: { promise: Wrap; callsites: () => unknown[] } | undefined;

export async function withoutPulumiStacks<T>(run: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    saved = { promise: debuggable.debuggablePromise, callsites: Resource.callsites };
    debuggable.debuggablePromise = tracked;
    Resource.callsites = noCallsites;
  }
  try {
    return await run();
  } finally {
    if (--depth === 0 && saved) {
      debuggable.debuggablePromise = saved.promise;
      Resource.callsites = saved.callsites;
    }
  }
}
