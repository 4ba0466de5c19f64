import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Region } from "../config";

/** What an alarm means to the rest of the stack; the component that creates it decides. */
export interface AlarmRole {
  /** Short, stack-unique id for the names of resources that hang off the alarm (e.g. "primary-health"). */
  readonly id: string;
  /** Feeds the primary region's composite alarm (R19). Default: false. */
  readonly critical?: boolean;
  /** Its ALARM state means the primary region is down as seen from outside it: it starts a failover run. */
  readonly failoverTrigger?: boolean;
}

/**
 * An alarm as data, exposed by the component that owns it. Monitoring builds the composite alarm from
 * the critical ones and the failover orchestrator subscribes to the triggers, both from the same lists.
 */
export interface AlarmInfo extends Required<AlarmRole> {
  readonly name: pulumi.Output<string>;
  /** Region the alarm lives in: a composite alarm may only reference alarms of its own region. */
  readonly region: Region;
  /** Topic its actions notify, and that region's provider (a failover trigger subscribes there). */
  readonly topicArn: pulumi.Input<string>;
  readonly provider: aws.Provider;
}

/** Where an alarm lives and whom it tells: its region, that region's topic and provider. */
export interface AlarmSite {
  readonly region: Region;
  readonly topicArn: pulumi.Input<string>;
  readonly provider: aws.Provider;
}

/** Describes an alarm a component just created. */
export function alarmInfo(alarm: aws.cloudwatch.MetricAlarm, where: AlarmSite, role: AlarmRole): AlarmInfo {
  return {
    id: role.id,
    critical: role.critical ?? false,
    failoverTrigger: role.failoverTrigger ?? false,
    name: alarm.name,
    region: where.region,
    topicArn: where.topicArn,
    provider: where.provider,
  };
}

/** A Sum-of-a-count alarm: what it watches and when it fires. */
export interface CountAlarmSpec {
  readonly description: pulumi.Input<string>;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, pulumi.Input<string>>;
  /** Seconds per datapoint. */
  readonly period: number;
  /** Consecutive breaching periods before it fires. */
  readonly evaluationPeriods: number;
  readonly threshold: number;
  readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
}

/**
 * An alarm on a count that is only published when something goes wrong (errors, conflicts, failed
 * forwards), created as `name` in `where`'s region, notifying its topic on ALARM and on OK, and returned
 * as data. Silence means nothing went wrong, so missing data is not breaching.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
 */
export function countAlarm(
  name: string,
  where: AlarmSite,
  spec: CountAlarmSpec,
  role: AlarmRole,
  parent: pulumi.Resource,
): AlarmInfo {
  const alarm = new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: spec.description,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: spec.dimensions,
      statistic: "Sum",
      period: spec.period,
      evaluationPeriods: spec.evaluationPeriods,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      treatMissingData: "notBreaching",
      alarmActions: [where.topicArn],
      okActions: [where.topicArn],
    },
    { parent, provider: where.provider },
  );
  return alarmInfo(alarm, where, role);
}
