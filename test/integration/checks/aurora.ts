/**
 * Aurora global database, live. What "healthy" means here, from the RDS API reference:
 * - GlobalCluster.Status is "available"; FailoverState is empty unless a switchover or failover is
 *   pending or running. https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 * - Exactly one member has IsWriter; every secondary's SynchronizationStatus is "connected" (the other
 *   documented value, "pending-resync", means it is not replicating yet).
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html
 * - A cluster is storage; its DB instances serve it. A secondary cluster without one still reports
 *   "available" and "connected", but cannot serve reads or take over as writer, so each cluster must
 *   list at least one DBClusterMembers entry and every instance (DescribeDBInstances, filter
 *   db-cluster-id, which accepts a cluster ARN) must be "available".
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBCluster.html
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
 */
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
} from "@aws-sdk/client-rds";
import { awsCall } from "../support/aws";
import type { AwsClients } from "../support/clients";
import { regionOfArn, type StackOutputs } from "../support/outputs";
import { passOrThrow } from "./check-failure";

type AuroraOutputs = Pick<
  StackOutputs,
  "globalClusterId" | "primaryClusterArn" | "secondaryClusterArn" | "secondaryRegion" | "dbEngineVersion"
>;

export interface AuroraReport {
  readonly writer: string;
  readonly members: readonly { arn: string; isWriter: boolean; synchronizationStatus?: string }[];
}

/** Global cluster state, read through the secondary region (it answers when the primary region is down). */
export async function checkAuroraGlobalCluster(c: AwsClients, o: AuroraOutputs): Promise<AuroraReport> {
  const region = o.secondaryRegion;
  const out = await awsCall(`RDS DescribeGlobalClusters ${o.globalClusterId} (${region})`, (abortSignal) =>
    c.rds(region).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: o.globalClusterId }), {
      abortSignal,
    }),
  );
  const gc = out.GlobalClusters?.[0];
  const problems: string[] = [];
  if (!gc) problems.push(`global cluster ${o.globalClusterId} not found`);
  if (gc && gc.Status !== "available")
    problems.push(`Status is ${gc.Status ?? "missing"}, expected available`);
  const fs = gc?.FailoverState;
  if (fs && (fs.Status || fs.FromDbClusterArn || fs.ToDbClusterArn)) {
    problems.push(
      `FailoverState is active: ${fs.Status ?? "?"} ${fs.FromDbClusterArn ?? "?"} -> ${fs.ToDbClusterArn ?? "?"} (dataLossAllowed=${String(fs.IsDataLossAllowed ?? false)})`,
    );
  }
  const members = (gc?.GlobalClusterMembers ?? []).map((m) => ({
    arn: m.DBClusterArn ?? "(no ARN)",
    isWriter: m.IsWriter === true,
    synchronizationStatus: m.SynchronizationStatus,
  }));
  const expected = [o.primaryClusterArn, o.secondaryClusterArn].sort();
  const arns = members.map((m) => m.arn).sort();
  if (gc && JSON.stringify(arns) !== JSON.stringify(expected)) {
    problems.push(`members are [${arns.join(", ")}], expected [${expected.join(", ")}]`);
  }
  const writers = members.filter((m) => m.isWriter).map((m) => m.arn);
  if (gc && writers.length !== 1) {
    problems.push(
      `expected exactly one writer, found ${writers.length}${writers.length ? `: ${writers.join(", ")}` : ""}`,
    );
  }
  for (const m of members) {
    const status = m.synchronizationStatus;
    // The writer may carry no SynchronizationStatus; a secondary must report "connected".
    if (
      (m.isWriter && status !== undefined && status !== "connected") ||
      (!m.isWriter && status !== "connected")
    ) {
      problems.push(`${m.arn} SynchronizationStatus is ${status ?? "missing"}, expected connected`);
    }
  }
  return passOrThrow(`Aurora global cluster ${o.globalClusterId}`, problems, { writer: writers[0], members });
}

/** A cluster with no DB instance, or one whose instances are not available, cannot serve or be promoted. */
async function instanceProblems(
  c: AwsClients,
  arn: string,
  region: string,
  members: number,
): Promise<string[]> {
  if (members === 0)
    return [`${arn}: has no DB instance (DBClusterMembers is empty): it cannot serve or be promoted`];
  const out = await awsCall(`RDS DescribeDBInstances db-cluster-id=${arn} (${region})`, (abortSignal) =>
    c
      .rds(region)
      .send(new DescribeDBInstancesCommand({ Filters: [{ Name: "db-cluster-id", Values: [arn] }] }), {
        abortSignal,
      }),
  );
  return (out.DBInstances ?? [])
    .filter((i) => i.DBInstanceStatus !== "available")
    .map(
      (i) =>
        `${arn}: instance ${i.DBInstanceIdentifier ?? "?"} is ${i.DBInstanceStatus ?? "missing"}, expected available`,
    );
}

/** Each regional cluster, in its own region: available, encrypted, on the configured engine version. */
export async function checkAuroraClusters(c: AwsClients, o: AuroraOutputs): Promise<void> {
  const problems: string[] = [];
  await Promise.all(
    [o.primaryClusterArn, o.secondaryClusterArn].map(async (arn) => {
      const region = regionOfArn(arn);
      const out = await awsCall(`RDS DescribeDBClusters ${arn} (${region})`, (abortSignal) =>
        c.rds(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: arn }), { abortSignal }),
      );
      const cl = out.DBClusters?.[0];
      if (!cl) {
        problems.push(`${arn}: not found in ${region}`);
        return;
      }
      if (cl.Status !== "available")
        problems.push(`${arn}: Status is ${cl.Status ?? "missing"}, expected available`);
      if (cl.StorageEncrypted !== true) problems.push(`${arn}: storage is not encrypted`);
      problems.push(...(await instanceProblems(c, arn, region, cl.DBClusterMembers?.length ?? 0)));
      if (cl.EngineVersion !== o.dbEngineVersion) {
        problems.push(
          `${arn}: EngineVersion is ${cl.EngineVersion ?? "missing"}, expected ${o.dbEngineVersion}`,
        );
      }
    }),
  );
  passOrThrow("Aurora regional clusters", problems.sort(), undefined);
}
