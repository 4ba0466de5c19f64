/**
 * The game day's verdict on one run: what the platform promises (G1, X1), checked on the counts. The
 * CLI exits non-zero when any run breaks a promise, so a scripted game day cannot pass unnoticed.
 */
import type { ScenarioResult } from "./play";
import { EXPECTED_PROMOTIONS } from "./report";

/**
 * Scenarios that cut replication before the writer's Region dies: orders booked in that window may be
 * lost, but only while they still wait in the dead Region's queue (they are forwarded once it returns).
 */
export const RPO_WINDOW_SCENARIOS: readonly string[] = ["3-failover-rpo-window", "10-conflict-rpo-window"];

export interface Verdict {
  readonly id: string;
  readonly passed: boolean;
  /** One sentence per broken promise, naming the numbers. */
  readonly problems: string[];
}

function lossProblems(r: ScenarioResult): string[] {
  const c = r.counts;
  if (c.lost === 0) return [];
  if (!RPO_WINDOW_SCENARIOS.includes(r.id)) return [`${c.lost} acknowledged order(s) lost`];
  const problems: string[] = [];
  if (c.lostButInDynamo > 0)
    problems.push(`${c.lostButInDynamo} lost order(s) DynamoDB holds were not reconciled`);
  if (c.heldInDownRegion < c.lost)
    problems.push(`${c.lost - c.heldInDownRegion} lost order(s) are not held in the down Region's queue`);
  return problems;
}

export function verdict(r: ScenarioResult): Verdict {
  const expected = EXPECTED_PROMOTIONS[r.id] ?? 0;
  const problems = [
    ...lossProblems(r),
    ...(r.counts.bookedTwice > 0 ? [`${r.counts.bookedTwice} order(s) booked twice`] : []),
    ...(r.counts.leftInDlq > 0 ? [`${r.counts.leftInDlq} order(s) left in a DLQ`] : []),
    ...(r.promotions !== expected ? [`${r.promotions} promotion(s), expected ${expected}`] : []),
    ...(r.oldWriterFenced === false ? ["the old writer was not fenced"] : []),
    ...(r.bookedOnOldWriter > 0
      ? [`${r.bookedOnOldWriter} order(s) booked on the old writer after the promotion`]
      : []),
    ...(r.failoverResults.includes("failed") ? ["an orchestrator run failed"] : []),
  ];
  return { id: r.id, passed: problems.length === 0, problems };
}

/** The lines to print after the report: one per failed run, or nothing. */
export function verdictLines(results: readonly { result: ScenarioResult; run: number }[]): string[] {
  return results.flatMap(({ result, run }) => {
    const v = verdict(result);
    return v.passed ? [] : [`FAILED run ${run} ${v.id}: ${v.problems.join("; ")}`];
  });
}
