/**
 * The reconcile function's event: { "sinceIso": "<ISO-8601>", "dryRun"?: boolean }. Strict, like the
 * failover event (lambda/failover/events.ts): an unknown key such as "dry_run" is refused rather than
 * ignored, since ignoring it would turn an intended dry run into a real one. The orchestrator sends it,
 * the runbook's invoke and the CLI's suggested invoke are checked against it.
 */
export interface ReconcileEvent {
  readonly sinceIso: string;
  readonly dryRun: boolean;
}

export const RECONCILE_EVENT_KEYS = ["sinceIso", "dryRun"] as const;
/** A real run unless asked otherwise: the orchestrator's step after a failover repairs the stores. */
export const RECONCILE_EVENT_DEFAULTS = { dryRun: false } as const;

/** Every problem in one error, so the caller fixes the event once. */
export function parseReconcileEvent(event: unknown): ReconcileEvent {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new Error("reconcile event: expected a JSON object");
  }
  const e = event as Record<string, unknown>;
  const problems = Object.keys(e)
    .filter((k) => !(RECONCILE_EVENT_KEYS as readonly string[]).includes(k))
    .map((k) => `${k}: unknown field (allowed: ${RECONCILE_EVENT_KEYS.join(", ")})`);
  if (typeof e.sinceIso !== "string" || Number.isNaN(Date.parse(e.sinceIso))) {
    problems.push("sinceIso: expected an ISO-8601 date-time string");
  }
  if (e.dryRun !== undefined && typeof e.dryRun !== "boolean")
    problems.push("dryRun: expected true or false");
  if (problems.length > 0) throw new Error(`reconcile event: ${problems.join("; ")}`);
  return {
    sinceIso: e.sinceIso as string,
    dryRun: (e.dryRun as boolean | undefined) ?? RECONCILE_EVENT_DEFAULTS.dryRun,
  };
}
