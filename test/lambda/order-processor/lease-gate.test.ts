/**
 * X3: the processor books only while its Region holds the writer lease, read from a real DynamoDB-
 * compatible store (dynalite) that the orchestrator's side (moveLease) writes.
 */
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { moveLease } from "../../../lambda/failover/lease-transfer";
import { DB_DEFAULTS } from "../../../lambda/order-processor/db";
import {
  createLeaseGate,
  LeaseUnconfirmedError,
  NotLeaseHolderError,
} from "../../../lambda/order-processor/lease-gate";
import { readWitness } from "../../../lambda/shared/lease-witness";
import {
  parseWriterLease,
  revocationWaitMs,
  trustMs,
  WRITER_LEASE_DEFAULTS,
  WRITER_LEASE_ENV as K,
  type WriterLeaseSettings,
} from "../../../lambda/shared/writer-lease";
import { createWitness, witnessTableInput } from "../../../gameday/witness-table";
import { startDynamo, type TestDynamo } from "../../../tooling/stores/dynamodb";

let dynamo: TestDynamo;
let n = 0;
const LEASE_MS = 30_000;

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(() => dynamo?.stop());

/** A fresh witness table whose lease `holder` holds. */
async function witness(holder: string): Promise<WriterLeaseSettings> {
  const table = `lease-${++n}`;
  await createWitness(dynamo.client, table, holder);
  return { table, region: "us-east-2", leaseMs: LEASE_MS };
}

/** The gate reading the witness directly (the game day's source). */
const gate = (settings: WriterLeaseSettings, region: string, now?: () => number) =>
  createLeaseGate({
    readLease: () => readWitness(dynamo.doc, settings.table),
    leaseMs: settings.leaseMs,
    region,
    now,
  });

describe("X3: the processor's lease gate", () => {
  it("X3: the holder's Region may book; another Region is refused with the holder named", async () => {
    const settings = await witness("us-east-1");
    await expect(gate(settings, "us-east-1")()).resolves.toBeUndefined();
    const other = gate(settings, "us-west-2")();
    await expect(other).rejects.toThrow(NotLeaseHolderError);
    await expect(other).rejects.toThrow("the writer lease is held by us-east-1, not us-west-2: not booking");
  });

  it("X3: after the orchestrator moves the lease, the old holder stops within a third of the lease and the new one books", async () => {
    const settings = await witness("us-east-1");
    let t = 1_000_000;
    const now = () => t;
    const oldGate = gate(settings, "us-east-1", now);
    const newGate = gate(settings, "us-west-2", now);
    await oldGate();
    expect(await moveLease({ settings, ddb: dynamo.doc }, "us-west-2", t)).toBe(2);
    t += trustMs(LEASE_MS) - 1; // still inside the confirmation it read before the move
    await expect(oldGate()).resolves.toBeUndefined();
    t += 1;
    await expect(oldGate()).rejects.toThrow("held by us-west-2, not us-east-1");
    await expect(newGate()).resolves.toBeUndefined();
  });

  it("X3: a witness that cannot be read refuses the booking (fail closed), and a missing lease item too", async () => {
    const settings = await witness("us-east-1");
    const unreachable = { send: () => Promise.reject(new Error("connect ETIMEDOUT")) };
    const cut = createLeaseGate({
      readLease: () => readWitness(unreachable, settings.table),
      leaseMs: LEASE_MS,
      region: "us-east-1",
    })();
    await expect(cut).rejects.toThrow(LeaseUnconfirmedError);
    await expect(cut).rejects.toThrow(
      "the writer lease could not be confirmed for us-east-1 (connect ETIMEDOUT): not booking",
    );
    const empty = { ...settings, table: `lease-empty-${++n}` };
    await dynamo.client.send(new CreateTableCommand(witnessTableInput(empty.table)));
    await expect(gate(empty, "us-east-1")()).rejects.toThrow(
      "the writer lease is held by nobody, not us-east-1",
    );
  });

  // Every ledger write the old holder starts inside its last confirmation has ended (client query timeout)
  // before the orchestrator's wait is over, so none can land after the promotion.
  it("X3: with the defaults, a confirmation plus the longest ledger write ends before the orchestrator's wait", () => {
    const lease = WRITER_LEASE_DEFAULTS.leaseMs;
    expect(trustMs(lease) + DB_DEFAULTS.queryTimeoutMs).toBeLessThan(revocationWaitMs(lease));
    expect({ trust: trustMs(lease), wait: revocationWaitMs(lease) }).toEqual({ trust: 10_000, wait: 33_000 });
  });
});

describe("X3: the lease settings", () => {
  it("X3: unset table = no fencing; a table without a Region, or a lease out of range, is refused", () => {
    expect(parseWriterLease({})).toBeUndefined();
    expect(parseWriterLease({ [K.table]: "t", [K.region]: "us-east-2" })).toEqual({
      table: "t",
      region: "us-east-2",
      leaseMs: 30_000,
    });
    expect(() => parseWriterLease({ [K.table]: "t" })).toThrow("WRITER_LEASE_REGION is not set");
    expect(() => parseWriterLease({ [K.table]: "t", [K.region]: "us-east-2", [K.leaseMs]: "100" })).toThrow(
      'WRITER_LEASE_MS: expected an integer from 300 to 300000, got "100"',
    );
  });
});
