/**
 * SNS notifications of the orchestrator. Each publish is capped (settings.notifyTimeoutMs) so a slow SNS
 * can never hold a failover past its budget, and a failed publish is returned as text, never thrown: a
 * notification problem must not change what the run did or reports.
 */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { errorMessage, RetryError, withRetry, type RetryOptions } from "../shared/retry";
import { withTimeout } from "../shared/timeout";

export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** SNS subjects must be under 100 characters, with no line breaks or control characters. */
export function sanitizeSubject(subject: string): string {
  const clean = subject
    .replace(/\s+/g, " ")
    .replace(/[^\x20-\x7E]/g, "?")
    .trim();
  return clean.length <= 99 ? clean : `${clean.slice(0, 96)}...`;
}

/**
 * Publishes one message within `timeoutMs` (all attempts included); returns an error description
 * instead of throwing. The timer is real time: it bounds the wall clock the Lambda is billed for.
 */
export async function publishNotification(
  deps: { readonly sns: SNSClient; readonly logger: Logger },
  topicArn: string,
  subject: string,
  body: Record<string, unknown>,
  retry: RetryOptions,
  timeoutMs = 2_000,
): Promise<string | undefined> {
  try {
    await withTimeout(timeoutMs, "SNS Publish", (abortSignal) =>
      withRetry(
        "SNS Publish",
        () =>
          deps.sns.send(
            new PublishCommand({
              TopicArn: topicArn,
              Subject: sanitizeSubject(subject),
              Message: JSON.stringify(body, null, 2),
            }),
            { abortSignal },
          ),
        retry,
      ),
    );
    return undefined;
  } catch (err) {
    const msg = errorMessage(err instanceof RetryError ? err.lastError : err);
    deps.logger.error("notification failed; the failover result is unaffected", { subject, error: msg });
    return `${subject}: ${msg}`;
  }
}
