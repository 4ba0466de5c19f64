/**
 * X1/X6: the standing convergence run. A schedule (lib/failover/failover-orchestrator.ts) invokes the
 * orchestrator every few minutes with {"action":"converge"}; each run reads the global cluster and, when
 * no switchover or failover is in progress, makes the platform follow the writer it finds and redrives
 * every non-empty DLQ (after-promotion.ts, the same idempotent steps a failover ends with).
 *
 * Why a schedule rather than RDS events alone: CloudWatch alarm actions fire on a state change only, so an
 * alarm that stays in ALARM never re-invokes a run that timed out; a promotion that outlasts the budget,
 * a failover a person decides late, a Region that comes back after a partition, and orders that used up
 * their receives after the one redrive of a failover all need a run that nobody triggers. A schedule
 * covers every one of them with one idempotent path and no event to miss; the next tick is the re-check
 * after each redrive. It never promotes anything and never reconciles (only a data-losing run does).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
 *
 * A DLQ holds only orders that failed for want of a database (rejected and conflicting orders are parked
 * apart, park.ts; so is crash-type poison, on its last receive, crash-suspect.ts; the forwarder puts what
 * it could not send on back in its own queue, order-forwarder/requeue.ts), so redriving it whole every
 * tick moves no poison round and round; a redriven message
 * keeps its acceptedAt attribute, so the processor's clock-skew bound and the reports still see when it
 * was accepted. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 */
import { errorMessage, RetryError } from "../shared/retry";
import { afterPromotion } from "./after-promotion";
import { clusterArnRegion, type OrchestratorSettings } from "./config";
import { Run, type FailoverResult, type OrchestratorDeps, type StepReport } from "./report";
import { activeOperation, describeSnapshot } from "./snapshot";

/** Whether a step did something (a mapping switched, a move task started): only then is it published. */
export function changedSomething(steps: readonly StepReport[]): boolean {
  return steps.some((s) => s.data?.changed === true || s.data?.taskHandle !== undefined);
}

export async function runConverge(
  settings: OrchestratorSettings,
  deps: OrchestratorDeps,
): Promise<FailoverResult> {
  const run = new Run(
    // Never sent to RDS: a converge run requests no change; the mode only names the result.
    { mode: "switchover", dryRun: false, trigger: "schedule", reason: "scheduled convergence" },
    settings,
    deps,
  );
  try {
    const snap = (run.before = await run.describe("DescribeGlobalClusters (converge)"));
    const busy = activeOperation(snap);
    if (busy)
      return await run.finish(
        { ok: true, result: "in-progress", message: `Not converging while ${busy}; the next run will.` },
        false,
      );
    const writerRegion = snap.writerArn ? clusterArnRegion(snap.writerArn) : undefined;
    if (!writerRegion)
      return await run.finish({
        ok: false,
        result: "failed",
        message: `No writer: ${describeSnapshot(snap)}`,
      });
    const steps = await afterPromotion(run, writerRegion, false);
    const changed = changedSomething(steps);
    return await run.finish(
      {
        ok: true,
        result: "converged",
        message: `${changed ? "Converged" : "Nothing to converge"}: the writer is in ${writerRegion}.`,
        stateAfter: snap,
        steps,
      },
      changed,
    );
  } catch (err) {
    const last = err instanceof RetryError ? err.lastError : err;
    return run.finish({ ok: false, result: "failed", message: `Convergence failed: ${errorMessage(last)}` });
  }
}
