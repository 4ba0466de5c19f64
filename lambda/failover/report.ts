/**
 * The run context and its report builder: every phase of a run (preflight, request, poll, after
 * promotion) reads and records here, and `finish` turns what was recorded into the one FailoverResult,
 * publishes it and logs it, so no phase repeats the same fields.
 */
import type { WriterLease } from "./lease-transfer";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { errorMessage, isRetryableAwsError, withRetry, type RetryOptions } from "../shared/retry";
import type { OrchestratorSettings } from "./config";
import type { CheckerObservation } from "./evidence";
import type { FailoverMode, FailoverRequest, Trigger } from "./events";
import { publishNotification, type Logger } from "./notify";
import { describeGlobalCluster, type FailoverPlan, type GlobalClusterSnapshot } from "./snapshot";

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** What the reconciliation reports (lambda/reconcile); the orchestrator only relays it. */
export interface ReconcileCounts {
  readonly examined: { readonly ledger: number; readonly table: number };
  readonly rebookedIntoLedger: number;
  readonly rewrittenIntoTable: number;
  readonly conflicts: number;
  readonly dryRun: boolean;
}

export interface OrchestratorDeps {
  /** RDS client in the target (surviving) Region, where the orchestrator runs. */
  readonly rds: RDSClient;
  /** Client for another Region, e.g. the current writer's; a call through a Region that is down fails. */
  readonly rdsForRegion?: (region: string) => RDSClient;
  readonly sns: SNSClient;
  /** Lambda and SQS clients per Region: processing follows the writer (F2). */
  readonly lambdaForRegion?: (region: string) => LambdaClient;
  readonly sqsForRegion?: (region: string) => SQSClient;
  /** CloudWatch in the target Region: the RPO lag a data-losing failover is about to lose (F3). */
  readonly cloudwatch?: CloudWatchClient;
  /**
   * CloudWatch per Region. Aurora publishes a secondary's AuroraGlobalDBRPOLag in that secondary's own
   * Region, so a failback aimed at the primary reads it there; without this, `cloudwatch` is used.
   */
  readonly cloudwatchForRegion?: (region: string) => CloudWatchClient;
  /**
   * X2: Route 53's checkers' view of the primary (evidence.ts), from vantage points outside this Region's
   * network path; absent or failing = no independent evidence.
   */
  readonly primaryCheckers?: () => Promise<readonly CheckerObservation[]>;
  /**
   * X3: the writer lease's witness (lease-transfer.ts), moved to the target before every promotion.
   * Absent = not fenced (no witness configured: see WRITER_LEASE_ENV.table).
   */
  readonly writerLease?: WriterLease;
  /** Reconciles the stores after a data-losing failover (F2); absent = reported as a manual step. */
  readonly reconcile?: (request: { sinceIso: string; dryRun: boolean }) => Promise<ReconcileCounts>;
  readonly clock: Clock;
  /** Uniform in [0, 1); injected so jitter is deterministic in tests. */
  readonly random: () => number;
  readonly logger: Logger;
}

export type ResultCode =
  | "completed"
  | "converged"
  | "already-writer"
  | "in-progress"
  | "escalated"
  | "dry-run"
  | "ignored"
  | "refused"
  | "timed-out"
  | "failed";

/** One post-promotion step (F2): processing follows the writer, DLQ redrive, reconciliation. */
export interface StepReport {
  readonly step: "follow-writer" | "redrive" | "redrive-standby" | "reconcile";
  readonly ok: boolean;
  readonly detail: string;
  readonly data?: Record<string, unknown>;
}

export interface FailoverResult {
  readonly ok: boolean;
  readonly result: ResultCode;
  readonly message: string;
  readonly mode?: FailoverMode;
  readonly dryRun?: boolean;
  readonly trigger?: Trigger;
  readonly reason?: string;
  readonly requestedBy?: string;
  readonly globalClusterId: string;
  readonly targetClusterArn: string;
  readonly previousWriterArn?: string;
  readonly currentWriterArn?: string;
  readonly plan?: FailoverPlan;
  readonly stateBefore?: GlobalClusterSnapshot;
  readonly stateAfter?: GlobalClusterSnapshot;
  /** What the preflight checked before a data-losing failover, in order. */
  readonly preconditions?: string[];
  /** Latest AuroraGlobalDBRPOLag of the target before a failover: the writes at risk; null = unknown. */
  readonly lagAtRiskMs?: number | null;
  /** Post-promotion steps, in order. */
  readonly steps?: StepReport[];
  /** True when AWS may still be executing the operation (time budget spent, or the outcome is unknown). */
  readonly operationMayBeRunning?: boolean;
  readonly error?: string;
  readonly timings: {
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly durationMs: number;
    readonly operationRequestedAt?: string;
    readonly polls?: number;
  };
  /** Failed SNS publishes; they never change `ok` or `result`. */
  readonly notificationErrors?: string[];
}

type RunFields = keyof RunBase | "timings" | "notificationErrors";
/** What a phase decides; the builder fills the rest from the run. */
export type Outcome = Omit<FailoverResult, RunFields | "globalClusterId" | "targetClusterArn">;

interface RunBase {
  mode: FailoverMode;
  dryRun: boolean;
  trigger: Trigger;
  reason?: string;
  requestedBy?: string;
}

/**
 * What an existing operation blocks, chosen by the caller (the drill's CLI; the Lambda keeps "any"):
 * - "any": any non-available Status or active FailoverState blocks (nothing is started).
 * - "failover-state": only an active switchover/failover (FailoverState) blocks; a global cluster that
 *   is merely not "available" (as during a regional outage) does not.
 * - "none": nothing blocks (an operator's explicit override).
 */
export type BlockOn = "any" | "failover-state" | "none";

export class Run {
  readonly startedMs: number;
  /** Last moment an AWS call may start: the final notification's cap is kept in reserve. */
  readonly deadline: number;
  readonly target: string;
  before?: GlobalClusterSnapshot;
  plan?: FailoverPlan;
  preconditions?: string[];
  lagAtRiskMs?: number | null;
  operationRequestedMs?: number;
  polls = 0;
  private readonly notificationErrors: string[] = [];
  private readonly pending: Promise<void>[] = [];

  constructor(
    readonly request: FailoverRequest,
    readonly settings: OrchestratorSettings,
    readonly deps: OrchestratorDeps,
    readonly blockOn: BlockOn = "any",
  ) {
    this.startedMs = deps.clock.now();
    this.deadline = this.startedMs + settings.timeBudgetMs - settings.notifyTimeoutMs;
    this.target = settings.targetClusterArn;
  }

  get logger(): Logger {
    return this.deps.logger;
  }

  retryOpts(withDeadline: boolean, isRetryable = isRetryableAwsError): RetryOptions {
    const { clock, logger } = this.deps;
    return {
      maxAttempts: this.settings.maxAttempts,
      baseDelayMs: this.settings.retryBaseDelayMs,
      maxDelayMs: this.settings.retryMaxDelayMs,
      random: this.deps.random,
      sleep: (ms) => clock.sleep(ms),
      now: () => clock.now(),
      deadline: withDeadline ? this.deadline : undefined,
      isRetryable,
      onRetry: ({ attempt, delayMs, error }) =>
        logger.warn("retrying after a transient error", { attempt, delayMs, error: errorMessage(error) }),
    };
  }

  retry<T>(label: string, fn: (attempt: number) => Promise<T>, isRetryable?: (e: unknown) => boolean) {
    return withRetry(label, fn, this.retryOpts(true, isRetryable));
  }

  describe(label: string): Promise<GlobalClusterSnapshot> {
    return this.retry(label, () => describeGlobalCluster(this.deps.rds, this.settings.globalClusterId));
  }

  notify(subject: string, body: Record<string, unknown>): Promise<void> {
    const retry = { ...this.retryOpts(false), maxAttempts: Math.min(2, this.settings.maxAttempts) };
    return publishNotification(
      this.deps,
      this.settings.alertTopicArn,
      subject,
      body,
      retry,
      this.settings.notifyTimeoutMs,
    ).then((err) => {
      if (err) this.notificationErrors.push(err);
    });
  }

  /** Starts a notification without waiting for it: the RDS call must never wait on SNS. */
  notifyInBackground(subject: string, body: Record<string, unknown>): void {
    this.pending.push(this.notify(subject, body));
  }

  private base(): RunBase & { globalClusterId: string; targetClusterArn: string } {
    const r = this.request;
    return {
      mode: r.mode,
      dryRun: r.dryRun,
      trigger: r.trigger,
      reason: r.reason,
      requestedBy: r.requestedBy,
      globalClusterId: this.settings.globalClusterId,
      targetClusterArn: this.target,
    };
  }

  /**
   * Builds, publishes and logs the result; every field a phase leaves out comes from the run. `publish`
   * false keeps a scheduled run that changed nothing off the alert topic (it is still logged).
   */
  async finish(outcome: Outcome, publish = true): Promise<FailoverResult> {
    await Promise.all(this.pending);
    const endMs = this.deps.clock.now();
    const result: FailoverResult = {
      ...this.base(),
      previousWriterArn: this.before?.writerArn,
      currentWriterArn: outcome.stateAfter?.writerArn ?? this.before?.writerArn,
      plan: this.plan,
      stateBefore: this.before,
      preconditions: this.preconditions,
      lagAtRiskMs: this.lagAtRiskMs,
      ...outcome,
      timings: {
        startedAt: new Date(this.startedMs).toISOString(),
        finishedAt: new Date(endMs).toISOString(),
        durationMs: endMs - this.startedMs,
        operationRequestedAt:
          this.operationRequestedMs === undefined
            ? undefined
            : new Date(this.operationRequestedMs).toISOString(),
        polls: this.polls > 0 ? this.polls : undefined,
      },
    };
    const label = this.request.dryRun ? `${this.request.mode} dry run` : this.request.mode;
    const attention = (outcome.steps ?? []).filter((s) => !s.ok).length;
    const suffix = attention > 0 ? ` (${attention} step(s) need attention)` : "";
    if (publish || attention > 0)
      await this.notify(
        `[DR] ${outcome.result.toUpperCase()}: ${label} of ${this.settings.globalClusterId}${suffix}`,
        { event: "failover-result", ...result, notificationErrors: this.errors() },
      );
    const final = { ...result, notificationErrors: this.errors() };
    if (final.ok) this.logger.info(`failover run finished: ${final.result}`, { ...final });
    else this.logger.error(`failover run finished: ${final.result}`, { ...final });
    return final;
  }

  private errors(): string[] | undefined {
    return this.notificationErrors.length > 0 ? [...this.notificationErrors] : undefined;
  }
}
