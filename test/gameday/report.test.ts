/** The game day's JSON summary (gameday/report.ts), per scenario over repeated runs. */
import type { ScenarioResult } from "../../gameday/play";
import { summarise } from "../../gameday/report";
import { cleanCounts } from "./counts";

const run = (id: string, c: Parameters<typeof cleanCounts>[0], promotions = 1): ScenarioResult => ({
  id,
  title: id,
  counts: cleanCounts(c),
  promotions,
  bookedOnOldWriter: 0,
  writerRegion: "us-west-2",
  failoverResults: [],
  recoveredByReconcile: 0,
  durationMs: 1,
  notes: [],
});

it("X1/X5: the summary adds up stranded orders, store mismatches and false promotions per scenario", () => {
  const [s] = summarise([
    run("6-flapping-health", { stranded: 2, storeMismatches: 1 }, 1),
    run("6-flapping-health", { stranded: 3 }, 0),
  ]);
  expect(s).toMatchObject({
    id: "6-flapping-health",
    runs: 2,
    stranded: 5,
    storeMismatches: 1,
    falseOrExtraPromotions: 1,
  });
});
