/**
 * X1/X6: the scheduled convergence run and the stranded-order alarm, as the program deploys them, and
 * their configuration.
 */
import { CONVERGE_EVENT, parseEvent } from "../../lambda/failover/events";
import { CONVERGENCE_DEFAULTS, rateExpression } from "../../lib/config/convergence";
import { requeuedMessageSeconds } from "../../lambda/order-forwarder/requeue";
import { ProgramRun, runProgram } from "../program";
import { parse, problemsOf } from "../support/parse-config";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram();
});

const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";

describe("X1/X6: the orchestrator converges on a schedule", () => {
  it("X6: a rule in the secondary Region invokes the failover function every 5 minutes with the converge event", () => {
    const rule = run.named(RULE, "tap-dev-failover-converge");
    const target = run.named(TARGET, "tap-dev-failover-converge-target");
    const fn = run.named("aws:lambda/function:Function", "tap-dev-failover-fn");
    expect(rule.region).toBe("us-west-2");
    expect(rule.inputs.scheduleExpression).toBe("rate(5 minutes)");
    expect(target.inputs).toMatchObject({ rule: rule.state.name, arn: fn.state.arn });
    // The function reads the target's input as its converge event, and nothing else.
    expect(parseEvent(JSON.parse(String(target.inputs.input)), "failover", [])).toEqual({ kind: "converge" });
    const permission = run.named("aws:lambda/permission:Permission", "tap-dev-failover-converge-invoke");
    expect(permission.inputs).toMatchObject({
      principal: "events.amazonaws.com",
      sourceArn: rule.state.arn,
      action: "lambda:InvokeFunction",
    });
  });

  it("X1: the oldest-message alarm fires on an order acknowledged and not booked for strandedOrderMinutes (default 10)", async () => {
    const alarm = run.named(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      "tap-dev-monitoring-primary-oldest-message",
    );
    expect(alarm.inputs).toMatchObject({
      metricName: "ApproximateAgeOfOldestMessage",
      threshold: CONVERGENCE_DEFAULTS.strandedOrderMinutes * 60,
    });
    expect(CONVERGENCE_DEFAULTS.strandedOrderMinutes).toBe(10);
    const other = await runProgram({ strandedOrderMinutes: "30", convergeMinutes: "1" });
    const a = other.resources.find((r) => r.name === "tap-dev-monitoring-secondary-oldest-message")!;
    expect(a.inputs.threshold).toBe(1800);
    const rule = other.resources.find((r) => r.name === "tap-dev-failover-converge")!;
    expect(rule.inputs.scheduleExpression).toBe("rate(1 minute)");
  });

  it("X1: config: the alarm must outlast a convergence tick; both are bounded whole minutes", () => {
    expect(parse({}).convergence).toEqual({ convergeMinutes: 5, strandedOrderMinutes: 10 });
    expect(problemsOf({ convergeMinutes: "10", strandedOrderMinutes: "10" })).toEqual([
      "strandedOrderMinutes: 10 must exceed convergeMinutes (10), or the alarm fires before the convergence run that heals it",
    ]);
    expect(problemsOf({ convergeMinutes: "0" }).join("\n")).toMatch(/convergeMinutes/);
  });

  it("X1: config: the alarm must fire within one re-queued order's wait (68 minutes), or a long partition never pages", () => {
    // A re-queued order waits its 480 s delay, then four failed forwards of 900 s each.
    expect(requeuedMessageSeconds(1)).toBe(480 + 4 * 900);
    expect(requeuedMessageSeconds(3)).toBeGreaterThanOrEqual(requeuedMessageSeconds(1));
    expect(parse({ strandedOrderMinutes: "67" }).convergence.strandedOrderMinutes).toBe(67);
    expect(problemsOf({ strandedOrderMinutes: "68" })).toEqual([
      "strandedOrderMinutes: 68 must be below 68, how long an order the forwarder re-queued waits as one message (lambda/order-forwarder/requeue.ts); the queue's oldest-message age restarts with every re-queue, so a higher threshold never fires in a long partition",
    ]);
  });

  it("X1: EventBridge's rate unit is singular for 1 and plural above; fractions are refused", () => {
    expect(rateExpression(1)).toBe("rate(1 minute)");
    expect(rateExpression(15)).toBe("rate(15 minutes)");
    expect(() => rateExpression(0.5)).toThrow(/whole number of minutes/);
    expect(CONVERGE_EVENT).toEqual({ action: "converge" });
  });
});
