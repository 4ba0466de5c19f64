/** Deadlines and polling for the live tests; nothing here may wait without a bound. */

// The Lambdas' own bounded-wait helper: one implementation of "reject at the deadline even if the work
// ignores its AbortSignal" (credential resolution, for one, doesn't see the per-request signal).
export { TimeoutError, withTimeout as withDeadline } from "../../../lambda/shared/timeout";

/** A poll that did not see its value in time, or was cancelled. */
export class DeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeadlineError";
  }
}

export interface PollOptions {
  /** What is awaited, for the error message. */
  readonly what: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Stops the poll early, e.g. when a sibling poll in Promise.all has already failed. */
  readonly signal?: AbortSignal;
}

export interface PollResult<T> {
  readonly value: T;
  /** From the start of polling to the probe that saw the value. */
  readonly elapsedMs: number;
  readonly attempts: number;
}

/**
 * Calls `probe` every `intervalMs` until it returns a value other than undefined. A probe that throws
 * ends the poll at once: "not there yet" is undefined, anything else is a real failure.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  options: PollOptions,
): Promise<PollResult<T>> {
  const started = Date.now();
  let attempts = 0;
  for (;;) {
    if (options.signal?.aborted) throw new DeadlineError(`${options.what}: polling cancelled`);
    attempts += 1;
    const value = await probe();
    const elapsedMs = Date.now() - started;
    if (value !== undefined) return { value, elapsedMs, attempts };
    if (elapsedMs + options.intervalMs > options.timeoutMs) {
      throw new DeadlineError(
        `${options.what}: not seen within ${options.timeoutMs} ms (${attempts} attempts)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
