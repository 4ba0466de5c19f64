/**
 * CloudWatch alarm evaluation, enough to turn a series of health datapoints into the state changes an
 * alarm would publish: each period's datapoint is breaching, not breaching or missing; missing ones are
 * treated per TreatMissingData (breaching / notBreaching / ignore / missing); the alarm goes to ALARM
 * when at least DatapointsToAlarm of the last EvaluationPeriods breach, to OK when none of them do.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
 */
export type TreatMissingData = "breaching" | "notBreaching" | "ignore" | "missing";

export interface AlarmSettings {
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** HealthCheckStatus per period: 1 healthy, 0 unhealthy, undefined missing. Returns each state change. */
export function evaluate(series: readonly (number | undefined)[], s: AlarmSettings): AlarmState[] {
  let state: AlarmState = "INSUFFICIENT_DATA";
  const changes: AlarmState[] = [];
  const window: (boolean | undefined)[] = [];
  for (const point of series) {
    let breaching: boolean | undefined;
    if (point === undefined) {
      if (s.treatMissingData === "breaching") breaching = true;
      else if (s.treatMissingData === "notBreaching") breaching = false;
      else if (s.treatMissingData === "ignore")
        continue; // the alarm keeps its state
      else breaching = undefined;
    } else breaching = point < 1;
    window.push(breaching);
    if (window.length > s.evaluationPeriods) window.shift();
    const known = window.filter((b): b is boolean => b !== undefined);
    let next: AlarmState = state;
    if (known.filter((b) => b).length >= s.datapointsToAlarm) next = "ALARM";
    else if (known.length > 0 && known.every((b) => !b)) next = "OK";
    else if (known.length === 0) next = "INSUFFICIENT_DATA";
    if (next !== state) {
      state = next;
      changes.push(state);
    }
  }
  return changes;
}

/**
 * The SNS event a CloudWatch alarm state change delivers to a subscribed Lambda, from `topicArn` (the
 * alarm's action, as the program sets it).
 */
export function alarmEvent(
  alarmName: string,
  topicArn: string,
  newState: AlarmState,
  reason: string,
): object {
  const [, , , region, account] = topicArn.split(":");
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        Sns: {
          Type: "Notification",
          TopicArn: topicArn,
          Subject: `${newState}: "${alarmName}"`,
          Message: JSON.stringify({
            AlarmName: alarmName,
            AlarmArn: `arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}`,
            NewStateValue: newState,
            NewStateReason: reason,
            StateChangeTime: new Date().toISOString(),
          }),
        },
      },
    ],
  };
}
