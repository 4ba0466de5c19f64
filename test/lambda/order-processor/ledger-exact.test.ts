/**
 * Issue 12: the order ledger is exact (L1-L5), against real PostgreSQL (DATABASE_URL or embedded) and
 * dynalite, with faults injected around them.
 */
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ACCEPTED_AT_ATTRIBUTE } from "../../../lambda/order-authorizer/contract";
import { receivedAt } from "../../../lambda/order-processor/batch";
import { bookOrders } from "../../../lambda/order-processor/booking";
import { orderContentHash } from "../../../lambda/order-processor/content-hash";
import { Database, DB_DEFAULTS } from "../../../lambda/order-processor/db";
import { FAILED_VISIBILITY, type VisibilityChange } from "../../../lambda/order-processor/expedite";
import { insertOrders, LEDGER_RETRY, type LedgerEntry } from "../../../lambda/order-processor/ledger";
import { MIGRATIONS, applyMigrations } from "../../../lambda/order-processor/migrations";
import { OrderSchema, type Order } from "../../../lambda/order-processor/order-schema";
import { CLOCK_SKEW } from "../../../lambda/order-processor/order-values";
import type { Sql } from "../../../lambda/order-processor/sql";
import { putOrderState } from "../../../lambda/order-processor/state";
import { ORDER_PROCESSOR_TIMEOUT } from "../../../lib/orders/order-processor";
import { VISIBILITY_TIMEOUT_FACTOR } from "../../../lib/orders/order-queue";
import { startTestDatabase } from "../../../tooling/stores/postgres";
import {
  event,
  failedIds,
  isoWithOffset,
  ledgerRows,
  order,
  processor,
  quiet,
  record,
  REGION,
  startStores,
  stateItem,
  stopStores,
  throttlingPuts,
  uid,
  type Stores,
} from "./helpers";

let s: Stores;
beforeAll(async () => {
  s = await startStores();
});
afterAll(() => stopStores(s));

const id = (o: Record<string, unknown>): string => o.orderId as string;
const parsed = (o: Record<string, unknown>): Order => OrderSchema.parse(o);
const entry = (o: Record<string, unknown>): LedgerEntry => {
  const p = parsed(o);
  return { order: p, contentHash: orderContentHash(p) };
};

/** The visibility changes a harness asked for, by messageId. */
function visibilityRecorder(): {
  seen: Map<string, number>;
  changeVisibility: (cs: readonly VisibilityChange[]) => Promise<void>;
} {
  const seen = new Map<string, number>();
  return {
    seen,
    changeVisibility: async (cs) => cs.forEach((c) => seen.set(c.record.messageId, c.seconds)),
  };
}

describe("L1: an orderId reused with different contents is refused, never dropped", () => {
  it("L1: a second body for a booked orderId goes to the DLQ with a reason naming the id, and is counted", async () => {
    const vis = visibilityRecorder();
    const { handler, entries, metrics } = processor(s.db, s.dynamo.doc, s.table, vis);
    const first = order({ orderType: "LIMIT", limitPrice: "101.25", quantity: "10" });
    await expect(handler(event(record(first)))).resolves.toEqual({ batchItemFailures: [] });

    const variants = [{ quantity: "11" }, { side: "SELL" }, { limitPrice: "101.26" }].map((v) =>
      record({ ...first, ...v }),
    );
    // The same contents spelled differently (trailing zero) is the same order: a duplicate delivery.
    const same = record({ ...first, limitPrice: "101.250" });
    const failures = await failedIds(handler, event(...variants, same));

    expect(failures).toEqual(variants.map((r) => r.messageId).sort());
    for (const r of variants) expect(vis.seen.get(r.messageId)).toBe(0); // straight on to the DLQ
    const reasons = entries.filter((e) => e.message.startsWith("order conflict")).map((e) => e.extra.reason);
    expect(reasons).toHaveLength(3);
    for (const reason of reasons) expect(reason).toContain(`order ${id(first)} conflicts`);
    expect(metrics).toMatchObject({ OrdersConflicting: 3, OrdersDuplicate: 1, OrdersProcessed: 1 });
    const [row] = await ledgerRows(s.db, [id(first)]);
    expect(row).toMatchObject({ quantity: "10", side: "BUY", limit_price: "101.25000000" });
    expect(await stateItem(s.dynamo.doc, s.table, id(first))).toMatchObject({
      quantity: "10",
      limitPrice: "101.25",
    });
  });

  it("L1: the same rule inside one batch: the first body is booked, a conflicting one refused, an identical one acknowledged", async () => {
    const { handler, metrics } = processor(s.db, s.dynamo.doc, s.table);
    const o = order({ quantity: "5" });
    const records = [record(o), record({ ...o, quantity: "6" }), record(o)];
    const failures = await failedIds(handler, event(...records));
    expect(failures).toEqual([records[1].messageId]);
    expect((await ledgerRows(s.db, [id(o)]))[0].quantity).toBe("5");
    expect(await stateItem(s.dynamo.doc, s.table, id(o))).toMatchObject({ quantity: "5" });
    expect(metrics).toMatchObject({ OrdersProcessed: 1, OrdersDuplicate: 1, OrdersConflicting: 1 });
  });

  it("L1: migration 002 gives rows booked before it the hash orderContentHash computes", async () => {
    const pg = await startTestDatabase();
    const db = new Database({ url: pg.url, ...DB_DEFAULTS }, { logger: quiet });
    try {
      await db.withConnection((c) => applyMigrations(c, MIGRATIONS.slice(0, 1)));
      const old = [
        order({ orderType: "LIMIT", limitPrice: "187.5", clientTimestamp: "2024-05-01T14:30:00.5+02:00" }),
        order({ quantity: "1000000000", clientTimestamp: "2024-05-01T12:30:00Z" }),
      ];
      for (const o of old) {
        await db.query(
          `INSERT INTO orders (order_id, account, symbol, side, quantity, order_type, limit_price, client_ts)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            o.orderId,
            o.account,
            o.symbol,
            o.side,
            o.quantity,
            o.orderType,
            o.limitPrice ?? null,
            o.clientTimestamp,
          ],
        );
      }
      await db.withConnection((c) => applyMigrations(c));
      const rows = await ledgerRows(db, old.map(id));
      for (const o of old) {
        const row = rows.find((r) => r.order_id === id(o));
        expect(row?.content_hash).toBe(orderContentHash(parsed(o)));
      }
    } finally {
      await db.end();
      await pg.stop();
    }
  });

  it("L3: migration 002 refuses to round a booked price that numeric(18,8) can't hold", async () => {
    const pg = await startTestDatabase();
    const db = new Database({ url: pg.url, ...DB_DEFAULTS }, { logger: quiet });
    try {
      await db.withConnection((c) => applyMigrations(c, MIGRATIONS.slice(0, 1)));
      await db.query(
        `INSERT INTO orders (order_id, account, symbol, side, quantity, order_type, limit_price, client_ts)
         VALUES ('o1', 'a', 'A', 'BUY', 1, 'LIMIT', 100.123456789012345678, now())`,
      );
      await expect(db.withConnection((c) => applyMigrations(c))).rejects.toThrow(/cannot keep exactly/);
      const { rows } = await db.query<{ p: string }>("SELECT limit_price::text AS p FROM orders");
      expect(rows[0].p).toBe("100.123456789012345678");
    } finally {
      await db.end();
      await pg.stop();
    }
  });
});

describe("L2: DynamoDB is written from the booked ledger row", () => {
  it("L2: ledger commit, DynamoDB throttled, conflicting body arrives, retry: both stores hold the first order", async () => {
    let throttle = true;
    const flaky = throttlingPuts(s.dynamo.doc, () => throttle);
    const { handler } = processor(s.db, flaky, s.table);
    const first = order({ quantity: "100" });
    const original = record(first);
    expect(await failedIds(handler, event(original))).toEqual([original.messageId]); // ledger yes, DynamoDB no

    throttle = false;
    const conflicting = record({ ...first, quantity: "999", side: "SELL" });
    expect(await failedIds(handler, event(conflicting))).toEqual([conflicting.messageId]);
    expect(await failedIds(handler, event(original))).toEqual([]); // the retry

    expect((await ledgerRows(s.db, [id(first)]))[0]).toMatchObject({ quantity: "100", side: "BUY" });
    expect(await stateItem(s.dynamo.doc, s.table, id(first))).toMatchObject({
      quantity: "100",
      side: "BUY",
      contentHash: orderContentHash(parsed(first)),
    });
  });

  it("L2: bookOrders is callable with parsed orders (no SQS message) and writes the ledger's row", async () => {
    const o = order({ orderType: "LIMIT", limitPrice: "0.00000001" });
    const puts: unknown[] = [];
    const outcomes = await bookOrders(
      [entry(o)],
      {
        logger: quiet,
        writeLedger: (e) => insertOrders(s.db, e, REGION),
        writeState: (row, now) => {
          puts.push(row);
          return putOrderState(s.dynamo.doc, s.table, row, now);
        },
      },
      new Date(),
    );
    expect(outcomes.get(id(o))).toMatchObject({ status: "booked", row: { limitPrice: "0.00000001" } });
    expect((await ledgerRows(s.db, [id(o)]))[0].sqs_message_id).toBeNull();
    expect(await stateItem(s.dynamo.doc, s.table, id(o))).toMatchObject({ limitPrice: "0.00000001" });
  });
});

describe("L3: money and quantities are exact decimals", () => {
  it("L3: an 18-digit price and a 10-digit quantity reach both stores digit for digit", async () => {
    const { handler } = processor(s.db, s.dynamo.doc, s.table);
    const o = order({ orderType: "LIMIT", limitPrice: "9999999999.12345678", quantity: "999999999" });
    await expect(handler(event(record(o)))).resolves.toEqual({ batchItemFailures: [] });
    expect((await ledgerRows(s.db, [id(o)]))[0]).toMatchObject({
      limit_price: "9999999999.12345678",
      quantity: "999999999",
    });
    expect(await stateItem(s.dynamo.doc, s.table, id(o))).toMatchObject({
      limitPrice: "9999999999.12345678",
      quantity: "999999999",
    });
  });

  it.each([
    ["float noise", { limitPrice: "0.30000000000000004" }],
    ["more than 8 decimals", { limitPrice: "100.123456789012345678" }],
    ["a JSON number price", { limitPrice: 100.5 }],
    ["1e200", { limitPrice: "1e200" }],
    ["1e-200", { limitPrice: "1e-200" }],
    ["5e-324 as a number", { limitPrice: 5e-324 }],
    ["1e200 as a number", { limitPrice: 1e200 }],
    ["11 integer digits", { limitPrice: "10000000000" }],
    ["zero", { limitPrice: "0.00000000" }],
    ["a JSON number quantity", { quantity: 10 }],
    ["a fractional quantity", { quantity: "1.5" }],
    ["quantity above the maximum", { quantity: "1000000001" }],
  ])("L3: %s is refused up front with a reason, and nothing is booked", async (_name, bad) => {
    const vis = visibilityRecorder();
    const { handler, entries, metrics } = processor(s.db, s.dynamo.doc, s.table, vis);
    const o = order({ orderType: "LIMIT", limitPrice: "1", ...bad });
    const r = record(o);
    expect(await failedIds(handler, event(r))).toEqual([r.messageId]);
    expect(vis.seen.get(r.messageId)).toBe(0);
    const field = Object.keys(bad)[0];
    expect(entries.find((e) => e.extra.messageId === r.messageId)?.extra.reason).toMatch(
      new RegExp(`^${field}: `),
    );
    expect(await ledgerRows(s.db, [id(o)])).toEqual([]);
    expect(metrics).toMatchObject({ OrdersRejected: 1, OrdersFailed: 0 });
  });

  it("L3: a DynamoDB ValidationException is a rejection (DLQ + metric), not a retry", async () => {
    // A real ValidationException from the store: the table's key isn't orderId.
    const badTable = `orders-badkey-${uid()}`;
    await s.dynamo.client.send(
      new CreateTableCommand({
        TableName: badTable,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const vis = visibilityRecorder();
    const { handler, metrics } = processor(s.db, s.dynamo.doc, badTable, vis);
    const r = record(order());
    expect(await failedIds(handler, event(r))).toEqual([r.messageId]);
    expect(vis.seen.get(r.messageId)).toBe(0);
    expect(metrics).toMatchObject({ OrdersRejected: 1, OrdersFailed: 0 });
  });
});

describe("L4: time is UTC", () => {
  it("L4: clientTimestamp sent with an offset is stored in UTC, so account-index range queries are right", async () => {
    const { handler } = processor(s.db, s.dynamo.doc, s.table);
    const account = `acct-${uid()}`;
    const base = Math.floor(Date.now() / 1000) * 1000;
    const early = order({ account, clientTimestamp: isoWithOffset(new Date(base - 120_000), 14 * 60) });
    const late = order({ account, clientTimestamp: isoWithOffset(new Date(base - 30_000), -12 * 60) });
    await expect(handler(event(record(early), record(late)))).resolves.toEqual({ batchItemFailures: [] });

    const since = new Date(base - 60_000).toISOString();
    const out = await s.dynamo.doc.send(
      new QueryCommand({
        TableName: s.table,
        IndexName: "account-index",
        KeyConditionExpression: "account = :a AND clientTimestamp >= :t",
        ExpressionAttributeValues: { ":a": account, ":t": since },
      }),
    );
    expect(out.Items?.map((i) => i.orderId)).toEqual([id(late)]);
    expect(out.Items?.[0].clientTimestamp).toBe(new Date(base - 30_000).toISOString());
    expect((await ledgerRows(s.db, [id(early)]))[0].client_ts).toEqual(new Date(base - 120_000));
  });

  it.each([
    ["+14:59", "2024-05-01T12:00:00+14:59", /offset within ±14:00/],
    ["+15:00", "2024-05-01T12:00:00+15:00", /offset within ±14:00/],
    ["-14:01", "2024-05-01T12:00:00-14:01", /offset within ±14:00/],
    ["Feb 30", "2024-02-30T12:00:00Z", /real ISO-8601/],
    ["microseconds", "2024-05-01T12:00:00.123456Z", /at most 3 decimals/],
  ])("L4: a clientTimestamp with %s is refused", (_name, ts, reason) => {
    const result = OrderSchema.safeParse(order({ clientTimestamp: ts }));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(reason);
  });

  it("L4: ±14:00 is accepted and normalised to UTC", () => {
    expect(OrderSchema.parse(order({ clientTimestamp: "2024-05-01T12:00:00+14:00" })).clientTimestamp).toBe(
      "2024-04-30T22:00:00.000Z",
    );
    expect(OrderSchema.parse(order({ clientTimestamp: "2024-05-01T12:00:00.5-14:00" })).clientTimestamp).toBe(
      "2024-05-02T02:00:00.500Z",
    );
  });

  it("L4: clientTimestamp is bounded against the time the order was received (SentTimestamp)", async () => {
    const { handler, entries } = processor(s.db, s.dynamo.doc, s.table);
    const sent = Date.now() - 3_600_000; // received an hour ago, processed now: only SentTimestamp counts
    const at = (deltaMs: number) => {
      const r = record(order({ clientTimestamp: new Date(sent + deltaMs).toISOString() }));
      r.attributes.SentTimestamp = String(sent);
      return r;
    };
    const ok = [at(CLOCK_SKEW.maxAheadMs - 1000), at(-CLOCK_SKEW.maxBehindMs + 1000)];
    const bad = [at(CLOCK_SKEW.maxAheadMs + 1000), at(-CLOCK_SKEW.maxBehindMs - 1000)];
    expect(await failedIds(handler, event(...ok, ...bad))).toEqual(bad.map((r) => r.messageId).sort());
    const reasons = bad.map((r) => entries.find((e) => e.extra.messageId === r.messageId)?.extra.reason);
    expect(reasons[0]).toMatch(/^clientTimestamp: is 61 s ahead of the time the order was received/);
    expect(reasons[1]).toMatch(/^clientTimestamp: is 301 s behind the time the order was received/);
  });
});

describe("L4/F2: a redriven order keeps the time the API accepted it", () => {
  it("L4/F2: clientTimestamp is bounded against acceptedAt, which a DLQ redrive does not reset", async () => {
    const { handler } = processor(s.db, s.dynamo.doc, s.table);
    const accepted = Date.now() - 2 * 3_600_000; // accepted two hours ago, redriven just now
    const r = record(order({ clientTimestamp: new Date(accepted - 1_000).toISOString() }));
    r.attributes.SentTimestamp = String(Date.now()); // a message move task sends it again
    r.messageAttributes[ACCEPTED_AT_ATTRIBUTE] = {
      stringValue: String(accepted),
      dataType: "String",
      stringListValues: [],
      binaryListValues: [],
    };
    expect(await failedIds(handler, event(r))).toEqual([]);
  });

  it("L4: acceptedAt in seconds (HTTP APIs) is scaled, not read as 1970", () => {
    const r = record(order());
    r.messageAttributes[ACCEPTED_AT_ATTRIBUTE] = {
      stringValue: "1700000000",
      dataType: "String",
      stringListValues: [],
      binaryListValues: [],
    };
    expect(receivedAt(r, new Date()).toISOString()).toBe("2023-11-14T22:13:20.000Z");
  });
});

describe("L5: no deadlocks between concurrent batches; transient failures retried soon", () => {
  it("L5: two instances inserting the same orders in opposite order never deadlock (20 runs)", async () => {
    const other = new Database({ url: s.pg.url, ...DB_DEFAULTS }, { logger: quiet });
    try {
      for (let run = 0; run < 20; run++) {
        const entries = Array.from({ length: 40 }, () => entry(order()));
        const [a, b] = await Promise.all([
          insertOrders(s.db, entries, REGION),
          insertOrders(other, [...entries].reverse(), REGION),
        ]);
        expect(a.inserted.size + b.inserted.size).toBe(40);
        expect(a.rows.size + b.rows.size).toBeGreaterThanOrEqual(40);
      }
    } finally {
      await other.end();
    }
  });

  it("L5: 40P01 and 40001 are retried in-process a bounded number of times", async () => {
    const failing = (code: string, times: number): Sql & { calls: number } => {
      const sql = {
        calls: 0,
        query<R extends object>(text: string, values?: unknown[]) {
          sql.calls += 1;
          if (sql.calls <= times) return Promise.reject(Object.assign(new Error(code), { code }));
          return s.db.query<R>(text, values);
        },
      };
      return sql;
    };
    for (const code of ["40P01", "40001"]) {
      const twice = failing(code, 2);
      const e = entry(order());
      const result = await insertOrders(twice, [e], REGION);
      expect([code, twice.calls, result.inserted.has(e.order.orderId)]).toEqual([code, 3, true]);

      const always = failing(code, Infinity);
      await expect(insertOrders(always, [entry(order())], REGION)).rejects.toMatchObject({ code });
      expect(always.calls).toBe(LEDGER_RETRY.maxAttempts);
    }
  });

  it("L5: a failed message gets a short visibility that grows with ApproximateReceiveCount", async () => {
    const vis = visibilityRecorder();
    const down: Sql = {
      query: () =>
        Promise.reject(
          Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
        ),
    };
    const { handler } = processor(down, s.dynamo.doc, s.table, vis);
    const receives = ["1", "2", "3", "5", "9"];
    const records = receives.map((n) => {
      const r = record(order());
      r.attributes.ApproximateReceiveCount = n;
      return r;
    });
    await failedIds(handler, event(...records));
    expect(records.map((r) => vis.seen.get(r.messageId))).toEqual([30, 60, 120, 480, 900]);
    // Every backoff is shorter than the queue's own visibility timeout (>= 6 x the function timeout).
    expect(VISIBILITY_TIMEOUT_FACTOR).toBeGreaterThanOrEqual(6);
    expect(FAILED_VISIBILITY.maxSeconds).toBeLessThan(ORDER_PROCESSOR_TIMEOUT * VISIBILITY_TIMEOUT_FACTOR);
  });
});
