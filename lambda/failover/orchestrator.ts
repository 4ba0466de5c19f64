/**
 * Promotes the secondary Aurora cluster of a global database. Shared by the failover Lambda
 * (index.ts) and the drill command (scripts/drill.ts); all I/O comes in through `deps`.
 *
 * API semantics relied on:
 * - Planned "switchover": SwitchoverGlobalCluster. Secondaries are synchronised first, so no data loss,
 *   but both Regions must be healthy.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * - Unplanned "failover": FailoverGlobalCluster with AllowDataLoss=true (without it the call is a
 *   switchover). May lose writes not yet replicated to the target.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 * - TargetDbClusterIdentifier must be the secondary cluster's ARN so Aurora can find it in its Region.
 * - Which regional endpoint takes the call: a switchover goes to the Region of the current primary
 *   (writer); a failover to the Region of the secondary being promoted (the target). The Aurora User
 *   Guide's CLI steps say so for --region of switchover-global-cluster and failover-global-cluster.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 * - While an operation runs, DescribeGlobalClusters shows Status "switching-over"/"failing-over" and a
 *   FailoverState {Status pending|failing-over|switching-over|cancelling, FromDbClusterArn,
 *   ToDbClusterArn, IsDataLossAllowed}; FailoverState is empty otherwise.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 */
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
  type GlobalCluster,
} from "@aws-sdk/client-rds";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import {
  errorMessage,
  errorName,
  isRetryableAwsError,
  RetryError,
  withRetry,
  type RetryOptions,
} from "../shared/retry";
import type { Log as Logger } from "../shared/log";
import { clusterArnRegion, type OrchestratorSettings } from "./config";
import type { FailoverMode, FailoverRequest, Trigger } from "./events";

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface OrchestratorDeps {
  /** RDS client in the secondary (surviving) Region, where the orchestrator runs. */
  readonly rds: RDSClient;
  /** Client for another Region; used to check the current writer's health before a switchover. */
  readonly rdsForRegion?: (region: string) => RDSClient;
  readonly sns: SNSClient;
  readonly clock: Clock;
  /** Uniform in [0, 1); injected so jitter is deterministic in tests. */
  readonly random: () => number;
  readonly logger: Logger;
}

/**
 * What an existing operation blocks, chosen by the caller (the drill's CLI; the Lambda keeps "any"):
 * - "any": any non-available Status or active FailoverState blocks (nothing is started).
 * - "failover-state": only an active switchover/failover (FailoverState) blocks; a global cluster that
 *   is merely not "available" (as during a regional outage) does not.
 * - "none": nothing blocks (an operator's explicit override).
 */
export type BlockOn = "any" | "failover-state" | "none";

export type ResultCode =
  "completed" | "already-writer" | "in-progress" | "dry-run" | "ignored" | "refused" | "timed-out" | "failed";

export interface MemberSnapshot {
  readonly arn: string;
  readonly isWriter: boolean;
  readonly synchronizationStatus?: string;
}

export interface GlobalClusterSnapshot {
  readonly globalClusterId: string;
  readonly status?: string;
  readonly writerArn?: string;
  readonly endpoint?: string;
  readonly members: MemberSnapshot[];
  readonly failoverState?: {
    readonly status?: string;
    readonly fromDbClusterArn?: string;
    readonly toDbClusterArn?: string;
    readonly isDataLossAllowed?: boolean;
  };
}

export interface FailoverPlan {
  readonly mode: FailoverMode;
  readonly apiCall: "SwitchoverGlobalCluster" | "FailoverGlobalCluster";
  readonly parameters: Readonly<Record<string, string | boolean>>;
  readonly currentWriterArn?: string;
  readonly targetClusterArn: string;
  readonly dataLossPossible: boolean;
  readonly notes: string[];
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

// "switching-over" is documented for FailoverState.Status but missing from the SDK's enum: compare as strings.
const ACTIVE_FAILOVER_STATES = new Set<string>(["pending", "failing-over", "switching-over", "cancelling"]);
const HEALTHY_CLUSTER_STATUS = "available";

/** Flattens the SDK shape into what decisions and reports need. */
export function snapshotOf(gc: GlobalCluster, globalClusterId: string): GlobalClusterSnapshot {
  const members: MemberSnapshot[] = (gc.GlobalClusterMembers ?? [])
    .filter((m) => typeof m.DBClusterArn === "string")
    .map((m) => ({
      arn: m.DBClusterArn as string,
      isWriter: m.IsWriter === true,
      synchronizationStatus: m.SynchronizationStatus,
    }));
  const fs = gc.FailoverState;
  const hasFailoverState =
    fs !== undefined &&
    (fs.Status !== undefined || fs.ToDbClusterArn !== undefined || fs.FromDbClusterArn !== undefined);
  return {
    globalClusterId: gc.GlobalClusterIdentifier ?? globalClusterId,
    status: gc.Status,
    writerArn: members.find((m) => m.isWriter)?.arn,
    endpoint: gc.Endpoint,
    members,
    failoverState: hasFailoverState
      ? {
          status: fs.Status,
          fromDbClusterArn: fs.FromDbClusterArn,
          toDbClusterArn: fs.ToDbClusterArn,
          isDataLossAllowed: fs.IsDataLossAllowed,
        }
      : undefined,
  };
}

/** An operation is running when FailoverState carries an active status or the cluster is not "available". */
export function activeOperation(snap: GlobalClusterSnapshot): string | undefined {
  const fsStatus = snap.failoverState?.status;
  if (fsStatus !== undefined && ACTIVE_FAILOVER_STATES.has(fsStatus))
    return `FailoverState.Status=${fsStatus}`;
  if (snap.status !== "available") return `Status=${snap.status ?? "unknown"}`;
  return undefined;
}

/** One-line human description, used by logs and the drill. */
export function describeSnapshot(snap: GlobalClusterSnapshot): string {
  const members = snap.members
    .map(
      (m) =>
        `${m.arn}${m.isWriter ? " (writer)" : ""}${m.synchronizationStatus ? ` [${m.synchronizationStatus}]` : ""}`,
    )
    .join(", ");
  const fs = snap.failoverState
    ? `; FailoverState=${snap.failoverState.status ?? "?"} ${snap.failoverState.fromDbClusterArn ?? "?"} -> ${
        snap.failoverState.toDbClusterArn ?? "?"
      } dataLossAllowed=${String(snap.failoverState.isDataLossAllowed ?? false)}`
    : "";
  return `global cluster ${snap.globalClusterId}: Status=${snap.status ?? "unknown"}; writer=${
    snap.writerArn ?? "none"
  }; members=[${members}]${fs}`;
}

export async function describeGlobalCluster(
  rds: RDSClient,
  globalClusterId: string,
): Promise<GlobalClusterSnapshot> {
  const out = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterId }));
  const gc = out.GlobalClusters?.[0];
  if (!gc) {
    throw Object.assign(new Error(`Global cluster ${globalClusterId} not found`), {
      name: "GlobalClusterNotFoundFault",
    });
  }
  return snapshotOf(gc, globalClusterId);
}

export function buildPlan(
  mode: FailoverMode,
  snap: GlobalClusterSnapshot,
  targetClusterArn: string,
): FailoverPlan {
  const notes: string[] = [];
  const target = snap.members.find((m) => m.arn === targetClusterArn);
  if (target?.synchronizationStatus && target.synchronizationStatus !== "connected") {
    notes.push(`target SynchronizationStatus is ${target.synchronizationStatus}`);
  }
  if (mode === "switchover") {
    notes.push("Planned switchover: secondaries are synchronised first, so no committed data is lost.");
    return {
      mode,
      apiCall: "SwitchoverGlobalCluster",
      parameters: {
        GlobalClusterIdentifier: snap.globalClusterId,
        TargetDbClusterIdentifier: targetClusterArn,
      },
      currentWriterArn: snap.writerArn,
      targetClusterArn,
      dataLossPossible: false,
      notes,
    };
  }
  notes.push(
    "Unplanned failover (AllowDataLoss=true): writes not yet replicated to the target (typically under 1 s) may be lost.",
  );
  return {
    mode,
    apiCall: "FailoverGlobalCluster",
    parameters: {
      GlobalClusterIdentifier: snap.globalClusterId,
      TargetDbClusterIdentifier: targetClusterArn,
      AllowDataLoss: true,
    },
    currentWriterArn: snap.writerArn,
    targetClusterArn,
    dataLossPossible: true,
    notes,
  };
}

/** SNS subjects must be under 100 characters, with no line breaks or control characters. */
export function sanitizeSubject(subject: string): string {
  const clean = subject
    .replace(/\s+/g, " ")
    .replace(/[^\x20-\x7E]/g, "?")
    .trim();
  return clean.length <= 99 ? clean : `${clean.slice(0, 96)}...`;
}

/** Publishes one message; returns an error description instead of throwing. */
export async function publishNotification(
  deps: Pick<OrchestratorDeps, "sns" | "logger">,
  topicArn: string,
  subject: string,
  body: Record<string, unknown>,
  retry: RetryOptions,
): Promise<string | undefined> {
  try {
    await withRetry(
      "SNS Publish",
      () =>
        deps.sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: sanitizeSubject(subject),
            Message: JSON.stringify(body, null, 2),
          }),
        ),
      retry,
    );
    return undefined;
  } catch (err) {
    const msg = errorMessage(err instanceof RetryError ? err.lastError : err);
    deps.logger.error("notification failed; the failover result is unaffected", { subject, error: msg });
    return `${subject}: ${msg}`;
  }
}

function isRetryableMutationError(err: unknown): boolean {
  // InvalidGlobalClusterStateFault also means "a change is in progress"; we re-read state before retrying.
  return isRetryableAwsError(err) || errorName(err) === "InvalidGlobalClusterStateFault";
}

function movingToTarget(snap: GlobalClusterSnapshot, target: string): boolean {
  return snap.writerArn === target || snap.failoverState?.toDbClusterArn === target;
}

function isCompleted(snap: GlobalClusterSnapshot, target: string): boolean {
  return snap.writerArn === target && activeOperation(snap) === undefined;
}

/**
 * Runs one switchover or failover request end to end and always resolves with a result: failures are
 * reported (SNS + result), never thrown, so an async invocation is not retried by Lambda on top of ours.
 */
export async function runFailover(
  request: FailoverRequest,
  settings: OrchestratorSettings,
  deps: OrchestratorDeps,
  blockOn: BlockOn = "any",
): Promise<FailoverResult> {
  const { clock, logger } = deps;
  const startedMs = clock.now();
  const deadline = startedMs + settings.timeBudgetMs;
  const target = settings.targetClusterArn;
  const notificationErrors: string[] = [];

  const retryOpts = (withDeadline: boolean, isRetryable = isRetryableAwsError): RetryOptions => ({
    maxAttempts: settings.maxAttempts,
    baseDelayMs: settings.retryBaseDelayMs,
    maxDelayMs: settings.retryMaxDelayMs,
    random: deps.random,
    sleep: (ms) => clock.sleep(ms),
    now: () => clock.now(),
    deadline: withDeadline ? deadline : undefined,
    isRetryable,
    onRetry: ({ attempt, delayMs, error }) =>
      logger.warn("retrying after a transient error", { attempt, delayMs, error: errorMessage(error) }),
  });
  const describe = (label: string): Promise<GlobalClusterSnapshot> =>
    withRetry(label, () => describeGlobalCluster(deps.rds, settings.globalClusterId), retryOpts(true));

  const base = {
    mode: request.mode,
    dryRun: request.dryRun,
    trigger: request.trigger,
    reason: request.reason,
    requestedBy: request.requestedBy,
    globalClusterId: settings.globalClusterId,
    targetClusterArn: target,
  };
  let operationRequestedMs: number | undefined;
  let polls = 0;

  const notify = async (subject: string, body: Record<string, unknown>): Promise<void> => {
    const err = await publishNotification(deps, settings.alertTopicArn, subject, body, retryOpts(false));
    if (err) notificationErrors.push(err);
  };

  const finish = async (
    partial: Omit<FailoverResult, keyof typeof base | "timings" | "notificationErrors">,
  ): Promise<FailoverResult> => {
    const endMs = clock.now();
    const withoutNotes: FailoverResult = {
      ...base,
      ...partial,
      timings: {
        startedAt: new Date(startedMs).toISOString(),
        finishedAt: new Date(endMs).toISOString(),
        durationMs: endMs - startedMs,
        operationRequestedAt:
          operationRequestedMs === undefined ? undefined : new Date(operationRequestedMs).toISOString(),
        polls: polls > 0 ? polls : undefined,
      },
    };
    const label = request.dryRun ? `${request.mode} dry run` : request.mode;
    await notify(`[DR] ${partial.result.toUpperCase()}: ${label} of ${settings.globalClusterId}`, {
      event: "failover-result",
      ...withoutNotes,
      notificationErrors: notificationErrors.length > 0 ? [...notificationErrors] : undefined,
    });
    const result: FailoverResult = {
      ...withoutNotes,
      notificationErrors: notificationErrors.length > 0 ? [...notificationErrors] : undefined,
    };
    if (result.ok) logger.info(`failover run finished: ${result.result}`, { ...result });
    else logger.error(`failover run finished: ${result.result}`, { ...result });
    return result;
  };

  let before: GlobalClusterSnapshot | undefined;
  let plan: FailoverPlan | undefined;
  try {
    logger.info("reading global cluster state", {
      globalClusterId: settings.globalClusterId,
      request: { ...request },
    });
    before = await describe("DescribeGlobalClusters");
    logger.info(describeSnapshot(before));

    if (!before.members.some((m) => m.arn === target)) {
      return await finish({
        ok: false,
        result: "failed",
        message: `Target ${target} is not a member of global cluster ${settings.globalClusterId} (members: ${
          before.members.map((m) => m.arn).join(", ") || "none"
        }); check TARGET_CLUSTER_ARN.`,
        previousWriterArn: before.writerArn,
        currentWriterArn: before.writerArn,
        stateBefore: before,
      });
    }

    const running = activeOperation(before);
    if (before.failoverState && running && blockOn !== "none") {
      const towardTarget = before.failoverState.toDbClusterArn === target;
      return await finish({
        ok: true,
        result: "in-progress",
        message: `A ${before.failoverState.isDataLossAllowed ? "failover" : "switchover"} is already in progress (${running}) ${
          towardTarget
            ? "toward the target"
            : `toward ${before.failoverState.toDbClusterArn ?? "another cluster"}`
        }; nothing was started.`,
        previousWriterArn: before.writerArn,
        currentWriterArn: before.writerArn,
        stateBefore: before,
        operationMayBeRunning: true,
      });
    }
    if (before.writerArn === target) {
      return await finish({
        ok: true,
        result: "already-writer",
        message: `${target} is already the writer of ${settings.globalClusterId}; nothing to do.`,
        previousWriterArn: before.writerArn,
        currentWriterArn: before.writerArn,
        stateBefore: before,
      });
    }
    if (running && blockOn === "any") {
      return await finish({
        ok: true,
        result: "in-progress",
        message: `Global cluster is busy (${running}); nothing was started. Re-run once it is "available".`,
        previousWriterArn: before.writerArn,
        currentWriterArn: before.writerArn,
        stateBefore: before,
        operationMayBeRunning: true,
      });
    }

    plan = buildPlan(request.mode, before, target);

    if (request.mode === "switchover") {
      const refusal = await checkSwitchoverPreconditions(before, deps, (label, fn) =>
        withRetry(label, fn, retryOpts(true)),
      );
      if (refusal) {
        return await finish({
          ok: false,
          result: "refused",
          message: `Switchover refused: ${refusal} A switchover needs both Regions healthy; if the primary Region is impaired, run mode "failover" instead (it may lose writes not yet replicated).`,
          previousWriterArn: before.writerArn,
          currentWriterArn: before.writerArn,
          plan,
          stateBefore: before,
        });
      }
    }

    if (request.dryRun) {
      return await finish({
        ok: true,
        result: "dry-run",
        message: `Dry run: would call ${plan.apiCall}(${JSON.stringify(plan.parameters)}) to move the writer from ${
          before.writerArn ?? "none"
        } to ${target}; data loss possible: ${plan.dataLossPossible ? "yes" : "no"}. No change was made.`,
        previousWriterArn: before.writerArn,
        currentWriterArn: before.writerArn,
        plan,
        stateBefore: before,
      });
    }

    await notify(`[DR] STARTED: ${request.mode} of ${settings.globalClusterId}`, {
      event: "failover-started",
      ...base,
      plan,
      stateBefore: before,
      startedAt: new Date(startedMs).toISOString(),
    });

    // Idempotent retry: if an earlier attempt reached AWS but its response was lost, state shows it.
    const command =
      request.mode === "switchover"
        ? new SwitchoverGlobalClusterCommand({
            GlobalClusterIdentifier: settings.globalClusterId,
            TargetDbClusterIdentifier: target,
          })
        : new FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: settings.globalClusterId,
            TargetDbClusterIdentifier: target,
            AllowDataLoss: true,
          });
    // Switchover through the current writer's Region, failover through the target's (deps.rds): see top.
    const writerRegion = before.writerArn ? clusterArnRegion(before.writerArn) : undefined;
    const mutationClient =
      request.mode === "switchover" && writerRegion && deps.rdsForRegion
        ? deps.rdsForRegion(writerRegion)
        : deps.rds;
    operationRequestedMs = clock.now();
    try {
      await withRetry(
        plan.apiCall,
        async (attempt) => {
          if (attempt > 1) {
            const now = await describeGlobalCluster(deps.rds, settings.globalClusterId);
            if (movingToTarget(now, target)) {
              logger.info("an earlier attempt was accepted; not calling again", { attempt });
              return;
            }
          }
          logger.info(`calling ${plan?.apiCall}`, { attempt, parameters: plan?.parameters });
          await mutationClient.send(command);
        },
        retryOpts(true, isRetryableMutationError),
      );
    } catch (err) {
      const last = err instanceof RetryError ? err.lastError : err;
      const unknownOutcome = isRetryableAwsError(last);
      return await finish({
        ok: false,
        result: "failed",
        message: `${plan.apiCall} failed: ${errorMessage(last)}.${
          unknownOutcome
            ? " The request may still have reached AWS; check the global cluster. Re-running is safe: it reports in-progress or already-writer instead of starting twice."
            : ""
        }`,
        error: errorMessage(err),
        previousWriterArn: before.writerArn,
        currentWriterArn: before.writerArn,
        plan,
        stateBefore: before,
        operationMayBeRunning: unknownOutcome,
      });
    }

    // Poll until the target is the writer and the global cluster is available again, or the budget ends.
    let sawRunning = false;
    let last: GlobalClusterSnapshot = before;
    for (;;) {
      const remaining = deadline - clock.now();
      if (remaining <= 0) break;
      await clock.sleep(Math.min(settings.pollIntervalMs, remaining));
      polls++;
      try {
        last = await describe("DescribeGlobalClusters (poll)");
      } catch (err) {
        if (err instanceof RetryError && err.reason === "deadline") break;
        return await finish({
          ok: false,
          result: "failed",
          message: `Lost track of the ${request.mode} while polling: ${errorMessage(err)}. The operation may still be running in AWS; check the global cluster.`,
          error: errorMessage(err),
          previousWriterArn: before.writerArn,
          currentWriterArn: last.writerArn,
          plan,
          stateBefore: before,
          stateAfter: last,
          operationMayBeRunning: true,
        });
      }
      logger.info(`poll ${polls}: ${describeSnapshot(last)}`);
      if (isCompleted(last, target)) {
        return await finish({
          ok: true,
          result: "completed",
          message: `${request.mode} completed: ${target} is now the writer of ${settings.globalClusterId}.`,
          previousWriterArn: before.writerArn,
          currentWriterArn: last.writerArn,
          plan,
          stateBefore: before,
          stateAfter: last,
        });
      }
      if (activeOperation(last)) {
        sawRunning = true;
      } else if (sawRunning) {
        return await finish({
          ok: false,
          result: "failed",
          message: `The ${request.mode} ended but ${target} is not the writer (writer: ${
            last.writerArn ?? "none"
          }); it was probably cancelled or rolled back. Check RDS events for the global cluster.`,
          previousWriterArn: before.writerArn,
          currentWriterArn: last.writerArn,
          plan,
          stateBefore: before,
          stateAfter: last,
        });
      }
    }
    return await finish({
      ok: false,
      result: "timed-out",
      message: `Time budget of ${settings.timeBudgetMs} ms spent before the ${request.mode} finished. The operation may still be running in AWS: check the global cluster; re-running is safe (it reports in-progress or already-writer).`,
      previousWriterArn: before.writerArn,
      currentWriterArn: last.writerArn,
      plan,
      stateBefore: before,
      stateAfter: last,
      operationMayBeRunning: true,
    });
  } catch (err) {
    return await finish({
      ok: false,
      result: "failed",
      message: `Failover orchestration failed before any change was requested: ${errorMessage(
        err instanceof RetryError ? err.lastError : err,
      )}`,
      error: errorMessage(err),
      previousWriterArn: before?.writerArn,
      currentWriterArn: before?.writerArn,
      plan,
      stateBefore: before,
    });
  }
}

/**
 * A switchover needs a healthy primary: both members present and the writer cluster "available" in its
 * own Region. Returns a refusal reason, or undefined when the switchover may go ahead.
 */
async function checkSwitchoverPreconditions(
  snap: GlobalClusterSnapshot,
  deps: OrchestratorDeps,
  retry: <T>(label: string, fn: () => Promise<T>) => Promise<T>,
): Promise<string | undefined> {
  if (snap.members.length < 2)
    return `global cluster has ${snap.members.length} member(s); a switchover needs two.`;
  const writer = snap.writerArn;
  if (!writer) return "global cluster has no writer member.";
  const region = clusterArnRegion(writer);
  const client = region && deps.rdsForRegion ? deps.rdsForRegion(region) : deps.rds;
  try {
    const out = await retry("DescribeDBClusters (current writer)", () =>
      client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: writer })),
    );
    const cluster = out.DBClusters?.[0];
    if (!cluster) return `current writer ${writer} was not found in ${region ?? "its Region"}.`;
    if (cluster.Status !== HEALTHY_CLUSTER_STATUS) {
      return `current writer ${writer} is not healthy (Status=${cluster.Status ?? "unknown"}).`;
    }
    if (!(cluster.DBClusterMembers ?? []).some((m) => m.IsClusterWriter === true)) {
      return `current writer ${writer} has no writer instance.`;
    }
    return undefined;
  } catch (err) {
    const last = err instanceof RetryError ? err.lastError : err;
    return `could not confirm that the current writer ${writer} is healthy (${errorMessage(last)}).`;
  }
}
