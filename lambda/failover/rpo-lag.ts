/**
 * The one query for the writes a data-losing failover would lose: AuroraGlobalDBRPOLag (milliseconds) of
 * the secondary cluster. Aurora publishes global-database metrics for secondary clusters only, in the
 * secondary's Region, under AWS/RDS with the DBClusterIdentifier dimension, so the caller's CloudWatch
 * client must be in the target's Region.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html
 * Used by the orchestrator's preflight and by the drill, before anything is asked of the operator.
 */
import { GetMetricDataCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";

export const RPO_LAG_METRIC = {
  namespace: "AWS/RDS",
  name: "AuroraGlobalDBRPOLag",
  dimension: "DBClusterIdentifier",
} as const;
/** How far back a datapoint counts as current. */
export const RPO_LAG_WINDOW_MS = 10 * 60_000;

/** The cluster identifier (the dimension value) of a cluster ARN: its last `:` segment. */
export function clusterIdOf(clusterArn: string): string | undefined {
  return clusterArn.split(":").pop() || undefined;
}

/** The GetMetricData request for the latest lag of `clusterId`, newest datapoint first. */
export function rpoLagQuery(clusterId: string, endMs: number): GetMetricDataCommand {
  return new GetMetricDataCommand({
    StartTime: new Date(endMs - RPO_LAG_WINDOW_MS),
    EndTime: new Date(endMs),
    ScanBy: "TimestampDescending",
    MetricDataQueries: [
      {
        Id: "rpo",
        MetricStat: {
          Metric: {
            Namespace: RPO_LAG_METRIC.namespace,
            MetricName: RPO_LAG_METRIC.name,
            Dimensions: [{ Name: RPO_LAG_METRIC.dimension, Value: clusterId }],
          },
          Period: 60,
          Stat: "Maximum",
        },
      },
    ],
  });
}

export interface RpoLag {
  readonly ms: number;
  /** When the datapoint was taken, if CloudWatch said. */
  readonly at?: Date;
}

/** The newest datapoint, or undefined when there is none in the window. Errors are the caller's. */
export async function latestRpoLag(
  cw: CloudWatchClient,
  clusterId: string,
  endMs: number,
): Promise<RpoLag | undefined> {
  const out = await cw.send(rpoLagQuery(clusterId, endMs));
  const result = out.MetricDataResults?.[0];
  const ms = result?.Values?.[0];
  return typeof ms === "number" ? { ms, at: result?.Timestamps?.[0] } : undefined;
}
