/**
 * Runs one scenario set once, for a test file: CI timing, two worlds at a time. The bundles (order
 * processor and forwarder) come from `npm test`, or from jest's global setup when they are missing.
 */
import { CI_TIMING, type ScenarioResult } from "../../gameday/play";
import { runLine } from "../../gameday/report";
import { runAll } from "../../gameday/run";
import { orderPathWiring } from "../../gameday/wiring";
import { runProgram } from "../program";
import { parseRunLine, runLineShape, samplesOf } from "../docs/samples";

/** Scenario results by id, filled by beforeAll. */
export function scenarioSet(ids: readonly string[]): Map<string, ScenarioResult> {
  const results = new Map<string, ScenarioResult>();
  beforeAll(async () => {
    const out = await runAll(
      ids.map((id) => ({ id, run: 1 })),
      { timing: CI_TIMING, concurrency: 2, wiring: orderPathWiring((await runProgram()).resources) },
    );
    for (const r of out) results.set(r.id, r);
  }, 120_000);
  it(`O4: docs/gameday.md's sample shows ${ids.join(", ")} as they ran (all but timing-dependent counts)`, () => {
    expect(ids.map((id) => runLineShape(runLine(resultOf(results, id), 1)))).toEqual(
      ids.map((id) => runLineShape(sampleRunLine(id))),
    );
  });
  return results;
}

/**
 * The sample's run line of scenario `id` (refresh the sample with `npm run --silent gameday -- --ci`
 * when a scenario's outcome changes on purpose).
 */
function sampleRunLine(id: string): string {
  const line = samplesOf("gameday")
    .flatMap((s) => s.lines)
    .find((l) => parseRunLine(l)?.result.id === id);
  return line ?? `(docs/gameday.md shows no run of ${id})`;
}

/** The result of a scenario, or a clear failure when the world could not run it. */
export function resultOf(results: Map<string, ScenarioResult>, id: string): ScenarioResult {
  const r = results.get(id);
  if (!r) throw new Error(`scenario ${id} did not run`);
  return r;
}

/** What X1 promises for every acknowledged order: booked once, nowhere left waiting, both stores agree. */
export const keptEveryOrder = ({ counts: c }: ScenarioResult) => ({
  lost: c.lost,
  twice: c.bookedTwice,
  dlq: c.leftInDlq,
  stranded: c.stranded,
  storeMismatches: c.storeMismatches,
});
