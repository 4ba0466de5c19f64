/**
 * X3: the processor books only while its Region holds the writer lease (lambda/shared/writer-lease.ts).
 * A confirmation is a strongly consistent read of the witness item, made by whatever `readLease` is (the
 * Region's lease reader in a deploy, lease-source.ts); it is trusted for trustMs(leaseMs) from the moment
 * the read was ASKED for, so however long the answer takes to come back, the trust ends no later than if
 * it had come at once. Anything else (another holder, no item, a reader or witness that fails, times out
 * or is throttled) refuses the ledger write: the batch fails and is retried, nothing is lost, and a
 * partitioned old writer's Region stops booking within a third of the lease, whatever its connections
 * still reach.
 */
import { trustMs, type LeaseReading } from "../shared/writer-lease";

export class NotLeaseHolderError extends Error {
  override readonly name = "NotLeaseHolderError";
}

/** The lease could not be confirmed either way (the reader or the witness failed): not booking. */
export class LeaseUnconfirmedError extends Error {
  override readonly name = "LeaseUnconfirmedError";
}

export interface LeaseGateDeps {
  /** One strongly consistent read of the witness item. */
  readonly readLease: () => Promise<LeaseReading>;
  readonly leaseMs: number;
  /** The processor's own Region. */
  readonly region: string;
  readonly now?: () => number;
}

/** Resolves while this Region holds the lease; throws NotLeaseHolderError or LeaseUnconfirmedError. */
export function createLeaseGate(deps: LeaseGateDeps): () => Promise<void> {
  const now = deps.now ?? Date.now;
  let trustedUntil = 0;
  return async () => {
    if (now() < trustedUntil) return;
    const started = now();
    let reading: LeaseReading;
    try {
      reading = await deps.readLease();
    } catch (err) {
      trustedUntil = 0;
      throw new LeaseUnconfirmedError(
        `the writer lease could not be confirmed for ${deps.region} (${(err as Error).message}): not booking`,
        { cause: err },
      );
    }
    if (reading.holder !== deps.region) {
      trustedUntil = 0;
      throw new NotLeaseHolderError(
        `the writer lease is held by ${reading.holder ?? "nobody"}, not ${deps.region}: not booking`,
      );
    }
    trustedUntil = started + trustMs(deps.leaseMs);
  };
}
