/**
 * The batch handler against real stores: PostgreSQL (DATABASE_URL or embedded) and dynalite.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { orderContentHash } from "../../../lambda/order-processor/content-hash";
import type { Database } from "../../../lambda/order-processor/db";
import type { Order } from "../../../lambda/order-processor/order-schema";
import type { TestDynamo } from "../../../tooling/stores/dynamodb";
import type { TestDatabase } from "../../../tooling/stores/postgres";
import {
  countingSql,
  event,
  failedIds,
  isoWithOffset,
  ledgerRows,
  order,
  processor,
  record,
  REGION,
  startStores,
  stateItem,
  stopStores,
  throttlingPuts,
  uid,
} from "./helpers";

let pg: TestDatabase;
let dynamo: TestDynamo;
let db: Database;
let table: string;

beforeAll(async () => {
  ({ pg, dynamo, table, db } = await startStores());
});

afterAll(() => stopStores({ pg, dynamo, db }));

describe("order processor against PostgreSQL and DynamoDB", () => {
  it("P6: a valid batch is booked in the ledger and in DynamoDB with every value", async () => {
    const { handler, metrics } = processor(db, dynamo.doc, table);
    const account = `acct-${uid()}`;
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 2000);
    const market = order({
      account,
      side: "SELL",
      quantity: "1000000000",
      clientTimestamp: at.toISOString(),
    });
    const lim = order({
      account,
      orderType: "LIMIT",
      limitPrice: "187.250",
      symbol: "BRK.B",
      clientTimestamp: isoWithOffset(new Date(at.getTime() + 500), 120),
    });
    const records = [record(market), record(lim)];
    const before = Date.now();

    await expect(handler(event(...records))).resolves.toEqual({ batchItemFailures: [] });

    const rows = await ledgerRows(db, [market.orderId as string, lim.orderId as string]);
    const byId = Object.fromEntries(rows.map((r) => [r.order_id, r]));
    expect(byId[market.orderId as string]).toMatchObject({
      account,
      symbol: "AAPL",
      side: "SELL",
      quantity: "1000000000", // bigint comes back as a string
      order_type: "MARKET",
      limit_price: null,
      client_ts: at,
      content_hash: orderContentHash({ ...(market as Order), clientTimestamp: at.toISOString() }),
      sqs_message_id: records[0].messageId,
      region: REGION,
    });
    expect(byId[lim.orderId as string]).toMatchObject({
      symbol: "BRK.B",
      order_type: "LIMIT",
      limit_price: "187.25000000", // numeric(18,8)
      client_ts: new Date(at.getTime() + 500),
      sqs_message_id: records[1].messageId,
    });
    expect((byId[lim.orderId as string].received_at as Date).getTime()).toBeGreaterThan(before - 5000);

    const item = await stateItem(dynamo.doc, table, market.orderId as string);
    expect(item).toEqual({
      orderId: market.orderId,
      account,
      symbol: "AAPL",
      side: "SELL",
      quantity: "1000000000",
      orderType: "MARKET",
      clientTimestamp: at.toISOString(),
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      status: "ACCEPTED",
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      region: REGION,
    });
    expect(await stateItem(dynamo.doc, table, lim.orderId as string)).toMatchObject({
      orderType: "LIMIT",
      limitPrice: "187.25",
      clientTimestamp: new Date(at.getTime() + 500).toISOString(), // UTC, whatever offset it was sent with
    });
    // The attributes feed the account-index GSI (account + clientTimestamp).
    const byAccount = await dynamo.doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: "account-index",
        KeyConditionExpression: "account = :a",
        ExpressionAttributeValues: { ":a": account },
      }),
    );
    expect(byAccount.Items?.map((i) => i.orderId).sort()).toEqual([market.orderId, lim.orderId].sort());
    expect(metrics).toMatchObject({
      OrdersProcessed: 2,
      OrdersDuplicate: 0,
      OrdersRejected: 0,
      OrdersFailed: 0,
    });
  });

  it("P5: a mixed batch fails only the malformed messages, each logged with its messageId and reason", async () => {
    const expedited: string[] = [];
    const { handler, entries, metrics } = processor(db, dynamo.doc, table, {
      changeVisibility: async (cs) =>
        void expedited.push(...cs.filter((c) => c.seconds === 0).map((c) => c.record.messageId)),
    });
    const good = [order(), order({ orderType: "LIMIT", limitPrice: "1" })];
    const bad = {
      json: record("{not json"),
      unknown: record({ ...order(), price: 3 }),
      limitNoPrice: record(order({ orderType: "LIMIT" })),
      marketWithPrice: record(order({ limitPrice: "3" })),
      symbol: record(order({ symbol: "aapl" })),
      quantity: record(order({ quantity: "0" })),
    };
    const failures = await failedIds(handler, event(...good.map((o) => record(o)), ...Object.values(bad)));

    expect(failures).toEqual(
      Object.values(bad)
        .map((r) => r.messageId)
        .sort(),
    );
    expect(
      await ledgerRows(
        db,
        good.map((o) => o.orderId as string),
      ),
    ).toHaveLength(2);
    const reasons = Object.fromEntries(
      entries
        .filter((e) => e.level === "error")
        .map((e) => [e.extra.messageId as string, e.extra.reason as string]),
    );
    expect(reasons[bad.json.messageId]).toMatch(/^body: Invalid JSON/);
    expect(reasons[bad.unknown.messageId]).toMatch(/Unrecognized key: "price"/);
    expect(reasons[bad.limitNoPrice.messageId]).toBe("limitPrice: is required when orderType is LIMIT");
    expect(reasons[bad.marketWithPrice.messageId]).toBe(
      "limitPrice: is not allowed when orderType is MARKET",
    );
    expect(reasons[bad.symbol.messageId]).toMatch(/^symbol: /);
    expect(reasons[bad.quantity.messageId]).toMatch(/^quantity: /);
    expect(metrics).toMatchObject({ OrdersProcessed: 2, OrdersRejected: 6 });
    // Only the rejected messages are sped towards the DLQ.
    expect(expedited.sort()).toEqual(failures);
  });

  it("P6: a duplicate delivery (the same message redelivered) never creates a second order", async () => {
    const { handler, metrics } = processor(db, dynamo.doc, table);
    const o = order();
    const msg = record(o);
    await expect(handler(event(msg))).resolves.toEqual({ batchItemFailures: [] });
    const first = await stateItem(dynamo.doc, table, o.orderId as string);

    await expect(handler(event(msg))).resolves.toEqual({ batchItemFailures: [] });
    // A resend: same order, new message.
    await expect(handler(event(record(o)))).resolves.toEqual({ batchItemFailures: [] });

    const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM orders WHERE order_id = $1", [
      o.orderId,
    ]);
    expect(rows[0].n).toBe("1");
    expect((await ledgerRows(db, [o.orderId as string]))[0].sqs_message_id).toBe(msg.messageId);
    expect(await stateItem(dynamo.doc, table, o.orderId as string)).toEqual(first); // not overwritten
    expect(metrics).toMatchObject({ OrdersProcessed: 1, OrdersDuplicate: 2 });
  });

  it("P6: the same orderId twice in one batch is booked once and both messages succeed", async () => {
    const { handler, metrics } = processor(db, dynamo.doc, table);
    const o = order();
    const other = order();
    const res = await handler(event(record(o), record(other), record(o)));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(await ledgerRows(db, [o.orderId as string, other.orderId as string])).toHaveLength(2);
    expect(metrics).toMatchObject({ OrdersProcessed: 2, OrdersDuplicate: 1 });
  });

  it("P6: a synthetic order is validated and counted but never booked", async () => {
    const { handler, entries, metrics } = processor(db, dynamo.doc, table);
    const synthetic = order({ synthetic: true });
    const badSynthetic = record(order({ synthetic: true, side: "HOLD" }));
    const failures = await failedIds(handler, event(record(synthetic), badSynthetic));

    expect(failures).toEqual([badSynthetic.messageId]); // validated like any other
    expect(await ledgerRows(db, [synthetic.orderId as string])).toEqual([]);
    expect(await stateItem(dynamo.doc, table, synthetic.orderId as string)).toBeUndefined();
    expect(metrics).toMatchObject({ SyntheticOrders: 1, OrdersProcessed: 0, OrdersRejected: 1 });
    expect(
      entries.some((e) => e.message.includes("synthetic") && e.extra.orderId === synthetic.orderId),
    ).toBe(true);
  });

  it("P6: DynamoDB throttling fails only the throttled orders, and their retry completes them exactly once", async () => {
    const throttled = new Set<string>();
    const flaky = throttlingPuts(dynamo.doc, (id) => throttled.has(id));
    const { handler, entries, metrics } = processor(db, flaky, table);
    const orders = [order(), order(), order(), order()];
    const records = orders.map((o) => record(o));
    throttled.add(orders[1].orderId as string);
    throttled.add(orders[3].orderId as string);

    const res = await handler(event(...records));

    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [records[1].messageId, records[3].messageId].sort(),
    );
    expect(await stateItem(dynamo.doc, table, orders[1].orderId as string)).toBeUndefined();
    expect(await stateItem(dynamo.doc, table, orders[0].orderId as string)).toBeDefined();
    // The ledger was written first; the failed messages say so.
    expect(
      await ledgerRows(
        db,
        orders.map((o) => o.orderId as string),
      ),
    ).toHaveLength(4);
    const failure = entries.find((e) => e.extra.orderId === orders[1].orderId && e.level === "error");
    expect(failure?.extra).toMatchObject({
      bookedInLedger: true,
      reason: expect.stringContaining("ProvisionedThroughputExceededException"),
    });

    throttled.clear();
    await expect(handler(event(records[1], records[3]))).resolves.toEqual({ batchItemFailures: [] });
    expect(await stateItem(dynamo.doc, table, orders[3].orderId as string)).toMatchObject({
      status: "ACCEPTED",
    });
    expect(
      await ledgerRows(
        db,
        orders.map((o) => o.orderId as string),
      ),
    ).toHaveLength(4);
    // Completing a half-done order counts as processing it, not as a duplicate.
    expect(metrics).toMatchObject({ OrdersProcessed: 4, OrdersDuplicate: 0, OrdersFailed: 2 });
  });

  it("P6: a row the database refuses fails only its own message, not the rest of its batch", async () => {
    const admin = await pg.admin();
    // Simulates drift: the ledger is stricter than the processor's schema.
    await admin.query("ALTER TABLE orders ADD CONSTRAINT test_no_poison CHECK (symbol <> 'POISON')");
    try {
      const { handler, entries } = processor(db, dynamo.doc, table);
      const ok = [order(), order()];
      const poison = record(order({ symbol: "POISON" }));
      const failures = await failedIds(handler, event(record(ok[0]), poison, record(ok[1])));
      expect(failures).toEqual([poison.messageId]);
      expect(
        await ledgerRows(
          db,
          ok.map((o) => o.orderId as string),
        ),
      ).toHaveLength(2);
      expect(entries.find((e) => e.message === "order rejected by the ledger")?.extra.reason).toMatch(
        /test_no_poison/,
      );
    } finally {
      await admin.query("ALTER TABLE orders DROP CONSTRAINT test_no_poison");
    }
  });

  it("P6: the ledger write is one database round trip per batch, whatever its size", async () => {
    const counted = countingSql(db);
    const { handler } = processor(counted, dynamo.doc, table);
    for (const size of [1, 10, 100]) {
      counted.count = 0;
      const records = Array.from({ length: size }, () => record(order()));
      await expect(handler(event(...records))).resolves.toEqual({ batchItemFailures: [] });
      expect([size, counted.count]).toEqual([size, 1]);
    }
  });

  it("P6: the ledger's CHECK constraints mirror the schema", async () => {
    const admin = await pg.admin();
    const insert = (cols: Record<string, unknown>) => {
      const row = {
        order_id: `chk-${uid()}`,
        account: "a",
        symbol: "A",
        side: "BUY",
        quantity: 1,
        order_type: "MARKET",
        limit_price: null,
        client_ts: "2024-01-01T00:00:00Z",
        content_hash: "0".repeat(64),
        ...cols,
      };
      const keys = Object.keys(row);
      return admin.query(
        `INSERT INTO orders (${keys.join(",")}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(",")})`,
        Object.values(row),
      );
    };
    await expect(insert({})).resolves.toBeDefined();
    for (const bad of [
      { side: "HOLD" },
      { quantity: 0 },
      { quantity: 1_000_000_001 },
      { symbol: "aapl" },
      { order_id: "bad id" },
      { account: "x".repeat(33) },
      { order_type: "LIMIT" },
      { limit_price: 5 },
      { order_type: "LIMIT", limit_price: 0 },
      { content_hash: "not-a-hash" },
    ]) {
      await expect(insert(bad)).rejects.toMatchObject({ code: "23514" });
    }
  });
});
