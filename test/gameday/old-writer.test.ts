/**
 * Game day, scenario 13 (X3): the old writer's Region is alive but unreachable when the secondary is
 * promoted. Aurora fences the old writer only once it can reach it, and the Region's pooled connections
 * and cached DNS keep reaching it; the writer lease is what stops its processor from booking.
 */
import { keptEveryOrder, resultOf, scenarioSet } from "./scenario-set";

const ID = "13-old-writer-unreachable";
const results = scenarioSet([ID]);

describe("game day: the old writer alive but unreachable", () => {
  it("X3: no order is booked on the old writer after the promotion", () => {
    const r = resultOf(results, ID);
    expect({
      promotions: r.promotions,
      writer: r.writerRegion,
      bookedOnOldWriter: r.bookedOnOldWriter,
    }).toEqual({
      promotions: 1,
      writer: "us-west-2",
      bookedOnOldWriter: 0,
    });
    expect(r.failoverResults[0]).toBe("completed");
  });

  // What the old writer booked between the cut and the lease's move (the RPO window) is re-booked by
  // reconcile from DynamoDB; what the old Region refused to book is forwarded once the partition heals.
  it("X3/X1/X5: no acknowledged order is lost, booked twice, stranded or held by one store only", () => {
    const r = resultOf(results, ID);
    expect(r.counts.acknowledged).toBeGreaterThan(20);
    expect(keptEveryOrder(r)).toEqual({ lost: 0, twice: 0, dlq: 0, stranded: 0, storeMismatches: 0 });
  });

  it("X3: once reachable again the old writer is fenced, and the old Region forwards", () => {
    const r = resultOf(results, ID);
    expect(r.oldWriterFenced).toBe(true);
    expect(r.notes).toContain(
      "after healing: us-east-1 processor off, forwarder on; us-west-2 processor on, forwarder off",
    );
  });
});
