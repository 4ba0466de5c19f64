/** Per-run lines and the summary over repeated runs (p50/p95/max of the recovery time). */
import type { ScenarioResult } from "./play";

export interface Summary {
  readonly id: string;
  readonly runs: number;
  readonly recovery: {
    readonly p50?: number;
    readonly p95?: number;
    readonly max?: number;
    readonly samples: number;
  };
  readonly lost: number;
  readonly bookedTwice: number;
  readonly leftInDlq: number;
  /** X1/X5: acknowledged orders left waiting in a reachable Region; orders only one store holds. */
  readonly stranded: number;
  readonly storeMismatches: number;
  readonly falseOrExtraPromotions: number;
  /** X3: orders booked on an old writer after its demotion, over all runs. */
  readonly bookedOnOldWriter: number;
  readonly oldWriterAlwaysFenced: boolean | undefined;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Promotions a scenario should cause: none when the writer's Region is healthy, one otherwise (S4: two). */
export const EXPECTED_PROMOTIONS: Record<string, number> = {
  "1-switchover": 1,
  "2-failover-caught-up": 1,
  "3-failover-rpo-window": 1,
  "4-old-primary-returns": 2,
  "5-two-triggers": 1,
  "6-flapping-health": 0,
  "7-standby-region-fails": 0,
  "8-partition-false-signal": 0,
  "9-promotion-over-budget": 1,
  "10-conflict-rpo-window": 1,
  "11-partition-heals": 0,
  "12-notify-decided-late": 1,
  "13-old-writer-unreachable": 1,
};

export function summarise(results: readonly ScenarioResult[]): Summary[] {
  const ids = [...new Set(results.map((r) => r.id))];
  return ids.map((id) => {
    const rs = results.filter((r) => r.id === id);
    const rec = rs
      .map((r) => r.recoveryMs)
      .filter((x): x is number => x !== undefined)
      .sort((a, b) => a - b);
    const fenced = rs.map((r) => r.oldWriterFenced).filter((f): f is boolean => f !== undefined);
    return {
      id,
      runs: rs.length,
      recovery: { p50: percentile(rec, 50), p95: percentile(rec, 95), max: rec.at(-1), samples: rec.length },
      lost: rs.reduce((n, r) => n + r.counts.lost, 0),
      bookedTwice: rs.reduce((n, r) => n + r.counts.bookedTwice, 0),
      leftInDlq: rs.reduce((n, r) => n + r.counts.leftInDlq, 0),
      stranded: rs.reduce((n, r) => n + r.counts.stranded, 0),
      storeMismatches: rs.reduce((n, r) => n + r.counts.storeMismatches, 0),
      falseOrExtraPromotions: rs.reduce(
        (n, r) => n + Math.max(0, r.promotions - (EXPECTED_PROMOTIONS[id] ?? 0)),
        0,
      ),
      bookedOnOldWriter: rs.reduce((n, r) => n + r.bookedOnOldWriter, 0),
      oldWriterAlwaysFenced: fenced.length === 0 ? undefined : fenced.every(Boolean),
    };
  });
}

const ms = (v: number | undefined): string => (v === undefined ? "-" : `${(v / 1000).toFixed(2)} s`);
const yesNo = (v: boolean | undefined): string => (v === undefined ? "-" : v ? "yes" : "NO");

export function runLine(r: ScenarioResult, run: number): string {
  const c = r.counts;
  return [
    `run ${run} ${r.id.padEnd(24)}`,
    `ack ${c.acknowledged}`,
    `booked ${c.booked}`,
    `lost ${c.lost}${c.lostInNeitherStore.length ? ` (in neither store: ${c.lostInNeitherStore.length})` : ""}`,
    `twice ${c.bookedTwice}`,
    `conflicts ${c.conflicts}`,
    `dlq ${c.leftInDlq}`,
    `reconciled ${r.recoveredByReconcile}`,
    `recovery ${ms(r.recoveryMs)}`,
    `fenced ${yesNo(r.oldWriterFenced)}`,
    `promotions ${r.promotions}`,
    `orchestrator [${r.failoverResults.join(",")}]`,
  ].join(" | ");
}

export function summaryTable(s: readonly Summary[]): string {
  const head =
    "scenario                  runs  recovery p50   p95      max      lost  twice  dlq  extra-promotions  fenced";
  const rows = s.map(
    (x) =>
      `${x.id.padEnd(26)}${String(x.runs).padEnd(6)}${ms(x.recovery.p50).padEnd(15)}${ms(x.recovery.p95).padEnd(9)}${ms(
        x.recovery.max,
      ).padEnd(
        9,
      )}${String(x.lost).padEnd(6)}${String(x.bookedTwice).padEnd(7)}${String(x.leftInDlq).padEnd(5)}${String(
        x.falseOrExtraPromotions,
      ).padEnd(18)}${yesNo(x.oldWriterAlwaysFenced)}`,
  );
  return [head, ...rows].join("\n");
}
