/**
 * X3: the processor books only while its Region holds the writer lease (lambda/shared/writer-lease.ts).
 * A confirmation is a strongly consistent read of the witness item; it is trusted for trustMs(leaseMs)
 * from the moment the read started. Anything else (another holder, no item, the witness unreachable)
 * refuses the ledger write: the batch fails and is retried, nothing is lost, and a partitioned old
 * writer's Region stops booking within a third of the lease, whatever its connections still reach.
 */
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { LEASE_ATTR, LEASE_KEY, trustMs, type WriterLeaseSettings } from "../shared/writer-lease";

export class NotLeaseHolderError extends Error {
  override readonly name = "NotLeaseHolderError";
}

export interface LeaseGateDeps {
  readonly ddb: Pick<DynamoDBDocumentClient, "send">;
  readonly settings: WriterLeaseSettings;
  /** The processor's own Region. */
  readonly region: string;
  readonly now?: () => number;
}

/** Resolves while this Region holds the lease; throws NotLeaseHolderError (or the read's error) otherwise. */
export function createLeaseGate(deps: LeaseGateDeps): () => Promise<void> {
  const now = deps.now ?? Date.now;
  let trustedUntil = 0;
  return async () => {
    if (now() < trustedUntil) return;
    const started = now();
    const out = await deps.ddb.send(
      new GetCommand({
        TableName: deps.settings.table,
        Key: { [LEASE_KEY.name]: LEASE_KEY.value },
        ConsistentRead: true,
      }),
    );
    const holder: unknown = out.Item?.[LEASE_ATTR.holder];
    if (holder !== deps.region) {
      trustedUntil = 0;
      throw new NotLeaseHolderError(
        `the writer lease is held by ${typeof holder === "string" ? holder : "nobody"}, not ${deps.region}: not booking`,
      );
    }
    trustedUntil = started + trustMs(deps.settings.leaseMs);
  };
}
