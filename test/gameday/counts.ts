/** The counts of a game-day run that kept every promise: ten orders acknowledged and booked once. */
import type { Counts } from "../../gameday/count";

export const cleanCounts = (over: Partial<Counts> = {}): Counts => ({
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
