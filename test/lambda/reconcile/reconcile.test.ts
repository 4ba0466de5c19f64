/**
 * F2: reconciliation after a data-losing failover, against real PostgreSQL and DynamoDB (dynalite), and
 * through the CLI entry point (scripts/reconcile.ts) with the same stores.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { insertOrders } from "../../../lambda/order-processor/ledger";
import type { Order } from "../../../lambda/order-processor/order-schema";
import { putOrderState, toItem } from "../../../lambda/order-processor/state";
import { reconcileStores } from "../../../lambda/reconcile/reconcile";
import { orderContentHash } from "../../../lambda/order-processor/content-hash";
import type { LedgerRow } from "../../../lambda/order-processor/ledger";
import { main } from "../../../scripts/reconcile";
import { ledgerRows, recordingLogger, uid, useStores } from "../order-processor/helpers";

const stores = useStores();

const NEW_WRITER = "us-west-2";

function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: `o-${uid()}`,
    account: `acct-${uid()}`,
    symbol: "AAPL",
    side: "BUY",
    quantity: "10",
    orderType: "LIMIT",
    limitPrice: "187.25",
    clientTimestamp: "2025-01-01T10:00:00.000+02:00",
    ...overrides,
  };
}

const entry = (order: Order) => ({ order, contentHash: orderContentHash(order), messageId: "m" });
/** The row the processor would have booked, as DynamoDB holds it (canonical UTC time). */
function rowOf(order: Order, region = "us-east-1"): LedgerRow {
  return {
    orderId: order.orderId,
    account: order.account,
    symbol: order.symbol,
    side: order.side,
    quantity: order.quantity,
    orderType: order.orderType,
    ...(order.limitPrice === undefined ? {} : { limitPrice: order.limitPrice }),
    clientTimestamp: new Date(order.clientTimestamp).toISOString(),
    contentHash: orderContentHash(order),
    region,
  };
}

function deps() {
  return {
    db: stores.db,
    ddb: stores.dynamo.doc,
    tableName: stores.table,
    region: NEW_WRITER,
    logger: recordingLogger().logger,
  };
}

describe("F2: reconcile the ledger and DynamoDB", () => {
  it("F2: re-books orders missing from the ledger with the same id and contents, rewrites missing items, leaves conflicts, counts each", async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const lostFromLedger = anOrder(); // booked before the failover; its ledger row was not replicated
    const lostFromTable = anOrder({ orderType: "MARKET", limitPrice: undefined, side: "SELL" });
    const both = anOrder();
    const conflicting = anOrder();
    const now = new Date();
    await putOrderState(stores.dynamo.doc, stores.table, rowOf(lostFromLedger), now);
    await insertOrders(stores.db, [entry(lostFromTable)], "us-east-1");
    await insertOrders(stores.db, [entry(both)], "us-east-1");
    await putOrderState(stores.dynamo.doc, stores.table, rowOf(both), now);
    await insertOrders(stores.db, [entry(conflicting)], "us-east-1");
    await stores.dynamo.doc.send(
      new PutCommand({
        TableName: stores.table,
        Item: toItem(rowOf({ ...conflicting, quantity: "11" }), now),
      }),
    );

    const dry = await reconcileStores(deps(), { sinceIso: since, dryRun: true });
    expect(dry).toMatchObject({ rebookedIntoLedger: 1, rewrittenIntoTable: 1, conflicts: 1, dryRun: true });
    expect(await ledgerRows(stores.db, [lostFromLedger.orderId])).toHaveLength(0); // a dry run changes nothing

    const report = await reconcileStores(deps(), { sinceIso: since, dryRun: false });
    expect(report).toMatchObject({
      rebookedIntoLedger: 1,
      rewrittenIntoTable: 1,
      conflicts: 1,
      unreadable: 0,
    });
    expect(report.details).toEqual(
      expect.arrayContaining([
        { orderId: conflicting.orderId, action: "conflict: contents differ; left as is" },
        { orderId: lostFromLedger.orderId, action: "re-booked into the ledger" },
        { orderId: lostFromTable.orderId, action: "rewritten into DynamoDB" },
      ]),
    );
    const [row] = await ledgerRows(stores.db, [lostFromLedger.orderId]);
    expect(row).toMatchObject({
      order_id: lostFromLedger.orderId,
      account: lostFromLedger.account,
      symbol: "AAPL",
      side: "BUY",
      quantity: "10",
      order_type: "LIMIT",
      limit_price: "187.25000000", // numeric(…, 8) as the ledger stores it
      sqs_message_id: null,
      region: NEW_WRITER,
    });
    expect(new Date(row.client_ts as Date).toISOString()).toBe("2025-01-01T08:00:00.000Z");
    const item = await stores.dynamo.doc.send(
      new GetCommand({ TableName: stores.table, Key: { orderId: lostFromTable.orderId } }),
    );
    expect(item.Item).toMatchObject({
      side: "SELL",
      orderType: "MARKET",
      quantity: "10",
      region: "us-east-1",
    });
    const [kept] = await ledgerRows(stores.db, [conflicting.orderId]);
    expect(kept.quantity).toBe("10");

    // Idempotent: a second run finds nothing missing.
    const again = await reconcileStores(deps(), { sinceIso: since, dryRun: false });
    expect(again).toMatchObject({ rebookedIntoLedger: 0, rewrittenIntoTable: 0, conflicts: 1 });
  });

  it("F2: an item whose contents are not a valid order is reported, never booked", async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const bad = { ...toItem(rowOf(anOrder()), new Date()), quantity: "-5" };
    await stores.dynamo.doc.send(new PutCommand({ TableName: stores.table, Item: bad }));
    const report = await reconcileStores(deps(), { sinceIso: since, dryRun: false });
    expect(report.unreadable).toBe(1);
    expect(await ledgerRows(stores.db, [bad.orderId])).toHaveLength(0);
  });

  it("F2: the CLI runs the same reconciliation, prints the report and exits 1 on conflicts, 2 on bad usage", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const since = new Date(Date.now() - 1_000).toISOString();
    const missing = anOrder();
    await putOrderState(stores.dynamo.doc, stores.table, rowOf(missing), new Date());
    // The CLI ends its database when done; the shared pool stays open behind a plain query function.
    const cliStores = () => ({
      db: { query: stores.db.query.bind(stores.db) },
      ddb: stores.dynamo.doc,
    });
    const cli = (argv: string[]) =>
      main(argv, {
        env: { AWS_REGION: NEW_WRITER },
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        stores: cliStores,
      });

    expect(await cli(["--since", "yesterday-ish", "--table", stores.table])).toBe(2);
    expect(err.join("\n")).toMatch(/--since: "yesterday-ish" is not a date-time/);
    expect(await cli(["--since", since, "--dry-run"])).toBe(2); // no table
    expect(await cli(["--since", since, "--dry-run", "--table", stores.table])).toBe(1); // the invalid item above
    const dry = JSON.parse(out.at(-1)!) as { dryRun: boolean; rebookedIntoLedger: number };
    expect(dry).toMatchObject({ dryRun: true, rebookedIntoLedger: 1 });
    expect(await ledgerRows(stores.db, [missing.orderId])).toHaveLength(0);
  });
});
