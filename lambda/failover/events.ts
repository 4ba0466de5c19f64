/**
 * Turns the two accepted invocation shapes into a FailoverRequest (see the comment in index.ts).
 * Parsing is strict: an unknown key such as "dry_run" is rejected rather than silently ignored,
 * because ignoring it would turn an intended dry run into a real failover.
 */
import { isRegionName, type AlarmAction } from "./config";

export type FailoverMode = "switchover" | "failover";
export type Trigger = "direct" | "alarm" | "drill" | "schedule";

export interface AlarmInfo {
  readonly name: string;
  readonly newState: string;
  readonly reason?: string;
  readonly stateChangeTime?: string;
  readonly arn?: string;
}

export interface FailoverRequest {
  readonly mode: FailoverMode;
  readonly dryRun: boolean;
  readonly reason?: string;
  readonly requestedBy?: string;
  readonly trigger: Trigger;
  readonly alarm?: AlarmInfo;
  /**
   * Region whose cluster becomes the writer (X4): absent = the configured target (the secondary); the
   * primary's Region = a failback, the same operation aimed the other way (aim.ts).
   */
  readonly targetRegion?: string;
}

export type ParsedEvent =
  | { readonly kind: "run"; readonly request: FailoverRequest }
  | { readonly kind: "converge" }
  | { readonly kind: "ignored"; readonly message: string; readonly alarms: AlarmInfo[] };

export class EventValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Rejected failover event (${problems.length} problem(s)):\n  - ${problems.join("\n  - ")}`);
    this.name = "EventValidationError";
  }
}

const DIRECT_KEYS = new Set(["mode", "dryRun", "reason", "requestedBy", "targetRegion"]);
const ALARM_STATES = new Set(["ALARM", "OK", "INSUFFICIENT_DATA"]);
const MAX_TEXT = 500;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optionalText(obj: Record<string, unknown>, key: string, problems: string[]): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.trim() === "" || v.length > MAX_TEXT) {
    problems.push(`${key}: expected a non-empty string of at most ${MAX_TEXT} characters`);
    return undefined;
  }
  return v.trim();
}

function parseDirect(event: Record<string, unknown>): FailoverRequest {
  const problems: string[] = [];
  for (const key of Object.keys(event)) {
    if (!DIRECT_KEYS.has(key))
      problems.push(`${key}: unknown field (allowed: ${[...DIRECT_KEYS].join(", ")})`);
  }
  const mode = event.mode;
  if (mode === undefined) problems.push('mode: is required ("switchover" or "failover")');
  else if (mode !== "switchover" && mode !== "failover") {
    problems.push(`mode: ${JSON.stringify(mode)} is not "switchover" or "failover"`);
  }
  // A data-losing failover runs only when asked for in so many words (dryRun: false), as in the drill; a
  // switchover loses nothing and defaults to a real run.
  let dryRun = mode === "failover";
  if (event.dryRun !== undefined) {
    if (typeof event.dryRun !== "boolean")
      problems.push(`dryRun: expected true or false, got ${JSON.stringify(event.dryRun)}`);
    else dryRun = event.dryRun;
  }
  const reason = optionalText(event, "reason", problems);
  const requestedBy = optionalText(event, "requestedBy", problems);
  const targetRegion = optionalText(event, "targetRegion", problems);
  if (targetRegion !== undefined && !isRegionName(targetRegion))
    problems.push(`targetRegion: "${targetRegion}" is not an AWS region name`);
  if (problems.length > 0) throw new EventValidationError(problems);
  return {
    mode: mode as FailoverMode,
    dryRun,
    reason,
    requestedBy,
    trigger: "direct",
    ...(targetRegion === undefined ? {} : { targetRegion }),
  };
}

/** The scheduled convergence run (X1/X6, converge.ts): exactly {"action":"converge"}, nothing else. */
export const CONVERGE_EVENT = { action: "converge" } as const;

function parseAction(event: Record<string, unknown>): ParsedEvent {
  const extra = Object.keys(event).filter((k) => k !== "action");
  if (event.action !== CONVERGE_EVENT.action || extra.length > 0) {
    throw new EventValidationError([
      `action: only ${JSON.stringify(CONVERGE_EVENT)} is accepted (got ${JSON.stringify(event).slice(0, 200)})`,
    ]);
  }
  return { kind: "converge" };
}

function parseAlarmRecord(record: unknown, index: number, problems: string[]): AlarmInfo | undefined {
  const where = `Records[${index}]`;
  if (!isRecord(record) || !isRecord(record.Sns)) {
    problems.push(`${where}: not an SNS record (no Sns object)`);
    return undefined;
  }
  const raw = record.Sns.Message;
  if (typeof raw !== "string") {
    problems.push(`${where}.Sns.Message: expected a string`);
    return undefined;
  }
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    problems.push(`${where}.Sns.Message: not JSON; expected a CloudWatch alarm state-change notification`);
    return undefined;
  }
  if (!isRecord(msg)) {
    problems.push(`${where}.Sns.Message: expected a JSON object`);
    return undefined;
  }
  const name = msg.AlarmName;
  const state = msg.NewStateValue;
  if (typeof name !== "string" || name === "") problems.push(`${where}.Sns.Message.AlarmName: missing`);
  if (typeof state !== "string" || !ALARM_STATES.has(state)) {
    problems.push(`${where}.Sns.Message.NewStateValue: expected ALARM, OK or INSUFFICIENT_DATA`);
  }
  if (typeof name !== "string" || typeof state !== "string" || !ALARM_STATES.has(state) || name === "")
    return undefined;
  return {
    name,
    newState: state,
    reason: typeof msg.NewStateReason === "string" ? msg.NewStateReason : undefined,
    stateChangeTime: typeof msg.StateChangeTime === "string" ? msg.StateChangeTime : undefined,
    arn: typeof msg.AlarmArn === "string" ? msg.AlarmArn : undefined,
  };
}

/**
 * Parses a Lambda event. An alarm-triggered run always means an unplanned "failover" (the primary is
 * presumed unhealthy); the configured alarm action decides whether it is only reported (dry run) or executed.
 */
export function parseEvent(
  event: unknown,
  alarmAction: AlarmAction,
  allowedAlarms: readonly string[],
): ParsedEvent {
  if (!isRecord(event)) throw new EventValidationError(["event: expected a JSON object"]);
  if ("action" in event) return parseAction(event);
  if (!("Records" in event)) return { kind: "run", request: parseDirect(event) };

  const records = event.Records;
  if (!Array.isArray(records) || records.length === 0) {
    throw new EventValidationError(["Records: expected a non-empty array of SNS records"]);
  }
  const problems: string[] = [];
  const alarms = records.map((r, i) => parseAlarmRecord(r, i, problems));
  if (problems.length > 0) throw new EventValidationError(problems);
  const parsed = alarms.filter((a): a is AlarmInfo => a !== undefined);

  const firingAny = parsed.filter((a) => a.newState === "ALARM");
  if (firingAny.length === 0) {
    return {
      kind: "ignored",
      alarms: parsed,
      message: `No action: alarm state(s) ${parsed.map((a) => `${a.name}=${a.newState}`).join(", ")}; only ALARM triggers a failover`,
    };
  }
  // The SNS filter policy is one guard; this is the second, so a mis-set subscription can't start a run.
  const firing = firingAny.find((a) => allowedAlarms.includes(a.name));
  if (!firing) {
    return {
      kind: "ignored",
      alarms: parsed,
      message: `No action: alarm(s) ${firingAny.map((a) => a.name).join(", ")} are not in the allowlist (${
        allowedAlarms.join(", ") || "empty"
      })`,
    };
  }
  return {
    kind: "run",
    request: {
      mode: "failover",
      dryRun: alarmAction !== "failover",
      reason: `CloudWatch alarm ${firing.name} is ALARM${firing.reason ? `: ${firing.reason}` : ""}`.slice(
        0,
        MAX_TEXT,
      ),
      requestedBy: firing.arn ?? `cloudwatch-alarm:${firing.name}`,
      trigger: "alarm",
      alarm: firing,
    },
  };
}
