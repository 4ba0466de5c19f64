/**
 * What AWS holds after a failover, a switchover or a failback, produced by the real orchestrator
 * (lambda/failover) running against the stateful per-Region fakes of test/lambda/failover/fakes.ts (each
 * assumption there cites its AWS page), plus what the runbook has an operator do by hand.
 *
 * - A failover is FailoverGlobalCluster with AllowDataLoss while the primary is unhealthy; Aurora adds
 *   the old primary back as a secondary once its Region recovers ("rejoined"), and until then the old
 *   primary is no member at all ("before rejoin").
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-failover.managed-unplanned
 * - A switchover and a failback are SwitchoverGlobalCluster; the orchestrator makes processing follow
 *   the writer (UpdateEventSourceMapping Enabled on the processor's and forwarder's mappings).
 * - After a switchover the operator inverts the primary's Route 53 health check and reverts it on failback
 *   (docs/runbook.md, "Steering traffic").
 */
import { runFailover } from "../../lambda/failover/orchestrator";
import type { FailoverRequest } from "../../lambda/failover/events";
import {
  FakeGlobalCluster,
  harness,
  PRIMARY_ARN,
  PRIMARY_REGION,
  SECONDARY_ARN,
  SECONDARY_REGION,
  settings,
  type Harness,
} from "../lambda/failover/fakes";

export type Role = "primary" | "secondary";
export type Operation = "failover" | "failover-before-rejoin" | "switchover" | "failback";

/** The run-time state of the stack's resources that AWS, the orchestrator or an operator changed. */
export interface AwsAfter {
  readonly writer: Role;
  /** Roles of the clusters that are members of the global database. */
  readonly members: Role[];
  /** Whether each Region's processor and forwarder mappings are enabled. */
  readonly mappings: Record<Role, { readonly processor: boolean; readonly forwarder: boolean }>;
  /** The primary health check's Inverted flag (the runbook's switchover step). */
  readonly primaryHealthCheckInverted: boolean;
}

const ROLE_OF: Record<string, Role> = { [PRIMARY_ARN]: "primary", [SECONDARY_ARN]: "secondary" };
const REGION_OF: Record<Role, string> = { primary: PRIMARY_REGION, secondary: SECONDARY_REGION };

function request(mode: FailoverRequest["mode"]): FailoverRequest {
  return { mode, dryRun: false, trigger: "direct", requestedBy: "drift test" };
}

async function run(h: Harness, mode: FailoverRequest["mode"], target: string): Promise<void> {
  const result = await runFailover(request(mode), settings({ targetClusterArn: target }), h.deps);
  if (!result.ok) throw new Error(`${mode} to ${target} did not complete: ${JSON.stringify(result)}`);
}

/** Runs the operations in order on one fake platform and reads back what AWS shows afterwards. */
export async function awsAfter(operations: Operation[]): Promise<AwsAfter> {
  const h = harness(new FakeGlobalCluster(1));
  let inverted = false;
  let rejoined = true;
  try {
    for (const op of operations) {
      if (op === "switchover") {
        await run(h, "switchover", SECONDARY_ARN);
        inverted = true;
      } else if (op === "failback") {
        await run(h, "switchover", PRIMARY_ARN);
        inverted = false;
      } else {
        // FailoverGlobalCluster is refused while the primary answers healthy (preflight, F3).
        h.fake.clusterStatus[PRIMARY_ARN] = "failed";
        await run(h, "failover", SECONDARY_ARN);
        h.fake.clusterStatus[PRIMARY_ARN] = "available";
        rejoined = op === "failover";
      }
    }
    const writer = ROLE_OF[h.fake.writer];
    const mapping = (role: Role) => ({
      processor: h.intake.stateIn(REGION_OF[role]) === "Enabled",
      forwarder: h.intake.forwarderStateIn(REGION_OF[role]) === "Enabled",
    });
    return {
      writer,
      members: h.fake.members.map((arn) => ROLE_OF[arn]).filter((r) => rejoined || r === writer),
      mappings: { primary: mapping("primary"), secondary: mapping("secondary") },
      primaryHealthCheckInverted: inverted,
    };
  } finally {
    h.restore();
  }
}
