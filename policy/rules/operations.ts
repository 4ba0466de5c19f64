/** Operability: log retention, alarms that notify, health-check timing, Lambda timeouts. */
import { describe, isSet, items, peek, resourceRule, UNKNOWN } from "../util";

export const logRetention = resourceRule({
  name: "log-group-retention",
  description: "Every CloudWatch log group sets retentionInDays (> 0); none keeps logs forever by omission.",
  types: ["aws:cloudwatch/logGroup:LogGroup"],
  check: (props, _args, report) => {
    const days = peek(props, "retentionInDays");
    if (days === UNKNOWN) return;
    // 0 (or unset) means "never expire".
    if (!(typeof days === "number" && days > 0))
      report(`retentionInDays must be set and > 0, got ${describe(days)}`);
  },
});

const hasActions = (v: unknown) => items(v).some((a) => isSet(a));

export const alarmActions = resourceRule({
  name: "alarm-has-actions",
  description: "Every CloudWatch alarm notifies on ALARM and on OK (non-empty alarmActions and okActions).",
  types: ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm"],
  check: (props, _args, report) => {
    if (!hasActions(peek(props, "alarmActions"))) report("alarmActions must not be empty");
    if (!hasActions(peek(props, "okActions"))) report("okActions must not be empty");
    if (peek(props, "actionsEnabled") === false) report("actionsEnabled is false: the actions never run");
  },
});

/** Health checks with these types have no request interval or failure threshold. */
const NO_TIMING_TYPES = ["CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL"];
/** AWS defaults when the inputs are omitted. */
export const ROUTE53_DEFAULT_INTERVAL = 30;
export const ROUTE53_DEFAULT_THRESHOLD = 3;

function healthCheckTiming(props: Record<string, unknown>) {
  const interval = peek(props, "requestInterval");
  const threshold = peek(props, "failureThreshold");
  return {
    interval: interval === undefined ? ROUTE53_DEFAULT_INTERVAL : interval,
    threshold: threshold === undefined ? ROUTE53_DEFAULT_THRESHOLD : threshold,
  };
}

export const route53HealthCheckTiming = resourceRule({
  name: "route53-health-check-timing",
  description: "Route 53 health checks use requestInterval 10 or 30 and failureThreshold 1 to 10.",
  types: ["aws:route53/healthCheck:HealthCheck"],
  check: (props, args, report) => {
    if (NO_TIMING_TYPES.includes(String(peek(props, "type"))))
      args.notApplicable("health check has no own timing");
    const { interval, threshold } = healthCheckTiming(props);
    if (interval !== 10 && interval !== 30)
      report(`requestInterval must be 10 or 30, got ${describe(interval)}`);
    if (!(
      typeof threshold === "number" &&
      Number.isInteger(threshold) &&
      threshold >= 1 &&
      threshold <= 10
    )) {
      report(`failureThreshold must be 1 to 10, got ${describe(threshold)}`);
    }
  },
});

export const route53HealthCheckStandard = resourceRule({
  name: "route53-health-check-standard-timing",
  description: "Route 53 health checks use the designed timing: requestInterval 30 and failureThreshold 3.",
  enforcementLevel: "advisory",
  types: ["aws:route53/healthCheck:HealthCheck"],
  check: (props, args, report) => {
    if (NO_TIMING_TYPES.includes(String(peek(props, "type"))))
      args.notApplicable("health check has no own timing");
    const { interval, threshold } = healthCheckTiming(props);
    if (interval !== 30 || threshold !== 3) {
      report(
        `expected requestInterval 30 and failureThreshold 3, got ${describe(interval)} and ${describe(threshold)}`,
      );
    }
  },
});

export const LAMBDA_MAX_TIMEOUT = 900;
/** Functions that must run exactly this long: a batch or a promotion against a database mid-failover. */
export const LAMBDA_FIXED_TIMEOUTS: readonly { readonly pattern: RegExp; readonly seconds: number }[] = [
  { pattern: /-processor-fn$/, seconds: 300 },
  { pattern: /-failover-fn$/, seconds: 300 },
];
/** Lambda's default when `timeout` is omitted. */
const LAMBDA_DEFAULT_TIMEOUT = 3;

export const lambdaTimeouts = resourceRule({
  name: "lambda-timeouts",
  description:
    "Lambda timeouts are at most 900 s; the order processor and failover functions use exactly 300 s.",
  types: ["aws:lambda/function:Function"],
  check: (props, args, report) => {
    const raw = peek(props, "timeout");
    const timeout = raw === undefined ? LAMBDA_DEFAULT_TIMEOUT : raw;
    if (typeof timeout === "number" && timeout > LAMBDA_MAX_TIMEOUT) {
      report(`timeout ${timeout} s exceeds Lambda's ${LAMBDA_MAX_TIMEOUT} s maximum`);
    }
    const physical = peek(props, "name");
    const names = [args.name, typeof physical === "string" ? physical : ""];
    for (const { pattern, seconds } of LAMBDA_FIXED_TIMEOUTS) {
      if (names.some((n) => pattern.test(n)) && timeout !== seconds) {
        report(`functions matching ${pattern} must have timeout ${seconds} s, got ${describe(timeout)}`);
      }
    }
  },
});

export const operationsPolicies = [
  logRetention,
  alarmActions,
  route53HealthCheckTiming,
  route53HealthCheckStandard,
  lambdaTimeouts,
];
