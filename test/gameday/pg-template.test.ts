/**
 * The game day's PostgreSQL template is made once and kept between runs (initdb and the migrations cost
 * a second or two per test file before): the cache is keyed by what the template is made of, processes
 * that race leave one whole template, and one made for earlier migrations is removed.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
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
      // A maker that stands in for initdb: it writes a file naming its call, while the other one runs too.
      let calls = 0;
      const make = async (dir: string) => {
        const call = ++calls;
        mkdirSync(dir);
        await new Promise((r) => setTimeout(r, 50));
        writeFileSync(join(dir, "made-by"), String(call));
      };
      const [a, b] = await Promise.all([PgTemplate.cached(cache, make), PgTemplate.cached(cache, make)]);
      expect(calls).toBe(2);
      expect(a.dir).toBe(join(cache, `pg-template-${templateKey()}`));
      expect(b.dir).toBe(a.dir);
      expect(readdirSync(cache)).toEqual([`pg-template-${templateKey()}`]);
      expect(["1", "2"]).toContain(readFileSync(join(a.dir, "made-by"), "utf8"));

      // A later run uses what is there: it does not make the template again.
      expect((await PgTemplate.cached(cache, make)).dir).toBe(a.dir);
      expect(calls).toBe(2);
    });
  });

  it("G1: a failed make leaves nothing in the cache, and the next run makes it", async () => {
    await withTempDirAsync("pg-cache-", async (cache) => {
      const failing = async () => Promise.reject(new Error("initdb failed: disk full"));
      await expect(PgTemplate.cached(cache, failing)).rejects.toThrow("initdb failed: disk full");
      expect(readdirSync(cache)).toEqual([]);
      const made = await PgTemplate.cached(cache, async (dir) => mkdirSync(dir));
      expect(readdirSync(cache)).toEqual([basename(made.dir)]);
    });
  });

  it("G1: a copy of the template starts as a cluster holding the migrated ledger database and no template databases", async () => {
    const template = await PgTemplate.cached();
    await withTempDirAsync("pg-copy-", async (root) => {
      const server = new PgServer(join(serverOwned(root), "data"), await freePort());
      template.copyTo(server.dataDir);
      await server.start();
      try {
        const dbs = await server.sql<{ datname: string }>("SELECT datname FROM pg_database", "postgres");
        expect(dbs.map((d) => d.datname).sort()).toEqual(["postgres", LEDGER_DB].sort());
        const tables = await server.sql<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
        );
        expect(tables.map((t) => t.table_name)).toContain("orders");
      } finally {
        await server.stop();
      }
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
