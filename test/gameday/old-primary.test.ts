/** Game day, scenario 4: the old primary comes back after a failover. */
import { resultOf, scenarioSet } from "./scenario-set";

const results = scenarioSet(["4-old-primary-returns"]);

describe("game day: the old primary returns", () => {
  it("G1: the returning old writer takes no write; the rebuild and the switch back complete", () => {
    const r = resultOf(results, "4-old-primary-returns");
    expect(r.oldWriterFenced).toBe(true);
    expect(r.failoverResults).toEqual(["completed", "completed"]);
    expect(r.promotions).toBe(2);
    expect(r.writerRegion).toBe("us-east-1");
    expect(r.counts.bookedTwice).toBe(0);
  });

  // Known gap (issue 13 landed; this still fails): orders the old writer's Region accepted after the
  // writer moved wait in that Region's queue, whose mapping the failover disabled (or whose Region is
  // down), until it is the writer again; nothing forwards them to the new writer yet. The game day
  // counts them as not booked.
  test.failing("G1/F1/F2: no acknowledged order is lost or left in a DLQ", () => {
    const r = resultOf(results, "4-old-primary-returns");
    expect({ lost: r.counts.lost, dlq: r.counts.leftInDlq }).toEqual({ lost: 0, dlq: 0 });
  });
});
