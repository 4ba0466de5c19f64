/** The game day's JSON summary (gameday/report.ts), per scenario over repeated runs. */
import type { Counts } from "../../gameday/count";
import type { ScenarioResult } from "../../gameday/play";
import { summarise } from "../../gameday/report";

const counts = (over: Partial<Counts>): Counts => ({
  acknowledged: 10,
  booked: 10,
  lost: 0,
  lostButInDynamo: 0,
  lostInNeitherStore: [],
  heldInDownRegion: 0,
  bookedTwice: 0,
  conflicts: 0,
  leftInDlq: 0,
  stranded: 0,
  storeMismatches: 0,
  ...over,
});

const run = (id: string, c: Partial<Counts>, promotions = 1): ScenarioResult => ({
  id,
  title: id,
  counts: counts(c),
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
