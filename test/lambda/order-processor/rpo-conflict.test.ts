/**
 * X5: conflicting versions of an order across the RPO window of an unplanned failover, against real
 * PostgreSQL and DynamoDB (dynalite). Version A was booked before the fault: its ledger row was lost with
 * Aurora's unreplicated writes, its DynamoDB item replicated. Version B of the same orderId arrives after.
 */
import type { SQSRecord } from "aws-lambda";
import { orderContentHash } from "../../../lambda/order-processor/content-hash";
import type { LedgerRow } from "../../../lambda/order-processor/ledger";
import type { Order } from "../../../lambda/order-processor/order-schema";
import { putOrderState } from "../../../lambda/order-processor/state";
import { reconcileStores } from "../../../lambda/reconcile/reconcile";
import { event, ledgerRows, order, processor, quiet, record, stateItem, useStores } from "./helpers";

const s = useStores();

/** The row the old writer booked for `o`, as its DynamoDB item holds it. */
function rowOf(o: Record<string, unknown>): LedgerRow {
  const contents = o as unknown as Order;
  return {
    ...(contents as Omit<Order, "synthetic">),
    clientTimestamp: new Date(contents.clientTimestamp).toISOString(),
    contentHash: orderContentHash(contents),
    region: "us-east-1",
  };
}

/** Version A in DynamoDB only: what an unplanned failover leaves when A's ledger row was not replicated. */
async function lostFromLedger(): Promise<Record<string, unknown>> {
  const a = order({ quantity: "100" });
  await putOrderState(s.dynamo.doc, s.table, rowOf(a), new Date());
  return a;
}

function parking() {
  const parked: { messageId: string; reason: string }[] = [];
  const parkRejected = async (rejected: readonly { record: SQSRecord; reason: string }[]) => {
    for (const r of rejected) parked.push({ messageId: r.record.messageId, reason: r.reason });
    return new Set(rejected.map((r) => r.record.messageId));
  };
  return { parked, parkRejected };
}

describe("X5: conflicts across the RPO window are refused, never split", () => {
  it("X5: version B of an order whose version A survives only in DynamoDB is parked as a conflict, counted, and DynamoDB keeps A", async () => {
    const a = await lostFromLedger();
    const b = record({ ...a, quantity: "250" });
    const { parked, parkRejected } = parking();
    const { handler, metrics, entries } = processor(s.db, s.dynamo.doc, s.table, { parkRejected });

    await expect(handler(event(b))).resolves.toEqual({ batchItemFailures: [] }); // parked = processed

    expect(parked).toHaveLength(1);
    expect(parked[0].messageId).toBe(b.messageId);
    expect(parked[0].reason).toContain(`order ${a.orderId as string} conflicts`);
    expect(parked[0].reason).toContain(orderContentHash(a as unknown as Order));
    expect(parked[0].reason).toContain("DynamoDB holds the other version");
    expect(metrics).toMatchObject({ OrdersConflicting: 1, OrdersProcessed: 0, OrdersDuplicate: 0 });
    expect(entries.some((e) => e.level === "error" && e.message.startsWith("order conflict"))).toBe(true);
    expect(await stateItem(s.dynamo.doc, s.table, a.orderId as string)).toMatchObject({ quantity: "100" });
  });

  it("X5: the redelivered version A itself is booked into the ledger and DynamoDB stays as it was", async () => {
    const a = await lostFromLedger();
    const { handler, metrics } = processor(s.db, s.dynamo.doc, s.table);

    await expect(handler(event(record(a)))).resolves.toEqual({ batchItemFailures: [] });

    expect(metrics).toMatchObject({ OrdersProcessed: 1, OrdersConflicting: 0 });
    const [row] = await ledgerRows(s.db, [a.orderId as string]);
    expect(row).toMatchObject({ quantity: "100", content_hash: orderContentHash(a as unknown as Order) });
  });

  it("X5: putOrderState reports the stored hash of another version instead of success", async () => {
    const a = await lostFromLedger();
    const b = rowOf({ ...a, quantity: "250" });

    await expect(putOrderState(s.dynamo.doc, s.table, b, new Date())).resolves.toEqual({
      conflict: orderContentHash(a as unknown as Order),
    });
    await expect(putOrderState(s.dynamo.doc, s.table, rowOf(a), new Date())).resolves.toBe("exists");
  });

  it("X5: reconcile run after B reached the ledger lists the order as a conflict; neither store is overwritten", async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const a = await lostFromLedger();
    const { handler } = processor(s.db, s.dynamo.doc, s.table, parking());
    await handler(event(record({ ...a, quantity: "250" })));

    const report = await reconcileStores(
      { db: s.db, ddb: s.dynamo.doc, tableName: s.table, region: "us-west-2", logger: quiet },
      { sinceIso: since, dryRun: false },
    );

    expect(report.details.filter((d) => d.orderId === a.orderId)).toEqual([
      { orderId: a.orderId, action: "conflict: contents differ; left as is" },
    ]);
    expect((await ledgerRows(s.db, [a.orderId as string]))[0]).toMatchObject({ quantity: "250" });
    expect(await stateItem(s.dynamo.doc, s.table, a.orderId as string)).toMatchObject({ quantity: "100" });
  });
});
