/** Game day, scenario 1: a planned switchover while orders keep coming. */
import { resultOf, scenarioSet } from "./scenario-set";

const results = scenarioSet(["1-switchover"]);

describe("game day: planned switchover under a steady order stream", () => {
  it("G1: the switchover completes once, moves the writer, fences the old one and books nothing twice", () => {
    const r = resultOf(results, "1-switchover");
    expect(r.failoverResults).toEqual(["completed"]);
    expect(r.promotions).toBe(1);
    expect(r.writerRegion).toBe("us-west-2");
    expect(r.oldWriterFenced).toBe(true);
    expect(r.counts.acknowledged).toBeGreaterThan(10);
    expect(r.counts.bookedTwice).toBe(0);
  });

  // Known gap (issue 13 landed; this still fails): orders the old writer's Region accepted after the
  // writer moved wait in that Region's queue, whose mapping the failover disabled (or whose Region is
  // down), until it is the writer again; nothing forwards them to the new writer yet. The game day
  // counts them as not booked.
  test.failing("G1/F2: no acknowledged order is lost or left in a DLQ", () => {
    const r = resultOf(results, "1-switchover");
    expect({ lost: r.counts.lost, dlq: r.counts.leftInDlq }).toEqual({ lost: 0, dlq: 0 });
    expect(r.recoveryMs).toBeGreaterThan(0); // an order booked in the new writer's Region
  });
});
