/**
 * The game day runs the failover function with the program's environment and raises the program's
 * alarms, not retyped ones (gameday/failover-wiring.ts): only the world's stand-ins and the stack's alarm
 * action are replaced, and time values are the program's, scaled. One deliberate break per kind of value,
 * made on the recorded resources as derived-wiring.test.ts makes its breaks.
 */
import { evaluate } from "../../gameday/alarm";
import { FAILOVER_BUDGET_SCALE, gameDayFailoverEnv } from "../../gameday/failover-wiring";
import { FLAPPING_SERIES } from "../../gameday/scenarios";
import { orderPathWiring } from "../../gameday/wiring";
import { FAILOVER_ENV as K } from "../../lambda/failover/env-keys";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { PRODUCTION_CONFIG, runProgram } from "../program";
import { broken } from "./day-one-support";

const FUNCTION = "aws:lambda/function:Function";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const failoverFn = (r: RecordedResource) => r.type === FUNCTION && /-failover-fn$/.test(r.name);
const primaryHealthAlarm = (r: RecordedResource) =>
  r.type === ALARM && /-primary-service-health-alarm$/.test(r.name);
const env = (r: RecordedResource) =>
  (r.inputs.environment as { variables: Record<string, string> }).variables;
const standIns = { [K.globalClusterId]: "gd-global", [K.processingSites]: "[]" };
const paceScale = 1 / 100;

describe.each([
  ["dev", {}],
  ["prod", PRODUCTION_CONFIG],
])("the game day's failover function is the program's (%s)", (stack, config) => {
  let resources: RecordedResource[];
  beforeAll(async () => {
    resources = (await runProgram(config, stack)).resources;
  });

  it("D3: its allowlist names the primary's health alarm, and scenario alarms are the program's", () => {
    const f = orderPathWiring(resources).failover;
    expect(f.region).toBe("us-west-2");
    expect(f.triggers).toEqual([f.alarms.health["us-east-1"]]);
    expect(f.triggers[0]).toMatch(new RegExp(`^tap-${stack}-primary-service-health-alarm-`));
    expect(f.alarms.health["us-west-2"]).toMatch(new RegExp(`^tap-${stack}-secondary-service-health-alarm-`));
    expect(f.alarms.canary["us-east-1"]).toMatch(new RegExp(`^tap-${stack}-primary-service-canary-success-`));
    expect(f.alarms.probe).toMatch(new RegExp(`^tap-${stack}-secondary-service-probe-success-`));
    // The alarms notify the alert topic of their own Region, the one the function is subscribed to.
    expect(f.alarms.topic[f.triggers[0]]).toMatch(
      new RegExp(`^arn:aws:sns:us-east-1:\\d{12}:tap-${stack}-primary-alerts-topic`),
    );
    expect(f.triggerSettings).toEqual({
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: "notBreaching",
    });
  });

  it("D3: the environment is the program's but for stand-ins, the alarm action and scaled times", () => {
    const f = orderPathWiring(resources).failover;
    const out = gameDayFailoverEnv(f, f.region, { standIns, paceScale });
    const changed = Object.keys(f.env).filter((k) => out[k] !== f.env[k]);
    expect(changed.sort()).toEqual(
      [
        K.globalClusterId,
        K.processingSites,
        K.alarmAction,
        K.timeBudgetMs,
        K.pollIntervalMs,
        K.notifyTimeoutMs,
      ].sort(),
    );
    expect(out[K.allowedAlarms]).toBe(f.triggers.join(","));
    expect(out[K.maxAttempts]).toBe(f.env[K.maxAttempts]);
    expect(Number(out[K.timeBudgetMs])).toBe(
      Math.round(Number(f.env[K.timeBudgetMs]) * FAILOVER_BUDGET_SCALE),
    );
    expect(Number(out[K.pollIntervalMs])).toBe(Math.round(Number(f.env[K.pollIntervalMs]) * paceScale));
    expect([out[K.alarmAction], out.AWS_REGION]).toEqual(["failover", "us-west-2"]);
  });
});

describe("the game day's failover function, deliberately broken in the program (dev)", () => {
  let resources: RecordedResource[];
  beforeAll(async () => {
    resources = (await runProgram()).resources;
  });

  it("D3 break: an allowlist naming no alarm of the program stops the game day", () => {
    const r = broken(resources, failoverFn, (f) => void (env(f)[K.allowedAlarms] = "tap-primary-health"));
    expect(() => orderPathWiring(r)).toThrow(
      /ALLOWED_ALARMS names tap-primary-health, which is no alarm of the program/,
    );
  });

  it("D3 break: an empty allowlist (no alarm may start a run) stops the game day", () => {
    const r = broken(resources, failoverFn, (f) => void (env(f)[K.allowedAlarms] = ""));
    expect(() => orderPathWiring(r)).toThrow(/ALLOWED_ALARMS names no alarm/);
  });

  it("D3 break: the health alarm's DatapointsToAlarm changed in lib/ changes what scenario 6's series raises", () => {
    const today = orderPathWiring(resources).failover.triggerSettings;
    expect(evaluate(FLAPPING_SERIES, today)).toEqual(["OK", "ALARM", "OK"]);
    const r = broken(resources, primaryHealthAlarm, (a) => void (a.inputs.datapointsToAlarm = 3));
    const changed = orderPathWiring(r).failover.triggerSettings;
    expect(changed.datapointsToAlarm).toBe(3);
    expect(evaluate(FLAPPING_SERIES, changed)).toEqual(["OK"]);
  });

  it("D3 break: the health alarm shortened to one period in lib/ (what the game day used to retype) alarms on every bad minute", () => {
    const r = broken(resources, primaryHealthAlarm, (a) => {
      a.inputs.evaluationPeriods = 1;
      a.inputs.datapointsToAlarm = 1;
    });
    const s = orderPathWiring(r).failover.triggerSettings;
    expect(evaluate(FLAPPING_SERIES, s)).toEqual(["OK", "ALARM", "OK", "ALARM", "OK", "ALARM", "OK"]);
  });

  it("D3 break: a time budget key renamed in the program stops the game day before the function runs", () => {
    const r = broken(resources, failoverFn, (f) => {
      const vars = env(f);
      vars.BUDGET_MS = vars[K.timeBudgetMs];
      delete vars[K.timeBudgetMs];
    });
    const f = orderPathWiring(r).failover;
    expect(() => gameDayFailoverEnv(f, f.region, { standIns, paceScale })).toThrow(
      /failover-fn: the program sets no TIME_BUDGET_MS in its environment/,
    );
  });

  it("D3 break: the program's time budget halved halves the game day's", () => {
    const r = broken(resources, failoverFn, (f) => void (env(f)[K.timeBudgetMs] = "135000"));
    const f = orderPathWiring(r).failover;
    expect(gameDayFailoverEnv(f, f.region, { standIns, paceScale })[K.timeBudgetMs]).toBe(
      String(135_000 / 9),
    );
  });
});
