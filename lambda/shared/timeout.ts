export class TimeoutError extends Error {
  constructor(
    readonly label: string,
    readonly ms: number,
  ) {
    super(`${label} timed out after ${ms} ms`);
    this.name = "TimeoutError";
  }
}

/**
 * Runs `work` with an AbortSignal that fires after `ms`, and rejects with a TimeoutError at that moment
 * even if `work` ignores the signal, so a hung dependency can never hold the caller past its budget.
 */
export async function withTimeout<T>(
  ms: number,
  label: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TimeoutError(label, ms);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds elapsed since `start` (a performance.now() reading), rounded. */
export function elapsedMs(start: number): number {
  return Math.round(performance.now() - start);
}
