/**
 * The composite alarm and the failover-trigger alarms exist and are OK, each asked for in its own region
 * (CloudWatch alarms are regional). DescribeAlarms returns only metric alarms unless AlarmTypes asks for
 * composite ones, so the composite is queried with AlarmTypes: ["CompositeAlarm"].
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 * An OK alarm that cannot act is no alarm: ActionsEnabled must be true (DisableAlarmActions turns it off
 * without touching the alarm; AWS Config has a managed rule for exactly this) and AlarmActions and
 * OKActions must each name an SNS topic (R20), one of the alarm's own Region as the stack builds them
 * (docs/decisions.md: the us-east-1 alarms get their own topic), or a failover trigger fires into nothing.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html
 * https://docs.aws.amazon.com/config/latest/developerguide/cloudwatch-alarm-action-enabled-check.html
 */
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { awsCall } from "../support/aws";
import type { AwsClients } from "../support/clients";
import type { StackOutputs } from "../support/outputs";
import { passOrThrow } from "./check-failure";

type AlarmOutputs = Pick<
  StackOutputs,
  | "primaryRegion"
  | "secondaryRegion"
  | "metricsRegion"
  | "compositeAlarmName"
  | "primaryHealthAlarmName"
  | "probeAlarmName"
>;

interface AlarmSpec {
  readonly name: string;
  readonly region: string;
  readonly type: "CompositeAlarm" | "MetricAlarm";
  readonly role: string;
}

export function alarmSpecs(o: AlarmOutputs): readonly AlarmSpec[] {
  return [
    { name: o.compositeAlarmName, region: o.primaryRegion, type: "CompositeAlarm", role: "composite" },
    {
      name: o.primaryHealthAlarmName,
      region: o.metricsRegion,
      type: "MetricAlarm",
      role: "failover trigger (Route 53)",
    },
    {
      name: o.probeAlarmName,
      region: o.secondaryRegion,
      type: "MetricAlarm",
      role: "failover trigger (probe canary)",
    },
  ];
}

interface AlarmActions {
  readonly ActionsEnabled?: boolean;
  readonly AlarmActions?: string[];
  readonly OKActions?: string[];
}

/** What keeps an alarm from telling anyone: actions off, or no SNS topic of its Region to tell. */
export function actionProblems(alarm: AlarmActions, region: string): string[] {
  const problems: string[] = [];
  if (alarm.ActionsEnabled !== true) problems.push("actions are disabled (ActionsEnabled is not true)");
  const topic = new RegExp(`^arn:aws[a-z-]*:sns:${region}:\\d{12}:`);
  for (const [field, actions] of [
    ["AlarmActions", alarm.AlarmActions ?? []],
    ["OKActions", alarm.OKActions ?? []],
  ] as const) {
    if (actions.length === 0) problems.push(`${field} is empty`);
    const foreign = actions.filter((a) => !topic.test(a));
    if (foreign.length) problems.push(`${field} has ${foreign.join(", ")}: not an SNS topic in ${region}`);
  }
  return problems;
}

export async function checkAlarms(c: AwsClients, o: AlarmOutputs): Promise<Record<string, string>> {
  const problems: string[] = [];
  const report: Record<string, string> = {};
  await Promise.all(
    alarmSpecs(o).map(async (spec) => {
      const where = `${spec.role} alarm ${spec.name} (${spec.region})`;
      const out = await awsCall(`CloudWatch DescribeAlarms ${spec.name} (${spec.region})`, (abortSignal) =>
        c
          .cloudwatch(spec.region)
          .send(new DescribeAlarmsCommand({ AlarmNames: [spec.name], AlarmTypes: [spec.type] }), {
            abortSignal,
          }),
      );
      const found = (spec.type === "CompositeAlarm" ? out.CompositeAlarms : out.MetricAlarms) ?? [];
      const alarm = found.find((a) => a.AlarmName === spec.name);
      if (!alarm) {
        problems.push(`${where}: does not exist`);
        return;
      }
      report[spec.name] = alarm.StateValue ?? "?";
      problems.push(...actionProblems(alarm, spec.region).map((p) => `${where}: ${p}`));
      if (alarm.StateValue !== "OK") {
        problems.push(
          `${where}: state is ${alarm.StateValue ?? "missing"}, expected OK (${alarm.StateReason ?? ""})`,
        );
      }
    }),
  );
  return passOrThrow("CloudWatch alarms", problems.sort(), report);
}
