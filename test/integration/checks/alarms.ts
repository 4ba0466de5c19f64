/**
 * The composite alarm and the failover-trigger alarms exist and are OK, each asked for in its own region
 * (CloudWatch alarms are regional). DescribeAlarms returns only metric alarms unless AlarmTypes asks for
 * composite ones, so the composite is queried with AlarmTypes: ["CompositeAlarm"].
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
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
      if (alarm.StateValue !== "OK") {
        problems.push(
          `${where}: state is ${alarm.StateValue ?? "missing"}, expected OK (${alarm.StateReason ?? ""})`,
        );
      }
    }),
  );
  return passOrThrow("CloudWatch alarms", problems.sort(), report);
}
