/**
 * AWS SDK plumbing for the live tests: small retry budgets, connect/request timeouts, and a hard deadline
 * around every call, so outputs that point at nothing fail in seconds with the call named in the error.
 */
import { withDeadline } from "./poll";

export const AWS_CALL_TIMEOUT_MS = 10_000;

/** Route 53 is global; its API lives in us-east-1. */
export const ROUTE53_REGION = "us-east-1";

export function awsClientConfig(region: string) {
  return {
    region,
    maxAttempts: 2,
    // Without throwOnRequestTimeout the SDK only logs when requestTimeout passes (@smithy/types).
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 8_000, throwOnRequestTimeout: true },
  };
}

export class AwsCallError extends Error {
  constructor(
    message: string,
    readonly errorName: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = "AwsCallError";
  }
}

/**
 * `await awsCall("RDS DescribeDBClusters us-east-1", (abortSignal) => rds.send(cmd, { abortSignal }))`.
 * Errors are rethrown with the label and the SDK error name, so a report says which call failed where.
 */
export async function awsCall<T>(
  label: string,
  send: (abortSignal: AbortSignal) => Promise<T>,
  timeoutMs = AWS_CALL_TIMEOUT_MS,
): Promise<T> {
  try {
    return await withDeadline(timeoutMs, label, send);
  } catch (err) {
    const name = errorName(err);
    const message = (err as { message?: unknown } | null)?.message;
    throw new AwsCallError(`${label} failed: ${name}: ${String(message ?? err)}`, name, { cause: err });
  }
}

// Duck-typed: SDK and Node errors may come from another realm under jest, where instanceof Error fails.
export function errorName(err: unknown): string {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : typeof err;
}

/** True for the "no such resource" errors of the services these tests look resources up in. */
export function isNotFound(err: unknown): boolean {
  const name = err instanceof AwsCallError ? err.errorName : errorName(err);
  return name === "ResourceNotFoundException" || name === "ResourceNotFound" || name === "NotFoundException";
}
