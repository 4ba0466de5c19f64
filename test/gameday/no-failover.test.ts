/** Game day, scenarios 6, 7 and 8: conditions that must not fail over. */
import { resultOf, scenarioSet } from "./scenario-set";

const results = scenarioSet(["6-flapping-health", "7-standby-region-fails", "8-partition-false-signal"]);

describe("game day: flapping or missing health data", () => {
  it("G1: the writer's Region keeps booking every order", () => {
    const r = resultOf(results, "6-flapping-health");
    expect(r.counts.acknowledged).toBeGreaterThan(10);
    expect(r.counts.bookedTwice).toBe(0);
    expect(r.notes.join(" ")).toMatch(/ALARM/);
  });

  it("G1/F4: no failover at all", () => {
    const r = resultOf(results, "6-flapping-health");
    expect({ promotions: r.promotions, writer: r.writerRegion }).toEqual({
      promotions: 0,
      writer: "us-east-1",
    });
  });
});

describe("game day: the standby Region fails", () => {
  it("G1: no failover, the writer stays, every acknowledged order is booked once", () => {
    const r = resultOf(results, "7-standby-region-fails");
    expect(r.promotions).toBe(0);
    expect(r.writerRegion).toBe("us-east-1");
    expect(r.failoverResults).toEqual(["not-invoked"]);
    expect(r.counts.acknowledged).toBeGreaterThan(10);
    expect({ lost: r.counts.lost, twice: r.counts.bookedTwice, dlq: r.counts.leftInDlq }).toEqual({
      lost: 0,
      twice: 0,
      dlq: 0,
    });
  });
});

describe("game day: the report's X1/X5 fields without a failover", () => {
  it("X1/X5: a standby Region that fails strands nothing in a reachable Region and splits no order between the stores", () => {
    const r = resultOf(results, "7-standby-region-fails");
    expect({ stranded: r.counts.stranded, storeMismatches: r.counts.storeMismatches }).toEqual({
      stranded: 0,
      storeMismatches: 0,
    });
  });
});

describe("game day: a partition seen only from the secondary, with false alarms", () => {
  it("X2: the probe alarm is no trigger and the health alarm is refused as a partition: no promotion, the primary keeps writing", () => {
    const r = resultOf(results, "8-partition-false-signal");
    expect(r.failoverResults).toEqual(["ignored", "refused"]);
    expect(r.notes.join("\n")).toMatch(/refused: .*a partition is not an outage/);
    expect({ promotions: r.promotions, writer: r.writerRegion }).toEqual({
      promotions: 0,
      writer: "us-east-1",
    });
  });

  it("X1/X2: every acknowledged order is booked once; nothing stranded, nothing in one store only", () => {
    const r = resultOf(results, "8-partition-false-signal");
    expect(r.counts.acknowledged).toBeGreaterThan(10);
    expect({
      lost: r.counts.lost,
      twice: r.counts.bookedTwice,
      stranded: r.counts.stranded,
      storeMismatches: r.counts.storeMismatches,
    }).toEqual({ lost: 0, twice: 0, stranded: 0, storeMismatches: 0 });
  });
});
