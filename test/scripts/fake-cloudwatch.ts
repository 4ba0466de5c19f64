/**
 * CloudWatch holding AuroraGlobalDBRPOLag datapoints of one cluster in one Region, answering
 * GetMetricData as CloudWatch does: a query for another Region, namespace, metric or dimension value
 * finds no data (an empty Values list, not an error), only datapoints inside [StartTime, EndTime) count,
 * and ScanBy TimestampDescending puts the newest first.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";

export interface Datapoint {
  readonly at: Date;
  readonly ms: number;
}

export class FakeRpoLagMetric {
  readonly queries: { region: string; input: GetMetricDataCommandInput }[] = [];
  /** Set to make every call fail as an unreachable endpoint does. */
  unreachable = false;
  private readonly mock = mockClient(CloudWatchClient);

  constructor(
    readonly region: string,
    readonly clusterId: string,
    readonly datapoints: Datapoint[],
  ) {
    this.mock.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput, getClient) => {
      const client = getClient() as CloudWatchClient;
      const region = await client.config.region();
      this.queries.push({ region, input });
      if (this.unreachable) throw Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" });
      return { MetricDataResults: (input.MetricDataQueries ?? []).map((q) => this.answer(region, input, q)) };
    });
  }

  client(region: string): CloudWatchClient {
    return new CloudWatchClient({ region });
  }

  restore(): void {
    this.mock.restore();
  }

  private answer(
    region: string,
    input: GetMetricDataCommandInput,
    query: NonNullable<GetMetricDataCommandInput["MetricDataQueries"]>[number],
  ) {
    const metric = query.MetricStat?.Metric;
    const dims = metric?.Dimensions ?? [];
    const ours =
      region === this.region &&
      metric?.Namespace === "AWS/RDS" &&
      metric?.MetricName === "AuroraGlobalDBRPOLag" &&
      dims.length === 1 &&
      dims[0].Name === "DBClusterIdentifier" &&
      dims[0].Value === this.clusterId;
    const start = input.StartTime ? new Date(input.StartTime).getTime() : -Infinity;
    const end = input.EndTime ? new Date(input.EndTime).getTime() : Infinity;
    const points = (ours ? this.datapoints : [])
      .filter((p) => p.at.getTime() >= start && p.at.getTime() < end)
      .sort((a, b) => b.at.getTime() - a.at.getTime());
    if (input.ScanBy !== "TimestampDescending") points.reverse();
    return {
      Id: query.Id,
      StatusCode: "Complete" as const,
      Timestamps: points.map((p) => p.at),
      Values: points.map((p) => p.ms),
    };
  }
}
