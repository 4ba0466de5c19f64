/**
 * L6: the deploy-time migrator and the processor's data-only role, against real PostgreSQL.
 * Role names are cluster-wide, so each test file makes its own and drops it.
 */
import { ensureAppRoles, scramVerifier } from "../../../lambda/ledger-migrator/app-role";
import { runLedgerMigration } from "../../../lambda/ledger-migrator/migrate";
import { Database, DB_DEFAULTS } from "../../../lambda/order-processor/db";
import { MIGRATIONS } from "../../../lambda/order-processor/migrations";
import { startDynamo, type TestDynamo } from "../../../tooling/stores/dynamodb";
import { dropRole, startTestDatabase, type TestDatabase } from "../../../tooling/stores/postgres";
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
  for (const r of [role, `${role}_clone`, bare]) await dropRole(pg, r).catch(() => undefined);
  await dynamo?.stop();
  await pg?.stop();
});

describe("L6: migrations at deploy time, the processor as a data-only role", () => {
  it("L6: the migration run is idempotent: schema once, the role and its grants on every run", async () => {
    const first = await admin.withConnection((c) =>
      runLedgerMigration(c, { username: role, password }, pg.database),
    );
    expect(first).toEqual({ applied: MIGRATIONS.map((m) => m.id), role, alternateRole: `${role}_clone` });
    const again = await admin.withConnection((c) =>
      runLedgerMigration(c, { username: role, password }, pg.database),
    );
    expect(again).toEqual({ applied: [], role, alternateRole: `${role}_clone` });

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
    await expect(
      ensureAppRoles(sql as never, { username: "Robert'); DROP", password }, "db"),
    ).rejects.toThrow(/not a valid/);
    await expect(ensureAppRoles(sql as never, { username: "postgres", password }, "db")).rejects.toThrow(
      /reserved/,
    );
    await expect(
      ensureAppRoles(sql as never, { username: "ok_name", password: "short" }, "db"),
    ).rejects.toThrow(/16 characters/);
    // The rotation pair: "postgres_clone" would make "postgres" the other user, and a base name must
    // leave room for "_clone" within PostgreSQL's 63 characters.
    await expect(
      ensureAppRoles(sql as never, { username: "postgres_clone", password }, "db"),
    ).rejects.toThrow(/reserved/);
    await expect(
      ensureAppRoles(sql as never, { username: `a${"b".repeat(57)}`, password }, "db"),
    ).rejects.toThrow(/leaves no room for "_clone"/);
    expect(sent).toEqual([]);
    expect(scramVerifier("pencil", Buffer.from("salt-salt-salt16"))).toBe(
      scramVerifier("pencil", Buffer.from("salt-salt-salt16")),
    );
  });
});

describe("S3: the rotation pair the multi-user rotation alternates between", () => {
  const base = `tap_pair_${uid()}`;
  const clone = `${base}_clone`;
  const grants = async (r: string) =>
    (
      await admin.query<{ g: string }>(
        `SELECT table_name || ':' || privilege_type AS g FROM information_schema.role_table_grants
         WHERE grantee = $1 ORDER BY 1`,
        [r],
      )
    ).rows.map((x) => x.g);
  const verifier = async (r: string) =>
    (
      await admin.query<{ v: string | null }>("SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1", [
        r,
      ])
    ).rows[0]?.v;
  const loginAs = (user: string, pw: string) =>
    new Database({ url: pg.urlFor(user, pw), ...DB_DEFAULTS }, { logger: quiet });

  afterAll(async () => {
    for (const r of [base, clone]) await dropRole(pg, r).catch(() => undefined);
  });

  it("S3: both users exist with the same attributes and grants; the clone has no password until a rotation sets one", async () => {
    const result = await admin.withConnection((c) =>
      runLedgerMigration(c, { username: base, password }, pg.database),
    );
    expect(result).toMatchObject({ role: base, alternateRole: clone });
    expect(await grants(base)).toEqual(["orders:INSERT", "orders:SELECT"]);
    expect(await grants(clone)).toEqual(["orders:INSERT", "orders:SELECT"]);
    const attrs = await admin.query(
      `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles
       WHERE rolname = ANY($1) ORDER BY rolname`,
      [[base, clone]],
    );
    const same = {
      rolsuper: false,
      rolinherit: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolcanlogin: true,
    };
    expect(attrs.rows).toEqual([
      { rolname: base, ...same },
      { rolname: clone, ...same },
    ]);
    expect(await verifier(clone)).toBeNull();
  });

  it("S3: re-run after a rotation (the secret names the clone): the clone's password is set, the base's previous one still works", async () => {
    await admin.withConnection((c) => runLedgerMigration(c, { username: base, password }, pg.database));
    const before = await verifier(base);
    // What the rotation function's setSecret does to the other user: a new password, nothing else.
    const rotated = `rotated-${uid()}-${uid()}`;
    await admin.query(`ALTER ROLE ${clone} PASSWORD '${rotated}'`);

    const result = await admin.withConnection((c) =>
      runLedgerMigration(c, { username: clone, password: rotated }, pg.database),
    );
    expect(result).toEqual({ applied: [], role: clone, alternateRole: base });
    expect(await verifier(base)).toBe(before); // AWSPREVIOUS: in use until the next rotation
    for (const [user, pw] of [
      [clone, rotated],
      [base, password],
    ]) {
      const db = loginAs(user, pw);
      opened.push(db);
      const { handler } = processor(db, dynamo.doc, table);
      const o = order();
      expect(await failedIds(handler, event(record(o)))).toEqual([]);
      expect(await ledgerRows(admin, [o.orderId as string])).toHaveLength(1);
    }
  });
});
