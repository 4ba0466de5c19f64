import { FullBatchFailureError } from "@aws-lambda-powertools/batch";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { randomBytes, randomUUID } from "node:crypto";
import {
  createOrderBatchHandler,
  type OrderBatchHandler,
  type OrderMetric,
  type OrderProcessorDeps,
} from "../../../lambda/order-processor/batch";
import { insertOrders } from "../../../lambda/order-processor/ledger";
import { applyMigrations } from "../../../lambda/order-processor/migrations";
import type { Order } from "../../../lambda/order-processor/order-schema";
import type { Sql } from "../../../lambda/order-processor/sql";
import { putOrderState, type PutSender } from "../../../lambda/order-processor/state";
import type { Log } from "../../../lambda/shared/log";
import { Database, DB_DEFAULTS } from "../../../lambda/order-processor/db";
import { startDynamo, type TestDynamo } from "../../../tooling/stores/dynamodb";
import { startTestDatabase, type TestDatabase } from "../../../tooling/stores/postgres";

export const REGION = "us-east-1";

export const uid = (): string => randomBytes(5).toString("hex");

export function order(overrides: Partial<Record<keyof Order, unknown>> = {}): Record<string, unknown> {
  return {
    orderId: `ord-${uid()}`,
    account: "acct_1",
    symbol: "AAPL",
    side: "BUY",
    quantity: "100",
    orderType: "MARKET",
    clientTimestamp: new Date().toISOString(),
    ...overrides,
  };
}

/** `d` as ISO-8601 local time at `offsetMinutes` east of UTC, e.g. "2024-05-01T14:30:00.500+02:00". */
export function isoWithOffset(d: Date, offsetMinutes: number): string {
  const local = new Date(d.getTime() + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${local}${sign}${hh}:${mm}`;
}

export function record(body: unknown, messageId: string = randomUUID()): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "AIDATEST",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:${REGION}:123456789012:orders`,
    awsRegion: REGION,
  };
}

export const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  extra: Record<string, unknown>;
}

export function recordingLogger(): { logger: Log; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry["level"]) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      entries.push({ level, message, extra: Object.assign({}, ...extra) });
  return { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, entries };
}

export function recordingMetrics(): {
  count(name: OrderMetric, value: number): void;
  totals: Record<string, number>;
} {
  const totals: Record<string, number> = {};
  return { count: (name, value) => void (totals[name] = (totals[name] ?? 0) + value), totals };
}

/** Counts round trips to the database. */
export function countingSql(db: Sql): Sql & { count: number } {
  const counter = {
    count: 0,
    query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]) {
      counter.count += 1;
      return db.query<R>(text, values);
    },
  };
  return counter;
}

export interface Harness {
  handler: OrderBatchHandler;
  entries: LogEntry[];
  metrics: Record<string, number>;
}

export function processor(
  db: Sql,
  ddb: PutSender,
  tableName: string,
  extra: Partial<OrderProcessorDeps> = {},
): Harness {
  const { logger, entries } = recordingLogger();
  const metrics = recordingMetrics();
  const handler = createOrderBatchHandler({
    region: REGION,
    logger,
    metrics,
    writeLedger: (e) => insertOrders(db, e, REGION),
    writeState: (row, now) => putOrderState(ddb, tableName, row, now),
    ...extra,
  });
  return { handler, entries, metrics: metrics.totals };
}

/**
 * The messageIds SQS would retry. An all-failed batch makes Powertools throw FullBatchFailureError
 * (which retries the whole batch); that is mapped to "every message failed".
 */
export async function failedIds(handler: OrderBatchHandler, ev: SQSEvent): Promise<string[]> {
  try {
    const res = await handler(ev);
    return res.batchItemFailures.map((f) => f.itemIdentifier).sort();
  } catch (err) {
    if (err instanceof FullBatchFailureError) return ev.Records.map((r) => r.messageId).sort();
    throw err;
  }
}

export async function ledgerRows(db: Sql, orderIds: string[]): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query("SELECT * FROM orders WHERE order_id = ANY($1::text[]) ORDER BY order_id", [
    orderIds,
  ]);
  return rows;
}

export async function stateItem(
  doc: DynamoDBDocumentClient,
  tableName: string,
  orderId: string,
): Promise<Record<string, unknown> | undefined> {
  const out = await doc.send(
    new GetCommand({ TableName: tableName, Key: { orderId }, ConsistentRead: true }),
  );
  return out.Item;
}

export const quiet: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The real stores a processor test runs against: PostgreSQL, dynalite with the orders table, a pool. */
export interface Stores {
  pg: TestDatabase;
  dynamo: TestDynamo;
  table: string;
  db: Database;
}

/** Applies the schema migrations as the deploy-time migrator does (the processor no longer runs DDL). */
export async function migrate(db: Database): Promise<string[]> {
  return db.withConnection((client) => applyMigrations(client));
}

export async function startStores(): Promise<Stores> {
  const [pg, dynamo] = await Promise.all([startTestDatabase(), startDynamo()]);
  const table = await dynamo.createOrdersTable();
  const db = new Database({ url: pg.url, ...DB_DEFAULTS }, { logger: quiet });
  await migrate(db);
  return { pg, dynamo, table, db };
}

export async function stopStores(stores: Partial<Stores>): Promise<void> {
  await stores.db?.end();
  await stores.dynamo?.stop();
  await stores.pg?.stop();
}

/** Starts the stores before the file's tests and stops them after; read them through the returned object. */
export function useStores(): Stores {
  const stores = {} as Stores;
  beforeAll(async () => {
    Object.assign(stores, await startStores());
  });
  afterAll(() => stopStores(stores));
  return stores;
}

/** `doc`, with every PutItem of an order for which `throttled(orderId)` holds refused as DynamoDB throttles. */
export function throttlingPuts(doc: PutSender, throttled: (orderId: string) => boolean): PutSender {
  const send = (command: PutCommand | GetCommand) => {
    if (command instanceof PutCommand && throttled(command.input.Item?.orderId as string)) {
      const err = new Error("Rate of requests exceeds the allowed throughput.");
      err.name = "ProvisionedThroughputExceededException";
      return Promise.reject(err);
    }
    return doc.send(command as PutCommand);
  };
  return { send } as PutSender;
}
