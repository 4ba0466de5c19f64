/**
 * Game day, scenarios 9 and 10 (issue 22, Deliver 8): a promotion that outlasts the orchestrator's
 * budget, finished by the scheduled convergence alone (X6); conflicting versions of one order across the
 * RPO window, the later one refused and parked (X5).
 */
import { keptEveryOrder, resultOf, scenarioSet } from "./scenario-set";

const results = scenarioSet(["9-promotion-over-budget", "10-conflict-rpo-window"]);

describe("game day: a promotion that outlasts the orchestrator's budget", () => {
  it("X6: the alarm's run times out while Aurora promotes; a scheduled convergence run finishes the job", () => {
    const r = resultOf(results, "9-promotion-over-budget");
    expect(r.failoverResults).toEqual(["timed-out", "converged"]);
    expect({ promotions: r.promotions, writer: r.writerRegion, fenced: r.oldWriterFenced }).toEqual({
      promotions: 1,
      writer: "us-west-2",
      fenced: true,
    });
  });

  it("X6: with no person, processing follows the writer: the new writer's processor on, the old Region forwarding", () => {
    const r = resultOf(results, "9-promotion-over-budget");
    expect(r.notes).toContain(
      "after convergence: us-east-1 processor off, forwarder on; us-west-2 processor on, forwarder off",
    );
  });

  it("X1/X6: every acknowledged order is booked once; nothing stranded or left in a DLQ, nothing in one store only", () => {
    const r = resultOf(results, "9-promotion-over-budget");
    expect(r.counts.acknowledged).toBeGreaterThan(20);
    expect(keptEveryOrder(r)).toEqual({ lost: 0, twice: 0, dlq: 0, stranded: 0, storeMismatches: 0 });
  });
});

describe("game day: conflicting versions of one order across the RPO window", () => {
  it("X5: version A (lost from Aurora, kept in DynamoDB) is reconciled back; version B, accepted after, is refused and parked", () => {
    const r = resultOf(results, "10-conflict-rpo-window");
    expect(r.failoverResults).toEqual(["completed"]);
    expect(r.notes).toEqual(
      expect.arrayContaining([
        "version A in the standby's DynamoDB replica: yes",
        "version B acknowledged by us-west-2",
        "ledger holds version A",
        "DynamoDB holds version A",
        "stores agree on the content hash: yes",
      ]),
    );
    // The orchestrator reconciled before the new writer's processor booked anything: A among what it re-booked.
    expect(r.notes.join("\n")).toMatch(
      /orchestrator's reconcile: since .*: [1-9]\d* re-booked into the ledger/,
    );
    expect(r.recoveredByReconcile).toBeGreaterThanOrEqual(1);
    const parked = r.notes.filter((n) => n.startsWith("parked "));
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatch(
      /^parked gd-conflict-\d+: order gd-conflict-\d+ conflicts with the booked order of that id/,
    );
  });

  it("X5/X1: no order in one store only, nothing booked twice, stranded or left in a DLQ; lost only what the dead Region's queue holds", () => {
    const r = resultOf(results, "10-conflict-rpo-window");
    expect({
      storeMismatches: r.counts.storeMismatches,
      twice: r.counts.bookedTwice,
      stranded: r.counts.stranded,
      dlq: r.counts.leftInDlq,
      lostButInDynamo: r.counts.lostButInDynamo,
    }).toEqual({ storeMismatches: 0, twice: 0, stranded: 0, dlq: 0, lostButInDynamo: 0 });
    expect(r.counts.heldInDownRegion).toBe(r.counts.lost);
  });
});
