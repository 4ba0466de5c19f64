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

  it("X4: the failback runs through the orchestrator in the secondary, aimed at the primary, and swaps every consumer", () => {
    const r = resultOf(results, "4-old-primary-returns");
    expect(r.notes).toContain(
      "after failback: us-east-1 processor on, forwarder off; us-west-2 processor off, forwarder on",
    );
  });

  // The standby forwards what it accepts to the writer (F1), and every DLQ is redriven (F2).
  it("G1/F1/F2: no acknowledged order is lost or left in a DLQ", () => {
    const r = resultOf(results, "4-old-primary-returns");
    expect({ lost: r.counts.lost, dlq: r.counts.leftInDlq }).toEqual({ lost: 0, dlq: 0 });
  });
});
