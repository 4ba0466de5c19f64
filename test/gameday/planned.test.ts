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

  // The standby forwards what it accepts to the writer (F1), and every DLQ is redriven (F2).
  it("G1/F2: no acknowledged order is lost or left in a DLQ", () => {
    const r = resultOf(results, "1-switchover");
    expect({ lost: r.counts.lost, dlq: r.counts.leftInDlq }).toEqual({ lost: 0, dlq: 0 });
    expect(r.recoveryMs).toBeGreaterThan(0); // an order booked in the new writer's Region
  });
});
