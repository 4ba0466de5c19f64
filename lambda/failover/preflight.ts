/**
 * Preflight: read the global cluster and decide whether this run may request anything. Read-only.
 *
 * - A switchover needs both Regions healthy: the current writer must answer "available" through its own
 *   Region's RDS endpoint. https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * - A failover (AllowDataLoss) is for an unplanned outage and may lose writes not yet replicated, so it
 *   goes ahead only when the target can be promoted and the primary is NOT healthy. The signal trusted for
 *   "primary unhealthy" is the primary Region's own RDS control plane: DescribeDBClusters sent to that
 *   Region either fails (the Region or its API is unreachable from here) or reports the writer cluster
 *   not "available" / without a writer instance. An alarm alone is not trusted: it watches the API path,
 *   which can fail while the database is fine, and then a switchover loses nothing.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 * - The writes at risk are the target's AuroraGlobalDBRPOLag, published for secondary clusters only.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
 */
import { DescribeDBClustersCommand, type RDSClient } from "@aws-sdk/client-rds";
import { errorMessage, RetryError } from "../shared/retry";
import { clusterArnRegion } from "./config";
import type { Outcome, Run } from "./report";
import { judgeCheckers, MIN_FAILING_CHECKER_REGIONS, type Verdict } from "./evidence";
import { clusterIdOf, latestRpoLag } from "./rpo-lag";
import { activeOperation, buildPlan, describeSnapshot, type GlobalClusterSnapshot } from "./snapshot";

const HEALTHY_CLUSTER_STATUS = "available";

/** Returns the outcome that ends the run here, or undefined when the change may be requested. */
export async function preflight(run: Run): Promise<Outcome | undefined> {
  const { request, settings, target } = run;
  run.logger.info("reading global cluster state", {
    globalClusterId: settings.globalClusterId,
    request: { ...request },
  });
  const before = (run.before = await run.describe("DescribeGlobalClusters"));
  run.logger.info(describeSnapshot(before));

  if (!before.members.some((m) => m.arn === target)) {
    return {
      ok: false,
      result: "failed",
      message: `Target ${target} is not a member of global cluster ${settings.globalClusterId} (members: ${
        before.members.map((m) => m.arn).join(", ") || "none"
      }); check TARGET_CLUSTER_ARN.`,
    };
  }
  const busy = busyOutcome(run, before);
  if (busy) return busy;

  run.plan = buildPlan(request.mode, before, target);
  const refusal =
    request.mode === "switchover" ? await switchoverRefusal(run, before) : await failoverRefusal(run, before);
  if (refusal) {
    const hint =
      request.mode === "switchover"
        ? ' A switchover needs both Regions healthy; if the primary Region is impaired, run mode "failover" instead (it may lose writes not yet replicated).'
        : "";
    return {
      ok: false,
      result: "refused",
      message: `${capitalise(request.mode)} refused: ${refusal}${hint}`,
    };
  }
  if (request.dryRun) {
    const plan = run.plan;
    return {
      ok: true,
      result: "dry-run",
      message: `Dry run: would call ${plan.apiCall}(${JSON.stringify(plan.parameters)}) to move the writer from ${
        before.writerArn ?? "none"
      } to ${target}; data loss possible: ${plan.dataLossPossible ? `yes (RPO lag ${lagText(run.lagAtRiskMs)})` : "no"}. No change was made.`,
    };
  }
  return undefined;
}

function busyOutcome(run: Run, before: GlobalClusterSnapshot): Outcome | undefined {
  const running = activeOperation(before);
  const fs = before.failoverState;
  if (fs && running && run.blockOn !== "none") {
    const kind = fs.isDataLossAllowed ? "failover" : "switchover";
    const toward =
      fs.toDbClusterArn === run.target
        ? "toward the target"
        : `toward ${fs.toDbClusterArn ?? "another cluster"}`;
    // An alarm says the primary is failing; a switchover needs it healthy, so waiting on one is waiting
    // for ever. Say so loudly instead of a quiet "in progress".
    if (run.request.trigger === "alarm" && kind === "switchover") {
      return {
        ok: false,
        result: "escalated",
        message: `ESCALATION: an alarm-triggered failover is blocked by a switchover in progress (${running}) ${toward}. A switchover needs a healthy primary, which the alarm says is failing. Decide now: wait for the switchover, or cancel it and run mode "failover".`,
        operationMayBeRunning: true,
      };
    }
    return {
      ok: true,
      result: "in-progress",
      message: `A ${kind} is already in progress (${running}) ${toward}; nothing was started.`,
      operationMayBeRunning: true,
    };
  }
  if (before.writerArn === run.target) {
    return {
      ok: true,
      result: "already-writer",
      message: `${run.target} is already the writer of ${run.settings.globalClusterId}; no promotion needed.`,
    };
  }
  if (running && run.blockOn === "any") {
    return {
      ok: true,
      result: "in-progress",
      message: `Global cluster is busy (${running}); nothing was started. Re-run once it is "available".`,
      operationMayBeRunning: true,
    };
  }
  return undefined;
}

interface ClusterHealth {
  readonly healthy: boolean;
  /** False when the call through the cluster's Region failed: an outage or a partition, unknown which. */
  readonly reachable?: false;
  readonly why: string;
}

/** DescribeDBClusters through the cluster's own Region. */
async function clusterHealth(run: Run, arn: string): Promise<ClusterHealth> {
  // Through the cluster's own Region: the target may be either Region (a failback is aimed at the primary).
  const region = clusterArnRegion(arn);
  const client: RDSClient = region && run.deps.rdsForRegion ? run.deps.rdsForRegion(region) : run.deps.rds;
  try {
    const out = await run.retry(`DescribeDBClusters (${region ?? "?"})`, () =>
      client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: arn })),
    );
    const cluster = out.DBClusters?.[0];
    if (!cluster) return { healthy: false, why: `${arn} was not found in ${region ?? "its Region"}` };
    if (cluster.Status !== HEALTHY_CLUSTER_STATUS) {
      return { healthy: false, why: `${arn} is not healthy (Status=${cluster.Status ?? "unknown"})` };
    }
    const instances = cluster.DBClusterMembers ?? [];
    if (instances.length === 0) return { healthy: false, why: `${arn} has no DB instance` };
    return { healthy: true, why: `${arn} is available in ${region ?? "its Region"}` };
  } catch (err) {
    const last = err instanceof RetryError ? err.lastError : err;
    return {
      healthy: false,
      reachable: false,
      why: `${arn} could not be read through ${region ?? "its Region"} (${errorMessage(last)})`,
    };
  }
}

async function switchoverRefusal(run: Run, snap: GlobalClusterSnapshot): Promise<string | undefined> {
  if (snap.members.length < 2)
    return `global cluster has ${snap.members.length} member(s); a switchover needs two.`;
  const writer = snap.writerArn;
  if (!writer) return "global cluster has no writer member.";
  const h = await clusterHealth(run, writer);
  if (h.healthy) return undefined;
  return h.why.includes("could not be read")
    ? `could not confirm that the current writer is healthy: ${h.why}.`
    : `current writer ${h.why}.`;
}

async function failoverRefusal(run: Run, snap: GlobalClusterSnapshot): Promise<string | undefined> {
  const checks: string[] = (run.preconditions = []);
  const member = snap.members.find((m) => m.arn === run.target);
  if (member?.synchronizationStatus && member.synchronizationStatus !== "connected") {
    return `target ${run.target} is ${member.synchronizationStatus}, not connected: it cannot be promoted safely.`;
  }
  const target = await clusterHealth(run, run.target);
  checks.push(`target: ${target.why}`);
  if (!target.healthy) return `target cannot be promoted: ${target.why}.`;
  if (snap.writerArn) {
    const primary = await clusterHealth(run, snap.writerArn);
    checks.push(`primary: ${primary.why}`);
    if (primary.healthy) {
      return `the current writer answers healthy through its own Region (${primary.why}); a failover would lose writes for nothing. Use mode "switchover".`;
    }
    if (primary.reachable === false) {
      const refused = await partitionRefusal(run, checks);
      if (refused) return refused;
    }
  }
  run.lagAtRiskMs = await rpoLag(run);
  checks.push(`writes at risk: RPO lag ${lagText(run.lagAtRiskMs)}`);
  return undefined;
}

/**
 * X2: the writer's Region did not answer from here. Only Route 53's checkers in other Regions can tell an
 * outage from a partition: healthy for them is a refusal; no evidence refuses an alarm-triggered run and
 * leaves a person's decision (direct, drill) to the person, recorded in the preconditions.
 */
async function partitionRefusal(run: Run, checks: string[]): Promise<string | undefined> {
  const verdict = await independentVerdict(run);
  checks.push(`independent evidence: ${verdict.why}`);
  if (verdict.outage === false)
    return `a partition is not an outage: this Region cannot read the primary, but ${verdict.why}.`;
  if (verdict.outage === undefined && run.request.trigger === "alarm")
    return `no independent evidence of an outage (${verdict.why}); an automatic failover needs Route 53's checkers in at least ${MIN_FAILING_CHECKER_REGIONS} Regions to see the primary fail. A person may decide (runbook: decision rule).`;
  return undefined;
}

async function independentVerdict(run: Run): Promise<Verdict> {
  if (!run.deps.primaryCheckers) return { outage: undefined, why: "no Route 53 health check configured" };
  try {
    return judgeCheckers(await run.deps.primaryCheckers());
  } catch (err) {
    return { outage: undefined, why: `Route 53 health check status unreadable (${errorMessage(err)})` };
  }
}

async function rpoLag(run: Run): Promise<number | null> {
  // The lag is published in the target's own Region (Aurora.AuroraMonitoring.Metrics.html), whichever
  // Region this function runs in: a failback aimed at the primary reads the primary's.
  const region = clusterArnRegion(run.target);
  const cw = (region && run.deps.cloudwatchForRegion?.(region)) || run.deps.cloudwatch;
  const clusterId = clusterIdOf(run.target);
  if (!cw || !clusterId) return null;
  try {
    return (await latestRpoLag(cw, clusterId, run.deps.clock.now()))?.ms ?? null;
  } catch (err) {
    run.logger.warn("could not read the RPO lag", { error: errorMessage(err) });
    return null;
  }
}

export function lagText(ms: number | null | undefined): string {
  return typeof ms === "number"
    ? `${ms} ms`
    : "unknown (no AuroraGlobalDBRPOLag datapoint in the last 10 min)";
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
