/**
 * L6: the deploy-time migrator and the processor's data-only role, against real PostgreSQL.
 * Role names are cluster-wide, so each test file makes its own and drops it.
 */
import { ensureAppRole, scramVerifier } from "../../../lambda/ledger-migrator/app-role";
import { runLedgerMigration } from "../../../lambda/ledger-migrator/migrate";
import { Database, DB_DEFAULTS } from "../../../lambda/order-processor/db";
import { MIGRATIONS } from "../../../lambda/order-processor/migrations";
import { startDynamo, type TestDynamo } from "../../support/dynamodb";
import { dropRole, startTestDatabase, type TestDatabase } from "../../support/postgres";
import {
  event,
  failedIds,
  ledgerRows,
  order,
  processor,
  quiet,
  record,
  uid,
} from "../order-processor/helpers";

let pg: TestDatabase;
let dynamo: TestDynamo;
let table: string;
let admin: Database;
const role = `tap_proc_${uid()}`;
const bare = `tap_bare_${uid()}`;
const password = `pw-${uid()}-${uid()}`;
const opened: Database[] = [];

const as = (user: string): Database => {
  const db = new Database({ url: pg.urlFor(user, password), ...DB_DEFAULTS }, { logger: quiet });
  opened.push(db);
  return db;
};

beforeAll(async () => {
  [pg, dynamo] = await Promise.all([startTestDatabase(), startDynamo()]);
  table = await dynamo.createOrdersTable();
  admin = new Database({ url: pg.url, ...DB_DEFAULTS }, { logger: quiet });
});

afterAll(async () => {
  await Promise.all(opened.map((db) => db.end()));
  await admin?.end();
  for (const r of [role, bare]) await dropRole(pg, r).catch(() => undefined);
  await dynamo?.stop();
  await pg?.stop();
});

describe("L6: migrations at deploy time, the processor as a data-only role", () => {
  it("L6: the migration run is idempotent: schema once, the role and its grants on every run", async () => {
    const first = await admin.withConnection((c) =>
      runLedgerMigration(c, { username: role, password }, pg.database),
    );
    expect(first).toEqual({ applied: MIGRATIONS.map((m) => m.id), role });
    const again = await admin.withConnection((c) =>
      runLedgerMigration(c, { username: role, password }, pg.database),
    );
    expect(again).toEqual({ applied: [], role });

    const { rows } = await admin.query<{ privilege_type: string; table_name: string }>(
      `SELECT table_name, privilege_type FROM information_schema.role_table_grants
       WHERE grantee = $1 ORDER BY table_name, privilege_type`,
      [role],
    );
    expect(rows.map((r) => `${r.table_name}:${r.privilege_type}`)).toEqual([
      "orders:INSERT",
      "orders:SELECT",
    ]);
    const attrs = await admin.query<Record<string, boolean>>(
      "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = $1",
      [role],
    );
    expect(attrs.rows[0]).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolcanlogin: true,
    });
    // The password is stored as the SCRAM verifier we sent, never in clear text.
    const pw = await admin.query<{ v: string }>("SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1", [
      role,
    ]);
    expect(pw.rows[0].v).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(pw.rows[0].v).not.toContain(password);
  });

  it("L6: the processor books, acknowledges duplicates and refuses conflicts with only INSERT and SELECT", async () => {
    const db = as(role);
    const { handler, metrics } = processor(db, dynamo.doc, table);
    const o = order();
    const conflicting = record({ ...o, quantity: "7" });
    expect(await failedIds(handler, event(record(o), record(o), conflicting))).toEqual([
      conflicting.messageId,
    ]);
    expect(metrics).toMatchObject({ OrdersProcessed: 1, OrdersDuplicate: 1, OrdersConflicting: 1 });
    // ...and can do nothing else.
    for (const sql of [
      "UPDATE orders SET quantity = 1",
      "DELETE FROM orders",
      "CREATE TABLE x (i int)",
      "DROP TABLE orders",
    ]) {
      await expect(db.query(sql)).rejects.toMatchObject({ code: "42501" });
    }
  });

  it("L6: without the grants the processor fails cleanly: every message left for retry, nothing lost or half-written", async () => {
    await admin.query(`CREATE ROLE ${bare} LOGIN PASSWORD '${password}'`);
    const { handler, entries } = processor(as(bare), dynamo.doc, table);
    const o = order();
    const r = record(o);
    expect(await failedIds(handler, event(r))).toEqual([r.messageId]);
    expect(entries.find((e) => e.message.startsWith("ledger write failed"))?.extra.reason).toMatch(
      /42501: permission denied for table orders/,
    );
    expect(await ledgerRows(admin, [o.orderId as string])).toEqual([]);
  });

  it("L6: the role name and password are checked before any SQL is sent", async () => {
    const sent: string[] = [];
    const sql = {
      query: async (text: string) => {
        sent.push(text);
        return { rows: [] };
      },
    };
    await expect(ensureAppRole(sql as never, { username: "Robert'); DROP", password }, "db")).rejects.toThrow(
      /not a valid/,
    );
    await expect(ensureAppRole(sql as never, { username: "postgres", password }, "db")).rejects.toThrow(
      /reserved/,
    );
    await expect(
      ensureAppRole(sql as never, { username: "ok_name", password: "short" }, "db"),
    ).rejects.toThrow(/16 characters/);
    expect(sent).toEqual([]);
    expect(scramVerifier("pencil", Buffer.from("salt-salt-salt16"))).toBe(
      scramVerifier("pencil", Buffer.from("salt-salt-salt16")),
    );
  });
});
