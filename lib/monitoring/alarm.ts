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

/** Describes an alarm a component just created. */
export function alarmInfo(
  alarm: aws.cloudwatch.MetricAlarm,
  where: { region: Region; topicArn: pulumi.Input<string>; provider: aws.Provider },
  role: AlarmRole,
): AlarmInfo {
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
