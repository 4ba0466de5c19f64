import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Region } from "../config";
import { AlarmInfo, alarmInfo, AlarmRole } from "../monitoring/alarm";
import { HEALTH_CHECK_OPERATOR_OWNED } from "../run-time-owned";

/** Child names: `${name}-check` and `${name}-alarm` (the DR budget finds them by these). */
export const HEALTH_CHECK_PARTS = { check: "check", alarm: "alarm" } as const;

/** M out of N one-minute periods before the health alarm (a failover trigger) fires (F4). */
export const HEALTH_ALARM_EVALUATION = { datapoints: 2, periods: 3 } as const;

export interface HealthCheckArgs {
  /** Host serving the health endpoint (the regional execute-api host). */
  readonly host: pulumi.Input<string>;
  /** Path of the health endpoint, including the stage, e.g. /v1/health. */
  readonly path: pulumi.Input<string>;
  /** 10 or 30 seconds; Route 53 accepts nothing else. */
  readonly requestIntervalSeconds: number;
  /** Consecutive failures before unhealthy, 1..10. */
  readonly failureThreshold: number;
  /** us-east-1 provider: Route 53 publishes health-check metrics only there. */
  readonly metricsProvider: aws.Provider;
  /** us-east-1, the alarm's region. */
  readonly metricsRegion: Region;
  /** What the alarm means to the stack. */
  readonly alarmRole: AlarmRole;
  /** Topic in us-east-1 for the alarm (alarm actions must be in the alarm's region). */
  readonly alarmTopicArn: pulumi.Input<string>;
}

/**
 * A Route 53 HTTPS health check on one region's health endpoint and a CloudWatch alarm on its status
 * (R5, R6). https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export class HealthCheck extends pulumi.ComponentResource {
  public readonly healthCheckId: pulumi.Output<string>;
  public readonly alarmName: pulumi.Output<string>;
  public readonly alarms: AlarmInfo[];

  constructor(name: string, args: HealthCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:detection:HealthCheck", name, {}, opts);
    checkHealthCheckArgs(args);
    const child = { parent: this, provider: args.metricsProvider };

    const check = new aws.route53.HealthCheck(
      `${name}-${HEALTH_CHECK_PARTS.check}`,
      {
        type: "HTTPS",
        fqdn: args.host,
        port: 443,
        resourcePath: args.path,
        requestInterval: args.requestIntervalSeconds,
        failureThreshold: args.failureThreshold,
        measureLatency: true,
        enableSni: true,
        invertHealthcheck: false,
        disabled: false,
        tags: { Name: name },
      },
      { ...child, ignoreChanges: HEALTH_CHECK_OPERATOR_OWNED },
    );
    // Minimum of HealthCheckStatus over a minute is 0 as soon as Route 53 considers the endpoint down.
    // This alarm can start a failover (F4): a missing datapoint (the check just created, a late
    // publish) is not a failure, and it takes HEALTH_ALARM_EVALUATION.datapoints bad minutes out of
    // .periods. Route 53 publishes these metrics in us-east-1 only.
    // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-check-status.html
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${name}-${HEALTH_CHECK_PARTS.alarm}`,
      {
        alarmDescription: `Route 53 health check ${name} reports the endpoint unhealthy`,
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
        dimensions: { HealthCheckId: check.id },
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: HEALTH_ALARM_EVALUATION.periods,
        datapointsToAlarm: HEALTH_ALARM_EVALUATION.datapoints,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [args.alarmTopicArn],
        okActions: [args.alarmTopicArn],
      },
      child,
    );

    this.healthCheckId = check.id;
    this.alarmName = alarm.name;
    this.alarms = [
      alarmInfo(
        alarm,
        { region: args.metricsRegion, topicArn: args.alarmTopicArn, provider: args.metricsProvider },
        args.alarmRole,
      ),
    ];
    this.registerOutputs({ healthCheckId: this.healthCheckId, alarmName: this.alarmName });
  }
}

export function checkHealthCheckArgs(args: HealthCheckArgs): void {
  if (![10, 30].includes(args.requestIntervalSeconds)) {
    throw new Error(
      `HealthCheck: requestIntervalSeconds must be 10 or 30, got ${args.requestIntervalSeconds}`,
    );
  }
  if (!Number.isInteger(args.failureThreshold) || args.failureThreshold < 1 || args.failureThreshold > 10) {
    throw new Error(`HealthCheck: failureThreshold must be 1..10, got ${args.failureThreshold}`);
  }
}
