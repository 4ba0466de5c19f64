/**
 * Bounded retry with exponential backoff and FULL jitter: sleep = random(0, min(cap, base * 2^(n-1))).
 * Full jitter spreads concurrent retriers out instead of letting them retry in lockstep.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 *
 * Error classification mirrors the AWS SDK's own lists (@smithy/service-error-classification) so that
 * our attempts and the SDK's agree on what "transient" means.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */

const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "BandwidthLimitExceeded",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "SlowDown",
  "EC2ThrottledException",
]);

const TRANSIENT_CODES = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalFailure",
  "InternalError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
]);

const NODE_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

function asErrorLike(err: unknown): ErrorLike | undefined {
  return typeof err === "object" && err !== null ? (err as ErrorLike) : undefined;
}

export function errorName(err: unknown): string {
  const e = asErrorLike(err);
  if (e && typeof e.name === "string" && e.name !== "Error") return e.name;
  if (e && typeof e.code === "string") return e.code;
  return e && typeof e.name === "string" ? e.name : "UnknownError";
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const name = errorName(err);
    return err.message.startsWith(name) ? err.message : `${name}: ${err.message}`;
  }
  return String(err);
}

export function isThrottlingError(err: unknown): boolean {
  const e = asErrorLike(err);
  if (!e) return false;
  return (
    e.$metadata?.httpStatusCode === 429 ||
    (typeof e.name === "string" && THROTTLING_CODES.has(e.name)) ||
    e.$retryable?.throttling === true
  );
}

export function isTransientError(err: unknown, depth = 0): boolean {
  const e = asErrorLike(err);
  if (!e) return false;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return (
    (typeof e.name === "string" && TRANSIENT_CODES.has(e.name)) ||
    (typeof e.code === "string" && NODE_NETWORK_CODES.has(e.code)) ||
    (status >= 500 && status <= 599) ||
    e.$retryable !== undefined ||
    (depth < 5 && e.cause !== undefined && isTransientError(e.cause, depth + 1))
  );
}

/** Default classifier for AWS calls: throttling or transient. */
export function isRetryableAwsError(err: unknown): boolean {
  return isThrottlingError(err) || isTransientError(err);
}

/** Full-jitter delay for retry number `attempt` (1 = the wait after the first failed attempt). */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

export interface RetryOptions {
  /** Total attempts including the first one; at least 1. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Absolute epoch ms after which no new attempt starts. */
  deadline?: number;
  isRetryable?: (err: unknown) => boolean;
  /** Called before each wait; useful for logging. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Thrown when retries stop; `cause` is the last error seen. */
export class RetryError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly lastError: unknown,
    readonly reason: "not-retryable" | "attempts-exhausted" | "deadline",
  ) {
    super(message, { cause: lastError });
    this.name = "RetryError";
  }
}

/** Runs `fn(attempt)` until it resolves, the error is not retryable, attempts run out or the deadline passes. */
export async function withRetry<T>(
  label: string,
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions,
): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(opts.maxAttempts));
  const isRetryable = opts.isRetryable ?? isRetryableAwsError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetryable(err)) {
        throw new RetryError(
          `${label} failed (not retryable): ${errorMessage(err)}`,
          attempt,
          err,
          "not-retryable",
        );
      }
      if (attempt >= maxAttempts) {
        throw new RetryError(
          `${label} failed after ${attempt} attempt(s): ${errorMessage(err)}`,
          attempt,
          err,
          "attempts-exhausted",
        );
      }
      const delayMs = fullJitterDelay(attempt, opts.baseDelayMs, opts.maxDelayMs, opts.random);
      if (opts.deadline !== undefined && opts.now() + delayMs >= opts.deadline) {
        throw new RetryError(
          `${label} failed after ${attempt} attempt(s); time budget exhausted: ${errorMessage(err)}`,
          attempt,
          err,
          "deadline",
        );
      }
      opts.onRetry?.({ attempt, delayMs, error: err });
      await opts.sleep(delayMs);
    }
  }
}
