import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Database, DB_DEFAULTS } from "../../../lambda/order-processor/db";
import { applyMigrations, MIGRATIONS } from "../../../lambda/order-processor/migrations";
import { startTestDatabase, type TestDatabase } from "../../support/postgres";
import { quiet } from "./helpers";

const MIGRATIONS_DIR = join(__dirname, "../../../migrations");

let pg: TestDatabase;
beforeAll(async () => {
  pg = await startTestDatabase();
});
afterAll(async () => {
  await pg?.stop();
});

describe("schema migrations", () => {
  it("P9: the SQL embedded in the bundle is exactly migrations/*.sql, in order", () => {
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith(".sql"))
      .sort();
    expect(MIGRATIONS.map((m) => `${m.id}.sql`)).toEqual(files);
    for (const m of MIGRATIONS) {
      expect(m.sql).toBe(readFileSync(join(MIGRATIONS_DIR, `${m.id}.sql`), "utf8"));
    }
  });

  it("P6: concurrent migration runs apply the migrations exactly once", async () => {
    const dbs = Array.from(
      { length: 5 },
      () => new Database({ url: pg.url, ...DB_DEFAULTS }, { logger: quiet }),
    );
    try {
      const runs = await Promise.all(dbs.map((db) => db.withConnection((c) => applyMigrations(c))));
      const applied = runs.filter((r) => r.length > 0);
      expect(applied).toEqual([MIGRATIONS.map((m) => m.id)]);

      const { rows } = await dbs[0].query<{ id: string }>("SELECT id FROM schema_migrations ORDER BY id");
      expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
      const cols = await dbs[0].query<{
        column_name: string;
        data_type: string;
        p: number | null;
        s: number | null;
      }>(
        `SELECT column_name, data_type, numeric_precision AS p, numeric_scale AS s
         FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position`,
      );
      expect(
        cols.rows.map(
          (c) => `${c.column_name}:${c.data_type}${c.data_type === "numeric" ? `(${c.p},${c.s})` : ""}`,
        ),
      ).toEqual([
        "order_id:text",
        "account:text",
        "symbol:text",
        "side:text",
        "quantity:bigint",
        "order_type:text",
        "limit_price:numeric(18,8)",
        "client_ts:timestamp with time zone",
        "received_at:timestamp with time zone",
        "sqs_message_id:text",
        "region:text",
        "content_hash:text",
      ]);

      // A later run finds nothing to do.
      expect(await dbs[0].withConnection((c) => applyMigrations(c))).toEqual([]);
    } finally {
      await Promise.all(dbs.map((db) => db.end()));
    }
  });
});
