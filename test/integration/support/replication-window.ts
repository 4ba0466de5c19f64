/**
 * Honest cross-region replication delay from polling. Each tick reads BOTH regions at once, and records
 * when the tick started and ended. An item first seen at tick k was written after the start of the
 * last tick that missed it (or after `notBefore`) and no later than the end of tick k. So the delay
 * secondary − primary lies in (lastMissS.start − firstSeenP.end, firstSeenS.end − lastMissP.start].
 * The range is reported as is: its lower bound may be negative (both seen in the same tick) and is
 * never clamped to 0, because that would claim a precision the polling does not have.
 */
export interface Tick {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly primary: boolean;
  readonly secondary: boolean;
}

export interface WatchOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface Watch {
  readonly ticks: readonly Tick[];
  readonly complete: boolean;
}

/** Polls both probes in the same tick until each has seen the item once, or the time is up. */
export async function watchBothRegions(
  seenInPrimary: () => Promise<boolean>,
  seenInSecondary: () => Promise<boolean>,
  options: WatchOptions,
): Promise<Watch> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = now();
  const ticks: Tick[] = [];
  let p = false;
  let s = false;
  for (;;) {
    const startedAt = now();
    const [primary, secondary] = await Promise.all([seenInPrimary(), seenInSecondary()]);
    ticks.push({ startedAt, endedAt: now(), primary, secondary });
    p ||= primary;
    s ||= secondary;
    if (p && s) return { ticks, complete: true };
    if (now() - started + options.intervalMs > options.timeoutMs) return { ticks, complete: false };
    await sleep(options.intervalMs);
  }
}

export interface DelayRange {
  /** Exclusive lower bound; may be negative. */
  readonly minMs: number;
  /** Inclusive upper bound. */
  readonly maxMs: number;
}

/** The delay range a complete watch supports; `notBefore` is a time known to precede the primary write. */
export function replicationDelayRange(ticks: readonly Tick[], notBefore: number): DelayRange | undefined {
  const window = (seen: (t: Tick) => boolean) => {
    const first = ticks.findIndex(seen);
    if (first < 0) return undefined;
    const lastMiss = first > 0 ? ticks[first - 1].startedAt : notBefore;
    return { after: lastMiss, atMost: ticks[first].endedAt };
  };
  const p = window((t) => t.primary);
  const s = window((t) => t.secondary);
  if (!p || !s) return undefined;
  return { minMs: s.after - p.atMost, maxMs: s.atMost - p.after };
}
