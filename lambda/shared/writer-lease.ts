/**
 * X3 fencing: the writer lease. One item in a witness table (a plain, single-Region DynamoDB table in a
 * third Region) names the Region whose order processor may book. The processor books only while it holds
 * the lease (lambda/order-processor/lease-gate.ts); the failover orchestrator moves the lease to the
 * target BEFORE it promotes, and for a data-losing failover waits out the lease first
 * (lambda/failover/lease-transfer.ts). Aurora fences the old writer only once it can reach it, and pooled
 * connections or cached DNS keep reaching it meanwhile, so the lease, not Aurora, is what stops a
 * partitioned old writer's Region from booking.
 * - Strongly consistent reads and conditional writes hold within one Region's table; a global table is
 *   eventually consistent across Regions, so the witness is a regional table:
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
 * Timing: a grant is trusted for leaseMs / 3 from the moment its read STARTED; a ledger write started
 * inside it ends within the processor's query timeout (lambda/order-processor/db.ts); the orchestrator
 * waits leaseMs + skew after moving the lease. So every booking of the old holder ends before the
 * promotion starts, as long as leaseMs / 3 + query timeout < leaseMs (checked by a test).
 * Imports nothing from the SDK: lib/ imports the keys.
 */
import { intFromEnv, optionalEnv, type Env } from "./env";

export const WRITER_LEASE_ENV = {
  /**
   * The witness table's name; unset = no fencing (tap:writerLease false: the runbook's manual stop-writes
   * step is then the fence). lib/data/writer-witness.ts deploys the witness.
   */
  table: "WRITER_LEASE_TABLE",
  /** The witness table's Region: neither of the two processing Regions. */
  region: "WRITER_LEASE_REGION",
  /** How long a lease outlives its last confirmation, ms. */
  leaseMs: "WRITER_LEASE_MS",
  /**
   * The order processor's: the name of its Region's lease reader (lambda/lease-reader), which reads the
   * witness for it. The processor runs in a VPC with no path to another Region's DynamoDB, so it never
   * gets the table keys in a deploy (lib/data/writer-witness.ts says why).
   */
  reader: "WRITER_LEASE_READER",
} as const;

/** The keys each side is deployed with (lib/ writes them with toEnvironment): */
const K = WRITER_LEASE_ENV;
/** the failover orchestrator: it moves the lease and waits it out. */
export const ORCHESTRATOR_LEASE_ENV = { table: K.table, region: K.region, leaseMs: K.leaseMs } as const;
/** the lease reader: it reads the witness. */
export const READER_LEASE_ENV = { table: K.table, region: K.region } as const;
/** the order processor: it asks its reader and trusts a third of the lease. */
export const PROCESSOR_LEASE_ENV = { reader: K.reader, leaseMs: K.leaseMs } as const;

export const WRITER_LEASE_DEFAULTS = {
  /** 30 s: three confirmations per lease, each able to cover a ledger write of up to its 7 s timeout. */
  leaseMs: 30_000,
} as const;

/**
 * The processor's count of ledger writes it refused for the lease (not the holder, or not confirmed),
 * under its metrics namespace and service (lib/orders/order-processor.ts alarms on it).
 */
export const LEASE_METRIC = "LeaseRefusals";

/** The witness item's key attribute and value, and the attributes the two sides read and write. */
export const LEASE_KEY = { name: "lease", value: "order-writer" } as const;
export const LEASE_ATTR = { holder: "holder", epoch: "epoch", changedAt: "changedAt" } as const;

export interface WriterLeaseSettings {
  readonly table: string;
  readonly region: string;
  readonly leaseMs: number;
}

/** The lease settings, or undefined when fencing is not configured; bad values throw. */
export function parseWriterLease(env: Env): WriterLeaseSettings | undefined {
  const table = optionalEnv(env, WRITER_LEASE_ENV.table);
  if (!table) return undefined;
  const region = optionalEnv(env, WRITER_LEASE_ENV.region);
  if (!region) throw new Error(`${WRITER_LEASE_ENV.region} is not set (${WRITER_LEASE_ENV.table} is)`);
  return { table, region, leaseMs: parseLeaseMs(env) };
}

/** What the lease reader answers: the witness item's holder and epoch, null when there is no item. */
export interface LeaseReading {
  readonly holder: string | null;
  readonly epoch: number | null;
}

/** Where the processor confirms the lease: through its Region's reader function, or (the game day,
 *  local runs) straight from the witness table. */
export type LeaseSource =
  | { readonly kind: "reader"; readonly functionName: string; readonly leaseMs: number }
  | { readonly kind: "witness"; readonly settings: WriterLeaseSettings };

/** The processor's lease source, or undefined when fencing is not configured; bad values throw. */
export function parseLeaseSource(env: Env): LeaseSource | undefined {
  const functionName = optionalEnv(env, WRITER_LEASE_ENV.reader);
  const direct = parseWriterLease(env);
  if (functionName && direct) {
    throw new Error(`set ${WRITER_LEASE_ENV.reader} or ${WRITER_LEASE_ENV.table}, not both`);
  }
  if (direct) return { kind: "witness", settings: direct };
  if (!functionName) return undefined;
  return { kind: "reader", functionName, leaseMs: parseLeaseMs(env) };
}

function parseLeaseMs(env: Env): number {
  return intFromEnv(env, WRITER_LEASE_ENV.leaseMs, WRITER_LEASE_DEFAULTS.leaseMs, 300, 300_000);
}

/** How long a processor trusts a confirmation, counted from the start of the read that gave it. */
export const trustMs = (leaseMs: number): number => Math.floor(leaseMs / 3);

/**
 * How long the orchestrator waits after moving the lease before a data-losing promotion: the lease and a
 * tenth more for a stalled event loop or clock-rate drift between the two functions (3 s by default).
 */
export const revocationWaitMs = (leaseMs: number): number => leaseMs + Math.ceil(leaseMs / 10);
