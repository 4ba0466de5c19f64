/**
 * The failover function as the program deploys it, read from a program run (the recording wiring.ts and
 * day-one/model.ts read): its environment (allowlist, time budget, poll interval, attempts, topic), its
 * timeout, and the alarms the scenarios raise, each found by what it watches rather than by a name typed
 * here. A change in lib/ (an alarm renamed, the allowlist emptied, the health alarm's evaluation changed)
 * changes what the game day runs, or stops it where the function could never act.
 */
import { ALARM_ACTIONS, SETTING_BOUNDS, type AlarmAction } from "../lambda/failover/config";
import { FAILOVER_ENV as K } from "../lambda/failover/env-keys";
import type { AlarmSettings, TreatMissingData } from "./alarm";
import type { AlarmModel, ProgramModel } from "./day-one/model";

const FAILOVER_BUNDLE = "failover";
const TREAT_MISSING: readonly TreatMissingData[] = ["breaching", "notBreaching", "ignore", "missing"];

export interface FailoverAlarms {
  /** The alarm on each Region's Route 53 health check (HealthCheckStatus), by the Region it watches. */
  readonly health: Readonly<Record<string, string>>;
  /** Each Region's canary on its own API (SuccessPercent), by Region. */
  readonly canary: Readonly<Record<string, string>>;
  /** X2: the failover Region's canary on another Region's API: it alerts, it is no trigger. */
  readonly probe: string;
  /** The topic each alarm notifies in ALARM (its first alarm action), by alarm name. */
  readonly topic: Readonly<Record<string, string>>;
}

export interface FailoverWiring {
  readonly functionName: string;
  readonly region: string;
  readonly timeoutSeconds: number;
  /** The environment exactly as the program sets it. */
  readonly env: Readonly<Record<string, string>>;
  /** ALLOWED_ALARMS: the alarms whose ALARM starts a run (F3). */
  readonly triggers: readonly string[];
  /** How CloudWatch evaluates the first trigger (the primary's health alarm). */
  readonly triggerSettings: AlarmSettings;
  readonly alarms: FailoverAlarms;
}

/** The failover function of `model`; pushes a problem (and returns undefined) where it could never act. */
export function failoverWiring(model: ProgramModel, problems: string[]): FailoverWiring | undefined {
  const fns = model.functions.filter((f) => f.bundle === FAILOVER_BUNDLE);
  if (fns.length !== 1) {
    problems.push(`expected one function of lambda/${FAILOVER_BUNDLE}, the program has ${fns.length}`);
    return undefined;
  }
  const fn = fns[0];
  const before = problems.length;
  const triggers = (fn.env[K.allowedAlarms] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (triggers.length === 0) problems.push(`${fn.name}: ${K.allowedAlarms} names no alarm`);
  for (const t of triggers)
    if (!model.alarms.some((a) => a.name === t))
      problems.push(`${fn.name}: ${K.allowedAlarms} names ${t}, which is no alarm of the program`);
  const trigger = model.alarms.find((a) => a.name === triggers[0]);
  const alarms = alarmsOf(model, fn.region, problems);
  if (problems.length > before || !trigger || !alarms) return undefined;
  return {
    functionName: fn.name,
    region: fn.region,
    timeoutSeconds: fn.timeoutSeconds,
    env: fn.env,
    triggers,
    triggerSettings: settingsOf(trigger, problems),
    alarms,
  };
}

/** CloudWatch's evaluation settings of `a`, for gameday/alarm.ts's evaluate(). */
export function settingsOf(a: AlarmModel, problems: string[]): AlarmSettings {
  const treat = TREAT_MISSING.find((t) => t === a.treatMissingData);
  if (!treat)
    problems.push(`${a.name}: TreatMissingData "${a.treatMissingData}" is not one CloudWatch accepts`);
  return {
    evaluationPeriods: a.evaluationPeriods,
    datapointsToAlarm: a.datapointsToAlarm,
    treatMissingData: treat ?? "missing",
  };
}

/** The Region of the API a host name or URL points at (`<id>.execute-api.<region>.amazonaws.com`). */
const apiRegion = (s: string): string | undefined =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(s)?.[1];

function alarmsOf(
  model: ProgramModel,
  failoverRegion: string,
  problems: string[],
): FailoverAlarms | undefined {
  const health: Record<string, string> = {};
  const canary: Record<string, string> = {};
  const topic = Object.fromEntries(model.alarms.map((a) => [a.name, a.alarmActions[0] ?? ""]));
  let probe: string | undefined;
  for (const a of model.alarms) {
    if (a.metricName === "HealthCheckStatus") {
      const check = model.healthChecks.find((h) => h.id === a.dimensions.HealthCheckId);
      const watched = check && apiRegion(check.fqdn);
      if (watched) health[watched] = a.name;
    } else if (a.metricName === "SuccessPercent") {
      const c = model.canaries.find((x) => x.name === a.dimensions.CanaryName);
      const watched = c && Object.values(c.env).map(apiRegion).find(Boolean);
      if (!c || !watched) continue;
      if (watched === c.region) canary[watched] = a.name;
      else if (c.region === failoverRegion) probe = a.name;
    }
  }
  if (!probe)
    problems.push(`no canary alarm in ${failoverRegion} watches another Region's API (the X2 probe)`);
  if (Object.keys(health).length === 0) problems.push("no alarm watches a Route 53 health check of an API");
  return probe ? { health, canary, probe, topic } : undefined;
}

/**
 * Game-day ms per production ms for the failover function's budget settings (TIME_BUDGET_MS, and
 * NOTIFY_TIMEOUT_MS, which is reserved out of it for the final report). Coarser than the world's pace
 * (GameDayEnvOptions.paceScale): what the function does inside its budget is partly unscaled real time
 * (its retry backoff of 0.5 s to 20 s, its SDK per-call caps, the handler's 10 s safety margin), none of
 * which the environment can shorten, so the budget is scaled only as far as those leave room. At 1/100,
 * scenario 3's run (about 4 s of real time on a loaded machine) outlasted a 2.7 s budget and timed out.
 */
export const FAILOVER_BUDGET_SCALE = 1 / 9;

export interface GameDayEnvOptions {
  /** Identifiers of the world's stand-ins (clusters, queues, mappings) by env key. */
  readonly standIns: Readonly<Record<string, string>>;
  /**
   * The stack's tap:alarmFailoverAction (lib/config.ts). Default "failover": the game day exercises
   * automatic failover, which a stack opts into with that key; checked against what the function accepts.
   */
  readonly alarmAction?: AlarmAction;
  /** A deliberate fault: a budget (game-day ms) shorter than the program's scaled one. */
  readonly timeBudgetMs?: number;
  /**
   * Game-day ms per production ms of the world's AWS operations (a promotion, a mapping change), for
   * POLL_INTERVAL_MS: how often the function looks at a promotion is paced by how long one takes.
   * The scenarios' world: its backoff scale (1/100).
   */
  readonly paceScale: number;
}

/**
 * The program's failover environment with only what cannot run here replaced: the identifiers of the
 * world's stand-ins, the alarm action the stack chose, and the time values, each the program's own value
 * times a scale (FAILOVER_BUDGET_SCALE for the budget, the world's pace for the poll interval), held
 * within what the function accepts (lambda/failover/config.ts SETTING_BOUNDS). Every replaced key must be one the
 * program sets: a key renamed in lib/ stops the game day instead of running the function with a setting
 * the program never gives it.
 */
export function gameDayFailoverEnv(
  program: FailoverWiring,
  region: string,
  opts: GameDayEnvOptions,
): Record<string, string> {
  const scaled = (key: string, scale: number, [min, max]: readonly [number, number]) =>
    String(Math.min(max, Math.max(min, Math.round(Number(program.env[key]) * scale))));
  const action = opts.alarmAction ?? "failover";
  if (!ALARM_ACTIONS.includes(action))
    throw new Error(`alarm action ${action} is not one of ${ALARM_ACTIONS.join(", ")}`);
  const replaced: Record<string, string> = {
    ...opts.standIns,
    [K.alarmAction]: action,
    [K.timeBudgetMs]:
      opts.timeBudgetMs === undefined
        ? scaled(K.timeBudgetMs, FAILOVER_BUDGET_SCALE, SETTING_BOUNDS.timeBudgetMs)
        : String(opts.timeBudgetMs),
    [K.pollIntervalMs]: scaled(K.pollIntervalMs, opts.paceScale, SETTING_BOUNDS.pollIntervalMs),
    [K.notifyTimeoutMs]: scaled(K.notifyTimeoutMs, FAILOVER_BUDGET_SCALE, SETTING_BOUNDS.notifyTimeoutMs),
  };
  const unset = Object.keys(replaced).filter((k) => program.env[k] === undefined);
  if (unset.length)
    throw new Error(`${program.functionName}: the program sets no ${unset.join(", ")} in its environment`);
  return { ...program.env, ...replaced, AWS_REGION: region };
}
