/**
 * Database faults, injected on the wire (a TCP proxy in front of the real PostgreSQL), by a real lock,
 * and by a real password change, with DynamoDB (dynalite) as the second store.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { runLedgerMigration } from "../../../lambda/ledger-migrator/migrate";
import { Database, DB_DEFAULTS, type DbSettings } from "../../../lambda/order-processor/db";
import { startDynamo, DUMMY_CREDENTIALS, type TestDynamo } from "../../../tooling/stores/dynamodb";
import {
  createTcpProxy,
  dropRole,
  startTestDatabase,
  type TcpProxy,
  type TestDatabase,
} from "../../../tooling/stores/postgres";
import {
  event,
  failedIds,
  ledgerRows,
  migrate,
  order,
  processor,
  quiet,
  record,
  stateItem,
  uid,
  recordingLogger,
} from "./helpers";

let pg: TestDatabase;
let dynamo: TestDynamo;
let direct: Database;
let table: string;
let proxy: TcpProxy;
const opened: Database[] = [];

const FAST = { connectTimeoutMs: 500, statementTimeoutMs: 300, queryTimeoutMs: 800 };

function database(
  settings: Partial<DbSettings>,
  deps: Partial<ConstructorParameters<typeof Database>[1]> = {},
): Database {
  const db = new Database({ url: pg.url, ...DB_DEFAULTS, ...settings }, { logger: quiet, ...deps });
  opened.push(db);
  return db;
}

const ids = (...rs: { messageId: string }[]) => rs.map((r) => r.messageId).sort();
const orderIds = (os: Record<string, unknown>[]) => os.map((o) => o.orderId as string);

beforeAll(async () => {
  [pg, dynamo] = await Promise.all([startTestDatabase(), startDynamo()]);
  table = await dynamo.createOrdersTable();
  direct = database({});
  await migrate(direct); // as the deploy-time migrator does
});

beforeEach(async () => {
  proxy = await createTcpProxy(pg.host, pg.port);
});

afterEach(async () => {
  await Promise.all(opened.splice(1).map((db) => db.end().catch(() => undefined)));
  await proxy.close();
});

afterAll(async () => {
  await direct?.end();
  await dynamo?.stop();
  await pg?.stop();
});

describe("order processor under database faults", () => {
  it("P6: database down before the INSERT arrives fails the valid messages, books nothing, and a retry books them once", async () => {
    const { handler, entries } = processor(database({ url: proxy.via(pg.url), ...FAST }), dynamo.doc, table);
    await handler(event(record(order()))); // warm pool
    const valid = [order(), order()];
    const recs = [record(valid[0]), record(order({ synthetic: true })), record(valid[1])];

    const cut = proxy.cutOn("INSERT INTO orders", "drop-request");
    const failures = await failedIds(handler, event(...recs));
    await cut;

    expect(failures).toEqual(ids(recs[0], recs[2]));
    expect(await ledgerRows(direct, orderIds(valid))).toEqual([]);
    for (const id of orderIds(valid)) expect(await stateItem(dynamo.doc, table, id)).toBeUndefined();
    expect(entries.find((e) => e.message.startsWith("ledger write failed"))?.extra.messageIds).toEqual([
      recs[0].messageId,
      recs[2].messageId,
    ]);

    proxy.setMode("pass");
    await expect(handler(event(...recs))).resolves.toEqual({ batchItemFailures: [] });
    expect(await ledgerRows(direct, orderIds(valid))).toHaveLength(2);
    for (const id of orderIds(valid))
      expect(await stateItem(dynamo.doc, table, id)).toMatchObject({ status: "ACCEPTED" });
  });

  it("P6: a connection lost after COMMIT is reported as a failure, and the retry completes the order exactly once", async () => {
    const { handler, metrics } = processor(database({ url: proxy.via(pg.url), ...FAST }), dynamo.doc, table);
    await handler(event(record(order())));
    const o = order();
    const msg = record(o);

    const cut = proxy.cutOn("INSERT INTO orders", "drop-response");
    expect(await failedIds(handler, event(msg))).toEqual([msg.messageId]);
    await cut;
    // The row is committed but the processor could not know it: it left DynamoDB alone and failed the message.
    expect(await ledgerRows(direct, [o.orderId as string])).toHaveLength(1);
    expect(await stateItem(dynamo.doc, table, o.orderId as string)).toBeUndefined();

    proxy.setMode("pass");
    await expect(handler(event(msg))).resolves.toEqual({ batchItemFailures: [] });
    const { rows } = await direct.query<{ n: string }>(
      "SELECT count(*) AS n FROM orders WHERE order_id = $1",
      [o.orderId],
    );
    expect(rows[0].n).toBe("1");
    expect(await stateItem(dynamo.doc, table, o.orderId as string)).toMatchObject({ status: "ACCEPTED" });
    expect(metrics.OrdersProcessed).toBe(2); // the warm-up order and this one, once
  });

  it("P6: a dropped connection is retried once on a fresh connection, transparently", async () => {
    const dbLog = recordingLogger();
    const db = database({ url: proxy.via(pg.url), ...FAST }, { logger: dbLog.logger });
    const { handler } = processor(db, dynamo.doc, table);
    await handler(event(record(order())));
    const o = order();
    const cut = proxy.cutOn("INSERT INTO orders", "drop-response", "pass");
    await expect(handler(event(record(o)))).resolves.toEqual({ batchItemFailures: [] });
    await cut;
    expect(await ledgerRows(direct, [o.orderId as string])).toHaveLength(1);
    expect(dbLog.entries.some((e) => e.level === "warn" && e.extra.reason === "connection")).toBe(true);
  });

  it("R11: a slow database (statement timeout behind a lock) fails the batch fast instead of hanging", async () => {
    const db = database(FAST);
    await db.query("SELECT 1");
    const { handler, entries } = processor(db, dynamo.doc, table);
    const locker = await pg.admin();
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
    const msg = record(order());
    try {
      const started = Date.now();
      expect(await failedIds(handler, event(msg))).toEqual([msg.messageId]);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(entries.find((e) => e.message.startsWith("ledger write failed"))?.extra.reason).toMatch(/57014/);
    } finally {
      await locker.query("ROLLBACK");
    }
    await expect(handler(event(msg))).resolves.toEqual({ batchItemFailures: [] });
  });

  it("R11: an unreachable database (connect timeout) fails the batch fast instead of hanging", async () => {
    proxy.setMode("blackhole");
    const { handler, entries } = processor(database({ url: proxy.via(pg.url), ...FAST }), dynamo.doc, table);
    const msg = record(order());
    const started = Date.now();
    expect(await failedIds(handler, event(msg))).toEqual([msg.messageId]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(entries.find((e) => e.message.startsWith("ledger write failed"))?.extra.reason).toMatch(
      /timeout/i,
    );
  });

  it("R11: a connection that stalls mid-query (client query timeout) fails the batch fast", async () => {
    const { handler, entries } = processor(database({ url: proxy.via(pg.url), ...FAST }), dynamo.doc, table);
    await handler(event(record(order())));
    proxy.setMode("stall");
    const msg = record(order());
    const started = Date.now();
    expect(await failedIds(handler, event(msg))).toEqual([msg.messageId]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(entries.find((e) => e.message.startsWith("ledger write failed"))?.extra.reason).toMatch(
      /timeout/i,
    );
  });
});

describe("secret rotation", () => {
  let authDb: TestDatabase;
  const role = `app_${uid()}`;
  const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tap-db-AbCdEf";
  const sm = mockClient(SecretsManagerClient);
  const secret = (password: string) => ({
    SecretString: JSON.stringify({
      username: role,
      password,
      host: "db.invalid",
      port: 1,
      dbname: "ignored",
    }),
  });

  beforeAll(async () => {
    // Needs a server that checks passwords: DATABASE_URL's if it does, an embedded one otherwise.
    authDb = pg.passwordAuth ? pg : await startTestDatabase({ passwordAuth: true });
    const admin = await authDb.admin();
    // As the deploy-time migrator sets it up (L6): the schema, then a data-only role whose password is
    // sent as a SCRAM verifier; logging in below proves the verifier is right.
    await runLedgerMigration(admin, { username: role, password: `first-${role}` }, authDb.database);
  });

  afterAll(async () => {
    sm.restore();
    for (const r of [role, `${role}_clone`]) await dropRole(authDb, r).catch(() => undefined);
    if (authDb !== pg) await authDb?.stop();
  });

  function rotatingDatabase() {
    const log = recordingLogger();
    // DB_HOST / DB_PORT / DB_NAME override the secret's, as the infra does with the writer endpoint.
    const db = new Database(
      {
        secretArn,
        host: authDb.host,
        port: authDb.port,
        database: authDb.database,
        ssl: "disable",
        ...DB_DEFAULTS,
      },
      {
        logger: log.logger,
        secrets: new SecretsManagerClient({ region: "us-east-1", credentials: DUMMY_CREDENTIALS }),
      },
    );
    opened.push(db);
    return { db, log };
  }

  it("P6: a password that fails authentication makes the processor refetch the secret once and succeed", async () => {
    sm.reset();
    sm.on(GetSecretValueCommand)
      .resolvesOnce(secret("stale-password"))
      .resolves(secret(`first-${role}`));
    const { db, log } = rotatingDatabase();
    const { handler } = processor(db, dynamo.doc, table);
    const o = order();

    await expect(handler(event(record(o)))).resolves.toEqual({ batchItemFailures: [] });

    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(sm.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: secretArn });
    expect(log.entries.find((e) => e.extra.reason === "auth")?.extra.code).toBe("28P01");
    expect(await ledgerRows(db, [o.orderId as string])).toHaveLength(1);
  });

  it("P6: after a rotation, new connections use the new password without failing a message", async () => {
    sm.reset();
    sm.on(GetSecretValueCommand).resolves(secret(`first-${role}`));
    const { db } = rotatingDatabase();
    const { handler } = processor(db, dynamo.doc, table);
    await expect(handler(event(record(order())))).resolves.toEqual({ batchItemFailures: [] });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1); // cached across invocations

    // Rotate: new password in the database and in the secret; existing sessions end (as on a failover).
    const admin = await authDb.admin();
    await admin.query(`ALTER ROLE ${role} PASSWORD 'second-${role}'`);
    sm.on(GetSecretValueCommand).resolves(secret(`second-${role}`));
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", [role]);

    const o = order();
    await expect(handler(event(record(o)))).resolves.toEqual({ batchItemFailures: [] });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(await ledgerRows(db, [o.orderId as string])).toHaveLength(1);
  });
});
