/** Game day, X1 (issue 22): partial faults and late decisions strand nothing. */
import { keptEveryOrder, resultOf, scenarioSet } from "./scenario-set";

const results = scenarioSet(["11-partition-heals", "12-notify-decided-late"]);

describe("game day: a partition between the Regions, both up, no false signal, that heals", () => {
  it("X1: lasting longer than the forwarder's backoff, it strands nothing: every acknowledged order is booked once, none in a DLQ", () => {
    const r = resultOf(results, "11-partition-heals");
    expect(r.notes.join("\n")).toMatch(/link cut for \d+ ms, longer than the forwarder's \d+ ms of backoff/);
    expect(r.counts.acknowledged).toBeGreaterThan(10);
    expect(keptEveryOrder(r)).toEqual({ lost: 0, twice: 0, dlq: 0, stranded: 0, storeMismatches: 0 });
  });

  it("X1/X2: a partition is not an outage: nothing is promoted, the primary keeps the writer", () => {
    const r = resultOf(results, "11-partition-heals");
    expect({ promotions: r.promotions, writer: r.writerRegion, runs: r.failoverResults }).toEqual({
      promotions: 0,
      writer: "us-east-1",
      runs: [],
    });
  });
});

describe("game day: notify mode, a person fails over late", () => {
  it("X1/X6: the alarm only reports; the person's failover ~500 s (scaled) after the fault promotes once", () => {
    const r = resultOf(results, "12-notify-decided-late");
    expect(r.failoverResults.slice(0, 1)).toEqual(["dry-run"]);
    expect(r.failoverResults).toContain("completed");
    expect(r.notes.join("\n")).toMatch(/a person failed over \d+ ms after the fault/);
    expect({ promotions: r.promotions, writer: r.writerRegion }).toEqual({
      promotions: 1,
      writer: "us-west-2",
    });
  });

  it("X1: orders that used up their receives before the late flip are booked by the scheduled convergence: nothing stranded", () => {
    const r = resultOf(results, "12-notify-decided-late");
    expect(r.notes.join("\n")).toMatch(/convergence schedule: [1-9]\d* run\(s\); queues empty/);
    expect(r.counts.acknowledged).toBeGreaterThan(10);
    expect(keptEveryOrder(r)).toEqual({ lost: 0, twice: 0, dlq: 0, stranded: 0, storeMismatches: 0 });
  });
});
