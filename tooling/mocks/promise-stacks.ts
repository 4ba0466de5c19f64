/**
 * @pulumi/pulumi wraps every promise it makes in `debuggablePromise` (runtime/debuggable.js), which
 * takes `new Error().stack` and defines three properties on the promise, all only ever read by the
 * leak report at process exit. Under the mocks that is about a third of a program run's CPU (Jest
 * keeps 100 frames a stack).
 *
 * While `run` is in progress, `withoutPromiseStacks` puts a lighter version in its place: the promise
 * settles the same way, a rejection still carries `err.promise`, and a pending promise is still a leak
 * candidate; only the stack and the debug properties are gone. Every other error keeps its stack, so a
 * failing program run still says where. The original is back afterwards, also when `run` fails.
 *
 * It patches the module the caller's `require` resolves, which is the program's own when both share
 * one module registry (the plan process; one Jest test file with test/program.ts).
 */

type Wrap = <T>(p: Promise<T>, ctx: string) => Promise<T>;

interface Debuggable {
  debuggablePromise: Wrap;
}
interface PulumiState {
  getStore(): { leakCandidates: Set<Promise<unknown>> };
}

// Internal modules of @pulumi/pulumi (no typings): the exports its runtime calls through.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as Debuggable;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as PulumiState;

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

let depth = 0;
let saved: Wrap | undefined;

export async function withoutPromiseStacks<T>(run: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    saved = debuggable.debuggablePromise;
    debuggable.debuggablePromise = tracked;
  }
  try {
    return await run();
  } finally {
    if (--depth === 0) debuggable.debuggablePromise = saved as Wrap;
  }
}
