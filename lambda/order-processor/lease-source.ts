/**
 * X3: where a deployed processor reads the writer lease: its Region's lease reader (lambda/lease-reader),
 * invoked synchronously through the VPC's Lambda interface endpoint (lib/foundation/network.ts). The
 * processor cannot reach the witness table itself (lib/data/writer-witness.ts says why).
 * Every way the invoke can go wrong refuses the booking: the lease gate (lease-gate.ts) turns any throw
 * here into LeaseUnconfirmedError.
 * - A function error is an HTTP 200 whose FunctionError is set and whose payload is the error:
 *   https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 * - Throttling (TooManyRequestsException, 429) and a timed-out request throw from send(); the client
 *   makes ONE attempt with a capped request, so a slow reader refuses one batch (retried by SQS) instead
 *   of holding it.
 */
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { LeaseReading } from "../shared/writer-lease";
import { httpTimeouts } from "../shared/http-timeouts";

/** One attempt; the reader's own two witness attempts (lambda/lease-reader) fit in the request cap. */
export const READER_INVOKE_CLIENT = {
  maxAttempts: 1,
  requestHandler: httpTimeouts(1_000, 5_000),
} as const;

export function invokeLeaseReader(
  lambda: Pick<LambdaClient, "send">,
  functionName: string,
): () => Promise<LeaseReading> {
  return async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: functionName }));
    const text = new TextDecoder().decode(out.Payload ?? new Uint8Array());
    if (out.FunctionError) {
      throw new Error(`lease reader ${functionName} failed (${out.FunctionError}): ${text.slice(0, 300)}`);
    }
    return parseReading(text, functionName);
  };
}

/** The reader's answer, or an error naming what was wrong with it. */
function parseReading(text: string, functionName: string): LeaseReading {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(
      `lease reader ${functionName} answered something that is not JSON: ${text.slice(0, 100)}`,
    );
  }
  const v = value as Partial<Record<keyof LeaseReading, unknown>> | null;
  const holderOk = v !== null && (typeof v.holder === "string" || v.holder === null);
  const epochOk = v !== null && (typeof v.epoch === "number" || v.epoch === null);
  if (typeof value !== "object" || !holderOk || !epochOk) {
    throw new Error(`lease reader ${functionName} answered ${text.slice(0, 100)}, not {holder, epoch}`);
  }
  return { holder: v.holder as string | null, epoch: v.epoch as number | null };
}
