/**
 * Failover orchestrator Lambda. Runs in the SECONDARY Region; handler "index.handler".
 *
 * Accepted events
 * (a) Direct invocation (console, CLI, scripts/drill.ts):
 *       { "mode": "switchover" | "failover", "dryRun"?: boolean, "reason"?: string, "requestedBy"?: string,
 *         "targetRegion"?: string }
 *     targetRegion names the Region whose cluster becomes the writer: the secondary's by default, the
 *     primary's (FAILBACK_CLUSTER_ARN) to fail back with the same operation (aim.ts).
 *     A failover is a dry run unless the event says "dryRun": false; a switchover runs unless it says
 *     "dryRun": true. Unknown keys are rejected (a typo must not turn a
 *     rehearsal into a real failover).
 * (b) SNS event whose Records[].Sns.Message is a CloudWatch alarm state change (JSON string):
 *       { "Records": [ { "EventSource": "aws:sns", "Sns": { "Message":
 *         "{\"AlarmName\":\"...\",\"NewStateValue\":\"ALARM\",\"NewStateReason\":\"...\",\"StateChangeTime\":\"...\"}" } } ] }
 *     Only NewStateValue "ALARM" of an alarm named in ALLOWED_ALARMS acts, always as mode "failover" (unplanned). ALARM_ACTION=notify makes
 *     it a dry run that only reports; ALARM_ACTION=failover executes it. OK / INSUFFICIENT_DATA → "ignored".
 *
 * (c) {"action":"converge"}: the scheduled convergence run (converge.ts, X1/X6): follow the writer found,
 *     redrive non-empty DLQs; it never promotes. Published to SNS only when it changed something.
 *
 * Environment: see env-keys.ts (the one list, shared with lib/); AWS_REGION comes from the runtime.
 *
 * Returns a FailoverResult; ok=false results are already reported to SNS and are returned, not thrown,
 * so Lambda's async retries do not repeat them. Throws only for invalid configuration or a malformed
 * event (both reported to SNS when the topic is usable).
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient } from "@aws-sdk/client-rds";
import { GetHealthCheckStatusCommand, Route53Client } from "@aws-sdk/client-route-53";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import { cachedPerKey } from "../shared/client-cache";
import type { Env } from "../shared/env";
import type { Log } from "../shared/log";
import { errorMessage } from "../shared/retry";
import { parseWriterLease } from "../shared/writer-lease";
import type { WriterLease } from "./lease-transfer";
import {
  alertTopicFromEnv,
  DEFAULTS,
  FailoverConfigError,
  loadFailoverConfig,
  topicArnRegion,
  type FailoverEnvConfig,
} from "./config";
import { runConverge } from "./converge";
import { checkersFromStatus, EVIDENCE_READ_TIMEOUT_MS } from "./evidence";
import { EventValidationError, parseEvent } from "./events";
import {
  publishNotification,
  runFailover,
  type FailoverResult,
  type OrchestratorDeps,
  type ReconcileCounts,
} from "./orchestrator";
import { httpTimeouts } from "../shared/http-timeouts";

/** Leaves room for the final SNS publish before Lambda's hard timeout. */
const CONTEXT_SAFETY_MS = 10_000;

export const jsonLogger: Log = {
  debug: (message, data) => console.debug(JSON.stringify({ level: "DEBUG", message, ...data })),
  info: (message, data) => console.log(JSON.stringify({ level: "INFO", message, ...data })),
  warn: (message, data) => console.warn(JSON.stringify({ level: "WARN", message, ...data })),
  error: (message, data) => console.error(JSON.stringify({ level: "ERROR", message, ...data })),
};

/** One SDK attempt (our bounded retry decides, so attempts are not multiplied) and a capped request. */
const opts = (region: string, requestTimeout: number) => ({
  region,
  maxAttempts: 1,
  // A silent Region fails the call instead of holding the function to its timeout (http-timeouts.ts).
  requestHandler: httpTimeouts(3_000, requestTimeout),
});
// The other Region may be the one that is down: calls there fail fast instead of eating the budget.
const localRds = cachedPerKey((region) => new RDSClient(opts(region, 20_000)));
const remoteRds = cachedPerKey((region) => new RDSClient(opts(region, 5_000)));
const snsFor = cachedPerKey((region) => new SNSClient(opts(region, 10_000)));
const lambdaFor = cachedPerKey((region) => new LambdaClient(opts(region, 10_000)));
const sqsFor = cachedPerKey((region) => new SQSClient(opts(region, 10_000)));
const cloudwatchFor = cachedPerKey((region) => new CloudWatchClient(opts(region, 5_000)));
// Reconciliation scans a time window of both stores: a longer cap.
const reconcileClientFor = cachedPerKey((region) => new LambdaClient(opts(region, 120_000)));

/** Invokes the reconcile function (lambda/reconcile) synchronously and returns its counts. */
export function invokeReconcile(client: LambdaClient, functionName: string) {
  return async (request: { sinceIso: string; dryRun: boolean }): Promise<ReconcileCounts> => {
    const out = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: new TextEncoder().encode(JSON.stringify(request)),
      }),
    );
    const text = new TextDecoder().decode(out.Payload ?? new Uint8Array());
    if (out.FunctionError) throw new Error(`reconcile function failed: ${text.slice(0, 500)}`);
    return JSON.parse(text) as ReconcileCounts;
  };
}

// Route 53's API is global; its endpoint is us-east-1's, which the SDK picks for any region.
const route53 = cachedPerKey((region) => new Route53Client(opts(region, EVIDENCE_READ_TIMEOUT_MS)));

/** X2: what Route 53's checkers in other Regions see of the primary (evidence.ts). */
export function readCheckers(client: Route53Client, healthCheckId: string) {
  return async () =>
    checkersFromStatus(await client.send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId })));
}

/** Production dependencies; clients are cached across warm invocations. */
export function defaultDeps(
  region: string,
  reconcileFunctionName?: string,
  primaryHealthCheckId?: string,
): OrchestratorDeps {
  return {
    primaryCheckers: primaryHealthCheckId ? readCheckers(route53(region), primaryHealthCheckId) : undefined,
    rds: localRds(region),
    rdsForRegion: (r) => (r === region ? localRds(r) : remoteRds(r)),
    sns: snsFor(region),
    lambdaForRegion: lambdaFor,
    sqsForRegion: sqsFor,
    cloudwatch: cloudwatchFor(region),
    cloudwatchForRegion: cloudwatchFor,
    reconcile: reconcileFunctionName
      ? invokeReconcile(reconcileClientFor(region), reconcileFunctionName)
      : undefined,
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    random: Math.random,
    logger: jsonLogger,
  };
}

/** X3: the writer lease's witness as the environment names it (a client in the witness's Region). */
const witnessFor = cachedPerKey((region) =>
  DynamoDBDocumentClient.from(new DynamoDBClient(opts(region, 5_000))),
);

function writerLeaseFromEnv(env: Env): WriterLease | undefined {
  const settings = parseWriterLease(env);
  return settings && { settings, ddb: witnessFor(settings.region) };
}

export interface HandlerOptions {
  readonly env?: () => Env;
  readonly buildDeps?: (
    region: string,
    reconcileFunctionName?: string,
    primaryHealthCheckId?: string,
  ) => OrchestratorDeps;
}

interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

function notifyRetry(deps: OrchestratorDeps) {
  return {
    maxAttempts: 2,
    baseDelayMs: DEFAULTS.retryBaseDelayMs,
    maxDelayMs: DEFAULTS.retryMaxDelayMs,
    random: deps.random,
    sleep: (ms: number) => deps.clock.sleep(ms),
    now: () => deps.clock.now(),
  };
}

export function createHandler(options: HandlerOptions = {}) {
  const readEnv = options.env ?? (() => process.env);
  const buildDeps = options.buildDeps ?? defaultDeps;

  return async function handler(event: unknown, context?: RemainingTime): Promise<FailoverResult> {
    const env = readEnv();
    let config: FailoverEnvConfig;
    try {
      config = loadFailoverConfig(env);
    } catch (err) {
      if (err instanceof FailoverConfigError) await reportConfigError(env, err, buildDeps);
      throw err;
    }
    const built = buildDeps(config.region, config.reconcileFunctionName, config.primaryHealthCheckId);
    const deps = { ...built, writerLease: built.writerLease ?? writerLeaseFromEnv(env) };

    let parsed;
    try {
      parsed = parseEvent(event, config.alarmAction, config.allowedAlarms);
    } catch (err) {
      if (err instanceof EventValidationError) {
        deps.logger.error("rejected malformed event", { problems: err.problems });
        await publishNotification(
          deps,
          config.alertTopicArn,
          `[DR] REJECTED: malformed failover event for ${config.globalClusterId}`,
          { event: "failover-rejected", problems: err.problems, received: truncate(event) },
          notifyRetry(deps),
          config.notifyTimeoutMs,
        );
      }
      throw err;
    }

    if (parsed.kind === "ignored") {
      deps.logger.info(parsed.message, { alarms: parsed.alarms });
      const now = new Date(deps.clock.now()).toISOString();
      return {
        ok: true,
        result: "ignored",
        message: parsed.message,
        trigger: "alarm",
        globalClusterId: config.globalClusterId,
        targetClusterArn: config.targetClusterArn,
        timings: { startedAt: now, finishedAt: now, durationMs: 0 },
      };
    }

    let timeBudgetMs = config.timeBudgetMs;
    const remaining = context?.getRemainingTimeInMillis();
    if (remaining !== undefined && Number.isFinite(remaining)) {
      timeBudgetMs = Math.max(1_000, Math.min(timeBudgetMs, remaining - CONTEXT_SAFETY_MS));
    }
    if (parsed.kind === "converge") return runConverge({ ...config, timeBudgetMs }, deps);
    return runFailover(parsed.request, { ...config, timeBudgetMs }, deps);
  };
}

async function reportConfigError(
  env: Env,
  err: FailoverConfigError,
  buildDeps: (region: string, reconcileFunctionName?: string) => OrchestratorDeps,
): Promise<void> {
  const topic = alertTopicFromEnv(env);
  const region = topic ? topicArnRegion(topic) : undefined;
  if (!topic || !region) return; // nowhere to report to; the thrown error is in the logs
  try {
    const deps = buildDeps(region);
    await publishNotification(
      deps,
      topic,
      "[DR] REJECTED: failover Lambda configuration is invalid",
      { event: "failover-config-invalid", problems: err.problems },
      notifyRetry(deps),
    );
  } catch (notifyErr) {
    console.error(
      JSON.stringify({
        level: "ERROR",
        message: "could not report config error",
        error: errorMessage(notifyErr),
      }),
    );
  }
}

function truncate(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 2_000 ? `${text.slice(0, 2_000)}...` : text;
}

export const handler = createHandler();
