/**
 * The detection chain, as AWS runs it, from the program's health checks, alarms and subscriptions:
 *  - Route 53 calls the endpoint every request interval; a check fails unless the answer is a 2xx or
 *    3xx within two seconds; the endpoint turns unhealthy after `failureThreshold` failures in a row and
 *    healthy again after as many successes; an inverted check reports the opposite, a disabled one is
 *    always healthy. The world's checkers all see the same answer, so one call stands for all of them.
 *    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 *  - HealthCheckStatus is 1 (healthy) or 0 per check; SuccessPercent is 100 or 0 per canary run.
 *  - An alarm evaluates at the end of each period over its last `evaluationPeriods` periods: ALARM when
 *    `datapointsToAlarm` of them breach, missing periods counted by `treatMissingData` (missing:
 *    INSUFFICIENT_DATA when all are missing; ignore: the state is kept; breaching / notBreaching);
 *    actions run on a change of state only.
 *    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation
 *    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
 *  - An alarm's action publishes the alarm's JSON to its topic; each subscription's filter policy (on the
 *    message body) decides whether its endpoint gets it.
 *    https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
 */
import type { AlarmModel, HealthCheckModel, SubscriptionModel } from "./model";

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export class HealthCheckState {
  private failures = 0;
  private successes = 0;
  healthy = true;

  constructor(readonly model: HealthCheckModel) {}

  /** Records one check's outcome; returns the metric value Route 53 publishes for it. */
  record(ok: boolean): number {
    if (this.model.disabled) return 1;
    if (ok) {
      this.successes += 1;
      this.failures = 0;
      if (!this.healthy && this.successes >= this.model.failureThreshold) this.healthy = true;
    } else {
      this.failures += 1;
      this.successes = 0;
      if (this.healthy && this.failures >= this.model.failureThreshold) this.healthy = false;
    }
    return this.healthy !== this.model.inverted ? 1 : 0;
  }
}

/** Datapoints of one metric, each at a simulated time (ms). */
export class MetricStore {
  private readonly points = new Map<string, { at: number; value: number }[]>();

  static key(namespace: string, name: string, dimensions: Readonly<Record<string, string>>): string {
    return JSON.stringify([namespace, name, Object.entries(dimensions).sort()]);
  }

  put(key: string, at: number, value: number): void {
    const list = this.points.get(key) ?? [];
    list.push({ at, value });
    this.points.set(key, list);
  }

  /** The statistic over [from, to), or undefined when the period holds no datapoint. */
  stat(key: string, statistic: string, from: number, to: number): number | undefined {
    const values = (this.points.get(key) ?? []).filter((p) => p.at >= from && p.at < to).map((p) => p.value);
    if (values.length === 0) return undefined;
    if (statistic === "Minimum") return Math.min(...values);
    if (statistic === "Maximum") return Math.max(...values);
    if (statistic === "Sum") return values.reduce((a, b) => a + b, 0);
    if (statistic === "SampleCount") return values.length;
    return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

const BREACH: Record<string, (v: number, t: number) => boolean> = {
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
  GreaterThanThreshold: (v, t) => v > t,
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
};

export class AlarmEvaluator {
  state: AlarmState = "INSUFFICIENT_DATA";
  readonly history: { at: number; from: AlarmState; to: AlarmState }[] = [];

  constructor(readonly model: AlarmModel) {}

  /** Evaluates at `now` (a period boundary); returns the new state when it changed. */
  evaluate(metrics: MetricStore, now: number): AlarmState | undefined {
    const m = this.model;
    const breach = BREACH[m.comparison];
    if (!breach) throw new Error(`alarm ${m.name}: comparison ${m.comparison} is not modelled`);
    const key = MetricStore.key(m.namespace, m.metricName, m.dimensions);
    const period = m.periodSeconds * 1000;
    const values = Array.from({ length: m.evaluationPeriods }, (_, i) =>
      metrics.stat(key, m.statistic, now - (i + 1) * period, now - i * period),
    );
    const present = values.filter((v): v is number => v !== undefined);
    const missing = values.length - present.length;
    const breaching =
      present.filter((v) => breach(v, m.threshold)).length +
      (m.treatMissingData === "breaching" ? missing : 0);
    let next: AlarmState;
    if (breaching >= m.datapointsToAlarm) next = "ALARM";
    else if (present.length === 0 && m.treatMissingData === "ignore") next = this.state;
    else if (present.length === 0 && m.treatMissingData === "missing") next = "INSUFFICIENT_DATA";
    else next = "OK";
    if (next === this.state) return undefined;
    this.history.push({ at: now, from: this.state, to: next });
    this.state = next;
    return next;
  }
}

/** Whether an SNS filter policy (message-body scope, exact string values) lets `message` through. */
export function passesFilter(
  policy: SubscriptionModel["filterPolicy"],
  message: Record<string, unknown>,
): boolean {
  if (!policy) return true;
  return Object.entries(policy).every(([k, allowed]) => allowed.includes(message[k]));
}
