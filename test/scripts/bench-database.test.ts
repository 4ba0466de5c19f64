/** `npm run bench` finds a PostgreSQL the way the tests do. */
import { Client } from "pg";
import { benchServer } from "../../scripts/bench-database";

it("uses DATABASE_URL when it is set", async () => {
  expect(await benchServer({ DATABASE_URL: " postgres://u@db.example:5432/x " })).toEqual({
    url: "postgres://u@db.example:5432/x",
    source: "DATABASE_URL",
  });
});

it("without DATABASE_URL, starts an embedded PostgreSQL it can connect to (no ECONNREFUSED)", async () => {
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL; // as on a fresh clone
  const { url, source } = await benchServer().finally(() => {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  });
  expect(source).toMatch(/^embedded PostgreSQL/);
  expect(new URL(url).port).not.toBe("5432");
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query("SHOW server_version");
    expect(rows[0].server_version).toMatch(/^15\./);
  } finally {
    await c.end();
  }
}, 120_000);
