/**
 * Moves the writer of an Aurora global database to the target (secondary) cluster and makes the platform
 * follow it. Shared by the failover Lambda (index.ts) and the drill (scripts/drill.ts); all I/O comes in
 * through `deps`. One run is preflight -> request -> poll -> after promotion; each phase returns an
 * Outcome and the run's report builder (report.ts) turns it into the result.
 *
 * API semantics relied on:
 * - Planned "switchover": SwitchoverGlobalCluster; secondaries are synchronised first, so no data loss,
 *   but both Regions must be healthy.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * - Unplanned "failover": FailoverGlobalCluster with AllowDataLoss=true (without it the call is a
 *   switchover).
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 * - Which regional endpoint takes the call: a switchover goes to the Region of the current primary
 *   (writer), which must be healthy for a switchover anyway; a failover to the Region of the secondary
 *   being promoted (the target, where this function runs: the primary Region may be the one that is
 *   down). The Aurora User Guide's CLI steps say so for --region of both commands.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 */
import { FailoverGlobalClusterCommand, SwitchoverGlobalClusterCommand } from "@aws-sdk/client-rds";
import { errorMessage, errorName, isRetryableAwsError, RetryError } from "../shared/retry";
import { clusterArnRegion, type OrchestratorSettings } from "./config";
import type { FailoverRequest } from "./events";
import { afterPromotion } from "./after-promotion";
import { aim } from "./aim";
import { fencingWaitMs, moveLease } from "./lease-transfer";
import { preflight } from "./preflight";
import { Run, type BlockOn, type FailoverResult, type OrchestratorDeps, type Outcome } from "./report";
import {
  activeOperation,
  describeGlobalCluster,
  describeSnapshot,
  isCompleted,
  movingToTarget,
  type GlobalClusterSnapshot,
} from "./snapshot";

export * from "./snapshot";
export { publishNotification, sanitizeSubject, type Logger } from "./notify";
export type {
  BlockOn,
  Clock,
  FailoverResult,
  OrchestratorDeps,
  ReconcileCounts,
  ResultCode,
  StepReport,
} from "./report";

function isRetryableMutationError(err: unknown): boolean {
  // InvalidGlobalClusterStateFault also means "a change is in progress"; we re-read state before retrying.
  return isRetryableAwsError(err) || errorName(err) === "InvalidGlobalClusterStateFault";
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
  const aimed = aim(request, settings);
  const run = new Run(
    request,
    "refused" in aimed ? settings : { ...settings, targetClusterArn: aimed.targetClusterArn },
    deps,
    blockOn,
  );
  if ("refused" in aimed) return run.finish({ ok: false, result: "refused", message: aimed.refused });
  try {
    const stop = await preflight(run);
    if (stop?.result === "already-writer" && !request.dryRun)
      return await run.finish(await followUp(run, stop));
    if (stop) return await run.finish(stop);
    const refused = await requestChange(run);
    if (refused) return await run.finish(refused);
    const polled = await poll(run);
    return await run.finish(polled.result === "completed" ? await followUp(run, polled) : polled);
  } catch (err) {
    return run.finish({
      ok: false,
      result: "failed",
      message: `Failover orchestration failed before any change was requested: ${errorMessage(
        err instanceof RetryError ? err.lastError : err,
      )}`,
      error: errorMessage(err),
    });
  }
}

/** Post-promotion steps (F2) on a run whose target is the writer. */
async function followUp(run: Run, outcome: Outcome): Promise<Outcome> {
  const region = clusterArnRegion(run.target) ?? "unknown";
  const steps = await afterPromotion(run, region);
  return { ...outcome, steps };
}

/** Sends the one mutating call. Returns an outcome only when the run must stop here. */
async function requestChange(run: Run): Promise<Outcome | undefined> {
  const { request, settings, target, logger } = run;
  const plan = run.plan!;
  // Not awaited: a slow SNS must never delay the RDS call. finish() waits for it, capped.
  run.notifyInBackground(`[DR] STARTED: ${request.mode} of ${settings.globalClusterId}`, {
    event: "failover-started",
    mode: request.mode,
    trigger: request.trigger,
    reason: request.reason,
    requestedBy: request.requestedBy,
    plan,
    lagAtRiskMs: run.lagAtRiskMs,
    stateBefore: run.before,
  });
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
  // Switchover through the current writer's Region, failover through the target's: see top. The target
  // is the function's own Region unless the request is aimed elsewhere (a failback, aim.ts).
  const writerRegion = run.before?.writerArn ? clusterArnRegion(run.before.writerArn) : undefined;
  const callRegion = request.mode === "switchover" ? writerRegion : clusterArnRegion(target);
  const mutationClient =
    callRegion && run.deps.rdsForRegion ? run.deps.rdsForRegion(callRegion) : run.deps.rds;
  const unfenced = await fenceBeforePromotion(run);
  if (unfenced) return unfenced;
  run.operationRequestedMs = run.deps.clock.now();
  try {
    await run.retry(
      plan.apiCall,
      async (attempt) => {
        // Idempotent retry: if an earlier attempt reached AWS but its response was lost, state shows it.
        if (
          attempt > 1 &&
          movingToTarget(await describeGlobalCluster(run.deps.rds, settings.globalClusterId), target)
        ) {
          logger.info("an earlier attempt was accepted; not calling again", { attempt });
          return;
        }
        logger.info(`calling ${plan.apiCall}`, { attempt, parameters: plan.parameters });
        await mutationClient.send(command);
      },
      isRetryableMutationError,
    );
    return undefined;
  } catch (err) {
    return afterFailedRequest(run, err);
  }
}

/**
 * X3: moves the writer lease to the target's Region and, for a data-losing failover, waits it out, so the
 * old writer's Region has stopped booking before Aurora promotes (lease-transfer.ts). A witness that
 * cannot be written stops the run: promoting without the lease risks a split brain.
 */
async function fenceBeforePromotion(run: Run): Promise<Outcome | undefined> {
  const lease = run.deps.writerLease;
  const region = clusterArnRegion(run.target);
  if (!lease || !region) return undefined;
  try {
    const epoch = await moveLease(lease, region, run.deps.clock.now());
    const waitMs = fencingWaitMs(run.request.mode, lease);
    run.logger.info("writer lease moved; waiting it out before the promotion", { region, epoch, waitMs });
    await run.deps.clock.sleep(waitMs);
    return undefined;
  } catch (err) {
    return {
      ok: false,
      result: "failed",
      message: `Could not move the writer lease to ${region} (witness ${lease.settings.table} in ${lease.settings.region}): ${errorMessage(err)}. Nothing was promoted: without the lease the old writer's Region could keep booking (split brain).`,
      error: errorMessage(err),
    };
  }
}

/** Moves the writer lease back to the current writer's Region after a refused promotion; says what it did. */
async function returnLease(run: Run): Promise<string> {
  const lease = run.deps.writerLease;
  const writer = run.before?.writerArn ? clusterArnRegion(run.before.writerArn) : undefined;
  if (!lease || !writer) return "";
  try {
    await moveLease(lease, writer, run.deps.clock.now());
    return ` The writer lease is back with ${writer}.`;
  } catch (err) {
    return ` The writer lease could not be moved back to ${writer} (${errorMessage(err)}): it stays with the target, so ${writer} books nothing until a run moves it.`;
  }
}

/** Re-reads the cluster after a refused or failed call: the target may be the writer already. */
async function afterFailedRequest(run: Run, err: unknown): Promise<Outcome | undefined> {
  const last = err instanceof RetryError ? err.lastError : err;
  const now = await describeGlobalCluster(run.deps.rds, run.settings.globalClusterId).catch(() => undefined);
  if (now && movingToTarget(now, run.target)) {
    run.logger.warn("the call failed but the cluster is moving to the target; following it", {
      error: errorMessage(last),
    });
    return undefined;
  }
  const unknownOutcome = now === undefined && isRetryableAwsError(last);
  // X3: refused outright, nothing was promoted: the lease goes back to the writer's Region, or it would
  // stop booking. When the outcome is unknown the lease stays with the target (a promotion may follow).
  const leaseNote = unknownOutcome ? "" : await returnLease(run);
  return {
    ok: false,
    result: "failed",
    message: `${run.plan!.apiCall} failed: ${errorMessage(last)}.${
      unknownOutcome
        ? " The request may still have reached AWS; check the global cluster. Re-running is safe: it reports in-progress or already-writer instead of starting twice."
        : ""
    }${leaseNote}`,
    error: errorMessage(err),
    stateAfter: now,
    operationMayBeRunning: unknownOutcome,
  };
}

/** Polls until the target is the writer and the cluster is available again, or the budget ends. */
async function poll(run: Run): Promise<Outcome> {
  const { settings, request, target, deps } = run;
  let sawRunning = false;
  let last: GlobalClusterSnapshot = run.before!;
  for (;;) {
    const remaining = run.deadline - deps.clock.now();
    if (remaining <= 0) break;
    await deps.clock.sleep(Math.min(settings.pollIntervalMs, remaining));
    run.polls++;
    try {
      last = await run.describe("DescribeGlobalClusters (poll)");
    } catch (err) {
      if (err instanceof RetryError && err.reason === "deadline") break;
      return {
        ok: false,
        result: "failed",
        message: `Lost track of the ${request.mode} while polling: ${errorMessage(err)}. The operation may still be running in AWS; check the global cluster.`,
        error: errorMessage(err),
        stateAfter: last,
        operationMayBeRunning: true,
      };
    }
    run.logger.info(`poll ${run.polls}: ${describeSnapshot(last)}`);
    if (isCompleted(last, target)) {
      return {
        ok: true,
        result: "completed",
        message: `${request.mode} completed: ${target} is now the writer of ${settings.globalClusterId}.`,
        stateAfter: last,
      };
    }
    if (activeOperation(last)) sawRunning = true;
    else if (sawRunning) {
      return {
        ok: false,
        result: "failed",
        message: `The ${request.mode} ended but ${target} is not the writer (writer: ${
          last.writerArn ?? "none"
        }); it was probably cancelled or rolled back. Check RDS events for the global cluster.`,
        stateAfter: last,
      };
    }
  }
  return {
    ok: false,
    result: "timed-out",
    message: `Time budget of ${settings.timeBudgetMs} ms spent before the ${request.mode} finished. The operation may still be running in AWS: check the global cluster; re-running is safe (it reports in-progress or already-writer, then finishes the post-promotion steps).`,
    stateAfter: last,
    operationMayBeRunning: true,
  };
}
