/**
 * @pulumi/pulumi wraps every promise it makes in `debuggablePromise` (runtime/debuggable.js), which
 * stores `new Error().stack` on it, only ever read by the leak report at process exit. Formatting
 * those stacks (source-mapped, under Jest or tsx) is most of the time a mocked program run takes.
 *
 * `withoutPromiseStacks` formats the stack of an Error made in debuggable.js as an empty string while
 * `run` is in progress, and leaves every other stack alone: an error the program throws still says
 * where it came from. The previous formatter is restored afterwards, also when `run` fails.
 */
type Formatter = (error: Error, sites: NodeJS.CallSite[]) => unknown;

const DEBUGGABLE = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/;

let depth = 0;
let saved: Formatter | undefined;

const fallback: Formatter = (error, sites) => [String(error), ...sites.map((s) => `    at ${s}`)].join("\n");

/** True when the Error was made by @pulumi/pulumi's debuggablePromise. */
export function isPromiseDebugStack(sites: readonly NodeJS.CallSite[]): boolean {
  return DEBUGGABLE.test(sites[0]?.getFileName() ?? "");
}

function install(): void {
  saved = Error.prepareStackTrace;
  const previous = saved ?? fallback;
  Error.prepareStackTrace = (error, sites) =>
    isPromiseDebugStack(sites) ? "" : previous.call(Error, error, sites);
}

export async function withoutPromiseStacks<T>(run: () => Promise<T>): Promise<T> {
  if (depth++ === 0) install();
  try {
    return await run();
  } finally {
    if (--depth === 0) Error.prepareStackTrace = saved as typeof Error.prepareStackTrace;
  }
}
