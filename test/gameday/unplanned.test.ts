/** Game day, scenarios 2, 3 and 5: unplanned failovers of the primary. */
import { resultOf, scenarioSet } from "./scenario-set";

const results = scenarioSet(["2-failover-caught-up", "3-failover-rpo-window", "5-two-triggers"]);

describe("game day: unplanned failover with replication caught up", () => {
  it("G1: the alarm-triggered failover completes once and fences the old writer; nothing booked twice", () => {
    const r = resultOf(results, "2-failover-caught-up");
    expect(r.failoverResults).toEqual(["completed"]);
    expect(r.promotions).toBe(1);
    expect(r.writerRegion).toBe("us-west-2");
    expect(r.oldWriterFenced).toBe(true);
    expect(r.counts.bookedTwice).toBe(0);
    expect(r.recoveryMs).toBeGreaterThan(0);
  });

  // The standby forwards what it accepts to the writer (F1), and every DLQ is redriven (F2).
  it("G1/F1/F2: no acknowledged order is lost or left in a DLQ", () => {
    const r = resultOf(results, "2-failover-caught-up");
    expect({ lost: r.counts.lost, dlq: r.counts.leftInDlq }).toEqual({ lost: 0, dlq: 0 });
  });
});

describe("game day: unplanned failover after replication was cut (RPO window)", () => {
  it("G1: the failover completes, the old writer is fenced, and every lost order is accounted for by id", () => {
    const r = resultOf(results, "3-failover-rpo-window");
    expect(r.failoverResults).toEqual(["completed"]);
    expect(r.oldWriterFenced).toBe(true);
    expect(r.counts.bookedTwice).toBe(0);
    // Each lost order is either still held by DynamoDB or listed as in neither store.
    expect(r.counts.lost).toBe(r.counts.lostButInDynamo + r.counts.lostInNeitherStore.length);
    // The window really held bookings that only the old writer's ledger and DynamoDB had.
    expect(r.notes.join(" ")).toMatch(/\(([3-9]|\d\d+) orders booked in the window\)/);
    expect(r.counts.lostButInDynamo + r.recoveredByReconcile).toBeGreaterThanOrEqual(3);
  });

  it("G1/F2: reconcile recovers every lost order DynamoDB holds; only orders in neither store stay lost", () => {
    const r = resultOf(results, "3-failover-rpo-window");
    expect(r.counts.lostButInDynamo).toBe(0);
    expect(r.counts.lost).toBe(r.counts.lostInNeitherStore.length);
  });

  it("G1/F1: every order in neither store is still held in the dead Region's queue: nothing acknowledged vanished", () => {
    const r = resultOf(results, "3-failover-rpo-window");
    expect(r.counts.heldInDownRegion).toBe(r.counts.lostInNeitherStore.length);
  });
});

describe("game day: two failover triggers at once", () => {
  it("G1: two alarms start one promotion and neither run fails", () => {
    const r = resultOf(results, "5-two-triggers");
    expect(r.promotions).toBe(1);
    expect(r.failoverResults).toHaveLength(2);
    expect(r.failoverResults).not.toContain("failed");
    expect(r.oldWriterFenced).toBe(true);
    expect(r.counts.bookedTwice).toBe(0);
  });

  it("G1/F3: exactly one run reports the completed failover", () => {
    const r = resultOf(results, "5-two-triggers");
    expect(r.failoverResults.filter((x) => x === "completed")).toHaveLength(1);
  });

  // The standby forwards what it accepts to the writer (F1), and every DLQ is redriven (F2).
  it("G1/F1/F2: no acknowledged order is lost or left in a DLQ", () => {
    const r = resultOf(results, "5-two-triggers");
    expect({ lost: r.counts.lost, dlq: r.counts.leftInDlq }).toEqual({ lost: 0, dlq: 0 });
  });
});

describe("game day: the report's X1/X5 fields", () => {
  it.each(["2-failover-caught-up", "3-failover-rpo-window", "5-two-triggers"])(
    "X1/X5: %s leaves no acknowledged order stranded in a reachable Region and no order in one store only",
    (id) => {
      const r = resultOf(results, id);
      expect({ stranded: r.counts.stranded, storeMismatches: r.counts.storeMismatches }).toEqual({
        stranded: 0,
        storeMismatches: 0,
      });
    },
  );
});
