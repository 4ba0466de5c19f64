import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Database, DB_DEFAULTS } from "../../../lambda/order-processor/db";
import { MIGRATIONS } from "../../../lambda/order-processor/migrations";
import { startTestDatabase, type TestDatabase } from "../../support/postgres";
import { recordingLogger } from "./helpers";

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

  it("P6: concurrent cold starts apply the migrations exactly once", async () => {
    const logs = Array.from({ length: 5 }, () => recordingLogger());
    const dbs = logs.map(({ logger }) => new Database({ url: pg.url, ...DB_DEFAULTS }, { logger }));
    try {
      await Promise.all(dbs.map((db) => db.query("SELECT 1")));
      const applied = logs.flatMap((l) => l.entries.filter((e) => e.message === "applied schema migrations"));
      expect(applied).toHaveLength(1);
      expect(applied[0].extra.applied).toEqual(MIGRATIONS.map((m) => m.id));

      const { rows } = await dbs[0].query<{ id: string }>("SELECT id FROM schema_migrations ORDER BY id");
      expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
      const cols = await dbs[0].query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position",
      );
      expect(cols.rows.map((c) => `${c.column_name}:${c.data_type}`)).toEqual([
        "order_id:text",
        "account:text",
        "symbol:text",
        "side:text",
        "quantity:bigint",
        "order_type:text",
        "limit_price:numeric",
        "client_ts:timestamp with time zone",
        "received_at:timestamp with time zone",
        "sqs_message_id:text",
        "region:text",
      ]);

      // A later cold start finds nothing to do.
      const again = recordingLogger();
      const late = new Database({ url: pg.url, ...DB_DEFAULTS }, { logger: again.logger });
      await late.query("SELECT 1");
      await late.end();
      expect(again.entries.filter((e) => e.message === "applied schema migrations")).toEqual([]);
    } finally {
      await Promise.all(dbs.map((db) => db.end()));
    }
  });
});
