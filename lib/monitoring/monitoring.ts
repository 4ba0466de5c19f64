import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Region } from "../config";
import { AlarmInfo, alarmInfo } from "./alarm";
import { CONVERGENCE_DEFAULTS } from "../config/convergence";

/** What the monitoring needs to know about one region. */
export interface MonitoredRegion {
  readonly role: "primary" | "secondary";
  readonly region: Region;
  readonly provider: aws.Provider;
  /** Alarm and OK actions of every alarm in this region go here (R20). */
  readonly topicArn: pulumi.Input<string>;
  readonly processorFunctionName: pulumi.Input<string>;
  readonly queueName: pulumi.Input<string>;
  readonly dlqName: pulumi.Input<string>;
  readonly apiName: pulumi.Input<string>;
  readonly stageName: string;
  readonly canaryName: pulumi.Input<string>;
  /** Route 53 health check on this region's API (its metrics are in us-east-1). */
  readonly healthCheckId: pulumi.Input<string>;
}

export interface MonitoringArgs {
  readonly primary: MonitoredRegion;
  readonly secondary: MonitoredRegion;
  readonly tableName: pulumi.Input<string>;
  readonly replication: {
    readonly sourceBucket: pulumi.Input<string>;
    readonly destinationBucket: pulumi.Input<string>;
    readonly ruleId: string;
  };
  readonly auroraSecondaryClusterId: pulumi.Input<string>;
  /** Route 53 metrics live in us-east-1. */
  readonly healthCheckMetricsRegion: Region;
  /** Replication lag, ms, that counts as a problem for DynamoDB (Aurora's alarm lives with Aurora). */
  readonly replicationLagAlarmMs: number;
  /**
   * X1: minutes an acknowledged order may wait in a queue before the oldest-message alarm fires.
   * Default CONVERGENCE_DEFAULTS.strandedOrderMinutes (10).
   */
  readonly strandedOrderMinutes?: number;
  /** Alarms the other components own (functions' errors, health checks, canaries, Aurora); the critical
   *  ones of the primary region join the composite alarm. */
  readonly alarms: AlarmInfo[];
}

interface AlarmSpec {
  readonly id: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, pulumi.Input<string>>;
  readonly statistic?: string;
  readonly extendedStatistic?: string;
  readonly threshold: number;
  readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  readonly periods?: number;
  readonly datapoints?: number;
  readonly critical: boolean;
}

/**
 * Alarms for both regions, the primary region's composite alarm and one dashboard (R3, R19, R20, B6).
 * Every alarm notifies its own region's topic on ALARM and on OK.
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly compositeAlarmName: pulumi.Output<string>;
  public readonly compositeAlarmRule: pulumi.Output<string>;
  public readonly dashboardName: pulumi.Output<string>;
  /** The alarms this component creates (the composite alarm aside). */
  public readonly alarms: AlarmInfo[] = [];
  /** Every alarm it knows: its own, then those it was given. The composite's members come from here. */
  public readonly watched: AlarmInfo[];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:monitoring:Monitoring", name, {}, opts);
    for (const r of [args.primary, args.secondary]) {
      const stranded = args.strandedOrderMinutes ?? CONVERGENCE_DEFAULTS.strandedOrderMinutes;
      for (const spec of [...processorAlarms(r), ...queueAlarms(r, stranded), ...apiAlarms(r)]) {
        this.alarm(name, r, spec);
      }
    }
    this.replicationAlarms(name, args);

    // A composite alarm may only reference alarms of its own account and region.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html
    this.watched = [...this.alarms, ...args.alarms];
    const critical = this.watched
      .filter((a) => a.critical && a.region === args.primary.region)
      .map((a) => a.name);
    this.compositeAlarmRule = pulumi.all(critical).apply((names) => compositeRule(names));
    const composite = new aws.cloudwatch.CompositeAlarm(
      `${name}-primary-critical`,
      {
        alarmName: `${name}-primary-critical`,
        alarmDescription: `Any critical alarm in ${args.primary.region} (R19)`,
        alarmRule: this.compositeAlarmRule,
        alarmActions: [args.primary.topicArn],
        okActions: [args.primary.topicArn],
        actionsEnabled: true,
      },
      { parent: this, provider: args.primary.provider },
    );
    const dashboard = this.dashboard(name, args);

    this.compositeAlarmName = composite.alarmName;
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ compositeAlarmName: this.compositeAlarmName, dashboardName: this.dashboardName });
  }

  /** Creates the alarm in `where`'s region and records it in `alarms`. */
  private alarm(name: string, where: MonitoredRegion, spec: AlarmSpec): aws.cloudwatch.MetricAlarm {
    const a = new aws.cloudwatch.MetricAlarm(
      `${name}-${where.role}-${spec.id}`,
      {
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        statistic: spec.statistic,
        extendedStatistic: spec.extendedStatistic,
        period: 60,
        evaluationPeriods: spec.periods ?? 5,
        datapointsToAlarm: spec.datapoints ?? 3,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        // Quiet metrics (no traffic, no errors) mean nothing is wrong.
        treatMissingData: "notBreaching",
        alarmActions: [where.topicArn],
        okActions: [where.topicArn],
      },
      { parent: this, provider: where.provider },
    );
    const role = { id: `${where.role}-${spec.id}`, critical: spec.critical && where.role === "primary" };
    this.alarms.push(alarmInfo(a, where, role));
    return a;
  }

  /** DynamoDB and S3 replication, each alarmed in the region its metric is published in. */
  private replicationAlarms(name: string, args: MonitoringArgs): void {
    // DynamoDB reports replication latency in the source region, per receiving region.
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html
    this.alarm(name, args.primary, {
      id: "dynamodb-replication-latency",
      description: `DynamoDB replication to ${args.secondary.region} slower than ${args.replicationLagAlarmMs} ms`,
      namespace: "AWS/DynamoDB",
      metricName: "ReplicationLatency",
      dimensions: { TableName: args.tableName, ReceivingRegion: args.secondary.region },
      statistic: "Average",
      threshold: args.replicationLagAlarmMs,
      comparison: "GreaterThanThreshold",
      critical: true,
    });
    // S3 publishes replication latency in the destination bucket's region and failed operations in
    // the source bucket's. https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html
    const s3 = {
      SourceBucket: args.replication.sourceBucket,
      DestinationBucket: args.replication.destinationBucket,
      RuleId: args.replication.ruleId,
    };
    this.alarm(name, args.primary, {
      id: "s3-replication-failed",
      description: "S3 objects failing to replicate",
      namespace: "AWS/S3",
      metricName: "OperationsFailedReplication",
      dimensions: s3,
      statistic: "Sum",
      threshold: 0,
      comparison: "GreaterThanThreshold",
      periods: 1,
      datapoints: 1,
      critical: false,
    });
    this.alarm(name, args.secondary, {
      id: "s3-replication-latency",
      description: "S3 replication slower than the 15-minute RTC threshold",
      namespace: "AWS/S3",
      metricName: "ReplicationLatency",
      dimensions: s3,
      statistic: "Maximum",
      threshold: 900,
      comparison: "GreaterThanThreshold",
      critical: false,
    });
  }

  private dashboard(name: string, args: MonitoringArgs): aws.cloudwatch.Dashboard {
    return new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: `${name}-dr`,
        dashboardBody: pulumi
          .all([
            args.primary.processorFunctionName,
            args.secondary.processorFunctionName,
            args.primary.queueName,
            args.secondary.queueName,
            args.primary.dlqName,
            args.secondary.dlqName,
            args.primary.apiName,
            args.secondary.apiName,
            args.primary.canaryName,
            args.secondary.canaryName,
            args.primary.healthCheckId,
            args.secondary.healthCheckId,
            args.auroraSecondaryClusterId,
            args.tableName,
          ])
          .apply(([pFn, sFn, pQ, sQ, pDlq, sDlq, pApi, sApi, pCanary, sCanary, pHc, sHc, auroraId, table]) =>
            JSON.stringify(
              dashboardBody({
                primary: {
                  region: args.primary.region,
                  fn: pFn,
                  queue: pQ,
                  dlq: pDlq,
                  api: pApi,
                  stage: args.primary.stageName,
                  canary: pCanary,
                },
                secondary: {
                  region: args.secondary.region,
                  fn: sFn,
                  queue: sQ,
                  dlq: sDlq,
                  api: sApi,
                  stage: args.secondary.stageName,
                  canary: sCanary,
                },
                healthChecks: { primary: pHc, secondary: sHc, region: args.healthCheckMetricsRegion },
                auroraSecondaryClusterId: auroraId,
                tableName: table,
              }),
            ),
          ),
      },
      // The dashboard lives in the secondary region so it is there when the primary is not.
      { parent: this, provider: args.secondary.provider },
    );
  }
}

/** The processor's Errors alarm is not here: its NodeFunction owns it (critical in the primary role). */
function processorAlarms(r: MonitoredRegion): AlarmSpec[] {
  const fn = { FunctionName: r.processorFunctionName };
  return [
    {
      id: "processor-throttles",
      description: "Order processor throttled",
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      dimensions: fn,
      statistic: "Sum",
      threshold: 0,
      comparison: "GreaterThanThreshold",
      critical: true,
    },
  ];
}

/**
 * The DLQ holds orders out of the retry path (any message: alarm); the queue's oldest message is an order
 * acknowledged and not booked for `strandedMinutes` (X1). SQS counts a message's age from its enqueue
 * time, which a move back from the DLQ resets.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html
 * Blind spot: on a standard queue a message received three or more times and not deleted is moved to the
 * back and left out of ApproximateAgeOfOldestMessage ("poison-pill messages ... are excluded from this
 * metric until successfully processed"), which then shows the next message under the threshold.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 * So an order every batch refuses (the ledger down, or X3's lease not held) stops counting here after
 * its third receive, and is seen again only in the DLQ after MAX_RECEIVE_COUNT (5) receives; a re-queued
 * order (the forwarder's, the DLQ redrive's) is a new message whose age starts again. What covers the gap:
 * the processor's error alarm (a failed batch is a function error), the lease-refusal alarm (X3,
 * lib/orders/order-processor.ts) and the DLQ alarm below.
 */
function queueAlarms(r: MonitoredRegion, strandedMinutes: number): AlarmSpec[] {
  return [
    {
      id: "dlq-depth",
      description: "Orders parked in the dead-letter queue",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: r.dlqName },
      statistic: "Maximum",
      threshold: 0,
      comparison: "GreaterThanThreshold",
      periods: 1,
      datapoints: 1,
      critical: true,
    },
    {
      id: "oldest-message",
      description: `Orders acknowledged and not booked for more than ${strandedMinutes} minutes`,
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: r.queueName },
      statistic: "Maximum",
      threshold: strandedMinutes * 60,
      comparison: "GreaterThanThreshold",
      critical: true,
    },
  ];
}

function apiAlarms(r: MonitoredRegion): AlarmSpec[] {
  const api = { ApiName: r.apiName, Stage: r.stageName };
  return [
    {
      id: "api-5xx",
      description: "API answering 5xx",
      namespace: "AWS/ApiGateway",
      metricName: "5XXError",
      dimensions: api,
      statistic: "Sum",
      threshold: 5,
      comparison: "GreaterThanOrEqualToThreshold",
      critical: true,
    },
    {
      id: "api-p99-latency",
      description: "API p99 latency above 2 s",
      namespace: "AWS/ApiGateway",
      metricName: "Latency",
      dimensions: api,
      extendedStatistic: "p99",
      threshold: 2000,
      comparison: "GreaterThanThreshold",
      critical: true,
    },
  ];
}

/** R19: the composite fires when ANY child is in ALARM. */
export function compositeRule(alarmNames: string[]): string {
  if (alarmNames.length === 0) throw new Error("a composite alarm needs at least one child alarm");
  if (alarmNames.length > 100) throw new Error("a composite alarm may reference at most 100 alarms");
  const rule = alarmNames.map((n) => `ALARM("${n}")`).join(" OR ");
  if (rule.length > 10240) throw new Error("composite alarm rule exceeds 10240 characters");
  return rule;
}

interface RegionView {
  region: string;
  fn: string;
  queue: string;
  dlq: string;
  api: string;
  stage: string;
  canary: string;
}

interface DashboardView {
  primary: RegionView;
  secondary: RegionView;
  healthChecks: { primary: string; secondary: string; region: string };
  auroraSecondaryClusterId: string;
  tableName: string;
}

/** Both regions side by side: a column per region, a row per concern (B6). */
export function dashboardBody(v: DashboardView) {
  return {
    widgets: [...overviewRow(v), ...regionColumn(v.primary, 0), ...regionColumn(v.secondary, 12)],
  };
}

function widget(x: number, y: number, title: string, region: string, metrics: unknown[][], stat = "Sum") {
  return {
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, metrics, stat, period: 60, view: "timeSeries" },
  };
}

/** The top row: what decides a failover (health checks) and what it would lose (replication lag). */
function overviewRow(v: DashboardView) {
  return [
    widget(
      0,
      0,
      "Route 53 health checks (1 = healthy)",
      v.healthChecks.region,
      [
        [
          "AWS/Route53",
          "HealthCheckStatus",
          "HealthCheckId",
          v.healthChecks.primary,
          { label: v.primary.region },
        ],
        [
          "AWS/Route53",
          "HealthCheckStatus",
          "HealthCheckId",
          v.healthChecks.secondary,
          { label: v.secondary.region },
        ],
      ],
      "Minimum",
    ),
    widget(
      12,
      0,
      "Replication lag (ms)",
      v.secondary.region,
      [
        ["AWS/RDS", "AuroraGlobalDBReplicationLag", "DBClusterIdentifier", v.auroraSecondaryClusterId],
        [
          "AWS/DynamoDB",
          "ReplicationLatency",
          "TableName",
          v.tableName,
          "ReceivingRegion",
          v.secondary.region,
          { region: v.primary.region },
        ],
      ],
      "Maximum",
    ),
  ];
}

function regionColumn(r: RegionView, x: number) {
  return [
    widget(
      x,
      6,
      `${r.region}: canary success %`,
      r.region,
      [["CloudWatchSynthetics", "SuccessPercent", "CanaryName", r.canary]],
      "Average",
    ),
    widget(
      x,
      12,
      `${r.region}: queue depth and DLQ`,
      r.region,
      [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", r.queue],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", r.dlq],
      ],
      "Maximum",
    ),
    widget(x, 18, `${r.region}: errors`, r.region, [
      ["AWS/Lambda", "Errors", "FunctionName", r.fn],
      ["AWS/Lambda", "Throttles", "FunctionName", r.fn],
      ["AWS/ApiGateway", "5XXError", "ApiName", r.api, "Stage", r.stage],
    ]),
  ];
}
