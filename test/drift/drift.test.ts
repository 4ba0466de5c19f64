/**
 * M1: `pulumi up` (with refresh) after a failover, a switchover or a failback changes nothing that AWS,
 * the failover orchestrator or an operator owns. The refreshed state comes from the real orchestrator
 * against the failover fakes (aws-after.ts); the program runs under the mocks with AWS showing the
 * writer where the operation left it.
 */
import { runProgram } from "../program";
import { awsAfter, type Operation } from "./aws-after";
import { refreshedState } from "./refreshed-state";
import { updateDiff } from "./update-diff";

const STACK = "tap-dev";

const SCENARIOS: [string, Operation[]][] = [
  ["a failover (the old primary rejoined)", ["failover"]],
  ["a failover (the old primary back, not yet rejoined)", ["failover-before-rejoin"]],
  ["a switchover", ["switchover"]],
  ["a switchover and a failback", ["switchover", "failback"]],
  ["a failover and a failback", ["failover", "failback"]],
];

describe("M1: an update after refresh never undoes a failover, a switchover or a failback", () => {
  it.each(SCENARIOS)(
    "M1: after %s, pulumi up --refresh changes nothing",
    async (_name, operations) => {
      const deployed = await runProgram();
      const after = await awsAfter(operations);
      const program = await runProgram({}, "dev", {
        aurora: { writer: after.writer, members: after.members },
      });
      expect(updateDiff(program.resources, refreshedState(STACK, deployed.resources, after))).toEqual([]);
    },
    120_000,
  );
});
