/**
 * X3: before any promotion the orchestrator moves the writer lease (lambda/shared/writer-lease.ts) to the
 * target's Region. From then on the old writer's processor refuses to book within trustMs(leaseMs). For a
 * data-losing failover the orchestrator then waits revocationWaitMs(leaseMs) before FailoverGlobalCluster:
 * Aurora fences the old writer only once it can reach it, so until the wait is over a partitioned old
 * writer may still take a write, which the promotion would strand.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 * A switchover needs no wait: Aurora demotes the (reachable) writer before it promotes the target.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * The write is a plain update with a strongly consistent outcome in the witness's Region; the epoch
 * counts moves for the audit trail.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { LEASE_ATTR, LEASE_KEY, revocationWaitMs, type WriterLeaseSettings } from "../shared/writer-lease";

export interface WriterLease {
  readonly settings: WriterLeaseSettings;
  readonly ddb: Pick<DynamoDBDocumentClient, "send">;
}

/** Names `region` the lease holder and returns the new epoch. */
export async function moveLease(lease: WriterLease, region: string, nowMs: number): Promise<number> {
  const out = await lease.ddb.send(
    new UpdateCommand({
      TableName: lease.settings.table,
      Key: { [LEASE_KEY.name]: LEASE_KEY.value },
      UpdateExpression: "SET #h = :h, #c = :c ADD #e :one",
      ExpressionAttributeNames: {
        "#h": LEASE_ATTR.holder,
        "#c": LEASE_ATTR.changedAt,
        "#e": LEASE_ATTR.epoch,
      },
      ExpressionAttributeValues: { ":h": region, ":c": nowMs, ":one": 1 },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  return Number(out.Attributes?.[LEASE_ATTR.epoch] ?? 0);
}

/** What the orchestrator waits after moving the lease, by mode. */
export const fencingWaitMs = (mode: "switchover" | "failover", lease: WriterLease): number =>
  mode === "failover" ? revocationWaitMs(lease.settings.leaseMs) : 0;
