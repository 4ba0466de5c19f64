/**
 * The game day's PostgreSQL servers start every time: a port found free can be taken before postgres
 * binds it (by any process, another test file's server among them), which failed whole game-day files
 * with `could not bind IPv4 address "127.0.0.1": Address already in use`.
 */
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { BIND_ATTEMPTS, freePort, PgServer, PgTemplate, serverOwned } from "../../gameday/postgres-server";
import { withTempDirAsync } from "../support/temp-dir";

/** Holds `port` on the loopback address until closed, as a racing process would. */
async function occupy(port: number): Promise<Server> {
  const srv = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(port, "127.0.0.1", resolve);
  });
  return srv;
}

const close = (srv: Server) => new Promise<void>((resolve) => srv.close(() => resolve()));

describe("game-day PostgreSQL start-up", () => {
  let template: PgTemplate;
  beforeAll(async () => {
    template = await PgTemplate.cached();
  }, 60_000);

  it("D3: a port taken between freePort() and the bind is replaced by a fresh one, and the server starts", async () => {
    await withTempDirAsync("pg-port-", async (root) => {
      const taken = await freePort();
      const squatter = await occupy(taken);
      const server = new PgServer(join(serverOwned(root), "data"), taken);
      template.copyTo(server.dataDir);
      try {
        await server.start();
        expect(server.port).not.toBe(taken);
        const [row] = await server.sql<{ port: string }>("SHOW port", "postgres");
        expect(Number(row.port)).toBe(server.port);
      } finally {
        await server.stop();
        await close(squatter);
      }
    });
  }, 60_000);

  it("D3: another cluster already answering on the port is not taken for this one", async () => {
    await withTempDirAsync("pg-port-", async (root) => {
      const first = new PgServer(join(serverOwned(root), "first"), await freePort());
      template.copyTo(first.dataDir);
      await first.start();
      const second = new PgServer(join(root, "second"), first.port);
      template.copyTo(second.dataDir);
      try {
        await second.start();
        expect(second.port).not.toBe(first.port);
        await second.sql("CREATE TABLE only_on_second (x int)", "postgres");
        const onFirst = await first.sql("SELECT to_regclass('only_on_second') AS t", "postgres");
        expect(onFirst).toEqual([{ t: null }]);
      } finally {
        await second.stop();
        await first.stop();
      }
    });
  }, 60_000);

  it(`D3: after ${BIND_ATTEMPTS} taken ports in a row start-up fails with postgres's own reason`, async () => {
    await withTempDirAsync("pg-port-", async (root) => {
      const taken = await freePort();
      const squatter = await occupy(taken);
      // Every "fresh" port is the taken one: the retries must stop, not spin.
      let asked = 0;
      const server = new PgServer(join(serverOwned(root), "data"), taken, async () => (asked++, taken));
      template.copyTo(server.dataDir);
      try {
        await expect(server.start()).rejects.toThrow(/ports taken in a row[\s\S]*Address already in use/);
        expect(asked).toBe(BIND_ATTEMPTS - 1);
        expect(server.running).toBe(false);
      } finally {
        await close(squatter);
      }
    });
  }, 60_000);
});
