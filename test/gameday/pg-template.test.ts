/**
 * The game day's PostgreSQL template is made once and kept between runs (initdb and the migrations cost
 * a second or two per test file before): the cache is keyed by what the template is made of, processes
 * that race leave one whole template, and one made for earlier migrations is removed.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  freePort,
  LEDGER_DB,
  PgServer,
  PgTemplate,
  serverOwned,
  templateKey,
} from "../../gameday/postgres-server";
import { withTempDirAsync } from "../support/temp-dir";

describe("the game day's PostgreSQL template cache", () => {
  it("G1: racing makers leave one template under today's key, nothing staged, and no older template", async () => {
    await withTempDirAsync("pg-cache-", async (cache) => {
      mkdirSync(join(cache, "pg-template-0000000000000000"));
      const [a, b] = await Promise.all([PgTemplate.cached(cache), PgTemplate.cached(cache)]);
      expect(a.dir).toBe(join(cache, `pg-template-${templateKey()}`));
      expect(b.dir).toBe(a.dir);
      expect(readdirSync(cache)).toEqual([`pg-template-${templateKey()}`]);

      // A later run uses what is there: it does not make the template again.
      writeFileSync(join(a.dir, "kept"), "");
      expect((await PgTemplate.cached(cache)).dir).toBe(a.dir);
      expect(existsSync(join(a.dir, "kept"))).toBe(true);

      // A copy starts as a cluster holding the migrated ledger database and no template databases.
      await withTempDirAsync("pg-copy-", async (root) => {
        const server = new PgServer(join(serverOwned(root), "data"), await freePort());
        a.copyTo(server.dataDir);
        await server.start();
        try {
          const dbs = await server.sql<{ datname: string }>(
            "SELECT datname FROM pg_database ORDER BY 1",
            "postgres",
          );
          expect(dbs.map((d) => d.datname).sort()).toEqual(["postgres", LEDGER_DB].sort());
          const [{ n }] = await server.sql<{ n: string }>(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
          );
          expect(Number(n)).toBeGreaterThan(0);
        } finally {
          await server.stop();
        }
      });
    });
  }, 60_000);

  it("G1: the key changes with what the template is made of (the migrations among them)", () => {
    expect(templateKey()).toMatch(/^[0-9a-f]{16}$/);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const migrations = require("../../lambda/order-processor/migrations") as {
      MIGRATIONS: { id: string; sql: string }[];
    };
    const before = templateKey();
    const saved = [...migrations.MIGRATIONS];
    try {
      migrations.MIGRATIONS.push({ id: "999_probe", sql: "SELECT 1" });
      expect(templateKey()).not.toBe(before);
    } finally {
      migrations.MIGRATIONS.splice(0, migrations.MIGRATIONS.length, ...saved);
    }
    expect(templateKey()).toBe(before);
  });
});
