/**
 * What the orchestrator knows about a global cluster: the SDK shape flattened into what decisions and
 * reports need, and the plan for the one call that moves the writer.
 *
 * - While an operation runs, DescribeGlobalClusters shows Status "switching-over"/"failing-over" and a
 *   FailoverState {Status pending|failing-over|switching-over|cancelling, FromDbClusterArn,
 *   ToDbClusterArn, IsDataLossAllowed}; FailoverState is empty otherwise.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 * - TargetDbClusterIdentifier must be the secondary cluster's ARN so Aurora can find it in its Region.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 */
import { DescribeGlobalClustersCommand, type GlobalCluster, type RDSClient } from "@aws-sdk/client-rds";
import type { FailoverMode } from "./events";

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

// "switching-over" is documented for FailoverState.Status but missing from the SDK's enum: compare as strings.
const ACTIVE_FAILOVER_STATES = new Set<string>(["pending", "failing-over", "switching-over", "cancelling"]);

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

/** True once the target is the writer or an operation toward it has been accepted. */
export function movingToTarget(snap: GlobalClusterSnapshot, target: string): boolean {
  return snap.writerArn === target || snap.failoverState?.toDbClusterArn === target;
}

export function isCompleted(snap: GlobalClusterSnapshot, target: string): boolean {
  return snap.writerArn === target && activeOperation(snap) === undefined;
}
