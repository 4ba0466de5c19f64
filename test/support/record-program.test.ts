/**
 * recordProgram runs the program under process-wide Pulumi state and mocks: runs asked for at the same
 * time must take turns, or one records the other's resources (seen as "the wrong run" from two
 * concurrent runProgram calls in one file).
 */
import { qualified, recordProgram } from "../../tooling/mocks/program-run";

const WITNESS_TABLE = (r: { type: string; name: string }) =>
  r.type === "aws:dynamodb/table:Table" && r.name.endsWith("writer-lease");

describe("recordProgram", () => {
  it("two runs asked for at once each record their own program (writer lease on, and off)", async () => {
    const [on, off] = await Promise.all([
      recordProgram(qualified({}), "dev"),
      recordProgram(qualified({ writerLease: "false" }), "dev"),
    ]);
    expect(on.resources.filter(WITNESS_TABLE)).toHaveLength(1);
    expect(off.resources.filter(WITNESS_TABLE)).toHaveLength(0);
    expect(on.outputs.witnessRegion).toBe("us-east-2");
    expect(off.outputs.witnessRegion).toBeUndefined();
    const names = (run: typeof on) => new Set(run.resources.map((r) => `${r.type} ${r.name}`));
    expect(names(on).size).toBe(on.resources.length);
    expect(names(off).size).toBe(off.resources.length);
  }, 60_000);
});
