/**
 * The ledger connection: a small pg Pool cached for the life of the execution environment, credentials
 * from Secrets Manager (or DATABASE_URL for local runs), and one
 * transparent reconnect for the failures a reconnect can fix: a rotated password, a dropped connection,
 * or a writer endpoint that now points at a read-only instance after a global-database failover.
 */
import { GetSecretValueCommand, type GetSecretValueCommandOutput } from "@aws-sdk/client-secrets-manager";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { Pool, type PoolConfig } from "pg";
import { intFromEnv } from "../shared/env";
import type { Log } from "../shared/log";
import { DB_ENV } from "./db-env";
import { sqlState, type Sql } from "./sql";

export interface DbSettings {
  /** DATABASE_URL: bypasses Secrets Manager (local runs and tests). */
  readonly url?: string;
  readonly secretArn?: string;
  /** Override the secret's host/port/dbname: the infra passes the global writer endpoint. */
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  /** "require" = TLS with certificate and host-name verification; undefined = whatever `url` says. */
  readonly ssl?: "require" | "disable";
  /** Names the server certificate may carry besides `host` (see tlsIdentityCheck). */
  readonly tlsServerNames?: readonly string[];
  /** PEM trust anchors replacing Node's default store (tests; the Lambda uses NODE_EXTRA_CA_CERTS). */
  readonly tlsCa?: string;
  readonly poolMax: number;
  readonly connectTimeoutMs: number;
  /** Server-side cap per statement (SET statement_timeout). */
  readonly statementTimeoutMs: number;
  /** Client-side cap per query: catches a connection that stalls without closing. */
  readonly queryTimeoutMs: number;
}

export const DB_DEFAULTS = {
  poolMax: 3,
  connectTimeoutMs: 3000,
  statementTimeoutMs: 5000,
  queryTimeoutMs: 7000,
} as const;

export function dbSettingsFromEnv(env: NodeJS.ProcessEnv, secretKey: string = DB_ENV.secretArn): DbSettings {
  const url = env[DB_ENV.url]?.trim() || undefined;
  const secretArn = env[secretKey]?.trim() || undefined;
  if (!url && !secretArn) throw new Error(`${secretKey} is not set (or ${DB_ENV.url} for local runs)`);
  const sslRaw = env[DB_ENV.ssl]?.trim() || (url ? undefined : "require");
  if (sslRaw !== undefined && sslRaw !== "require" && sslRaw !== "disable") {
    throw new Error(`${DB_ENV.ssl}: expected "require" or "disable", got "${sslRaw}"`);
  }
  const port = env[DB_ENV.port]?.trim() ? intFromEnv(env, DB_ENV.port, 5432, 1, 65535) : undefined;
  const names = (env[DB_ENV.tlsServerNames] ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  return {
    url,
    secretArn: url ? undefined : secretArn,
    host: env[DB_ENV.host]?.trim() || undefined,
    port,
    database: env[DB_ENV.name]?.trim() || undefined,
    ssl: sslRaw,
    ...(names.length ? { tlsServerNames: names } : {}),
    ...DB_DEFAULTS,
  };
}

/**
 * Host-name check for the server certificate (L6). The chain is verified as always; the name must match
 * the host connected to OR one of `alsoAccepted`. Whether Aurora's certificate names the global writer
 * endpoint (<id>.global-<hash>.global.rds.amazonaws.com) is not documented; that endpoint is a DNS name
 * that resolves to the current primary cluster's endpoint, whose name the certificate does carry
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html). The infra passes
 * both clusters' writer endpoints here, so the check holds whichever way AWS answers, and still refuses a
 * certificate for any other name.
 */
export function tlsIdentityCheck(
  alsoAccepted: readonly string[],
): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const first = checkServerIdentity(host, cert);
    if (!first) return undefined;
    return alsoAccepted.some((name) => checkServerIdentity(name, cert) === undefined) ? undefined : first;
  };
}

/** What the handler needs from Secrets Manager; a SecretsManagerClient satisfies it. */
export interface SecretSource {
  send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput>;
}

interface Credentials {
  readonly user: string;
  readonly password: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

const AUTH_FAILURES = new Set(["28P01", "28000"]);
// 25006: read_only_sql_transaction (endpoint now resolves to a reader); 57P01-03: server shutting down,
// crashed or not yet accepting connections (failover, restart).
const RECONNECT_STATES = new Set(["25006", "57P01", "57P02", "57P03"]);
const CONNECTION_LOST =
  /Connection terminated|ECONNRESET|EPIPE|socket hang up|Client has encountered a connection error/i;

/** Why a reconnect might help, or undefined when it won't (timeouts are not retried: they spent the budget). */
export function reconnectReason(err: unknown): "auth" | "connection" | undefined {
  const state = sqlState(err);
  if (state !== undefined) {
    if (AUTH_FAILURES.has(state)) return "auth";
    return RECONNECT_STATES.has(state) ? "connection" : undefined;
  }
  const message = String((err as Error | null)?.message ?? err);
  return CONNECTION_LOST.test(message) && !/timeout/i.test(message) ? "connection" : undefined;
}

export interface DatabaseDeps {
  readonly logger: Log;
  readonly secrets?: SecretSource;
  readonly applicationName?: string;
}

/** The secret's JSON document. Errors never echo the secret itself. */
export async function fetchSecretDocument(
  secrets: SecretSource,
  secretArn: string,
): Promise<Record<string, unknown>> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!out.SecretString) throw new Error("database secret has no SecretString");
  try {
    return JSON.parse(out.SecretString) as Record<string, unknown>;
  } catch {
    throw new Error("database secret is not JSON");
  }
}

export class Database implements Sql {
  private credentials?: Promise<Credentials>;
  private pool?: Promise<Pool>;

  constructor(
    private readonly settings: DbSettings,
    private readonly deps: DatabaseDeps,
  ) {
    if (!settings.url && !(settings.secretArn && deps.secrets)) {
      throw new Error("Database needs either a url or a secretArn and a Secrets Manager client");
    }
  }

  async query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[] }> {
    // At most one reconnect per kind: a failover and a rotated password can coincide, nothing more.
    const spent = new Set<string>();
    for (;;) {
      try {
        return await (await this.ready()).query<R & Record<string, unknown>>(text, values);
      } catch (err) {
        const reason = reconnectReason(err);
        if (!reason || spent.has(reason)) throw err;
        spent.add(reason);
        this.deps.logger.warn("database error; reconnecting", {
          reason,
          code: sqlState(err),
          error: (err as Error).message,
        });
        await this.reset(reason === "auth");
      }
    }
  }

  /** Runs `fn` on one connection (a transaction); a connection that failed is discarded, not pooled. */
  async withConnection<T>(fn: (client: Sql) => Promise<T>): Promise<T> {
    const client = await (await this.ready()).connect();
    let failed: Error | undefined;
    try {
      return await fn(client);
    } catch (err) {
      failed = err as Error;
      throw err;
    } finally {
      client.release(failed);
    }
  }

  /** Closes the pool (tests, benchmarks). A Lambda never calls it: the pool outlives the invocation. */
  async end(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool.catch(() => undefined))?.end();
  }

  private ready(): Promise<Pool> {
    this.pool ??= this.open().catch((err: unknown) => {
      this.pool = undefined; // don't cache a failure: the next invocation tries afresh
      throw err;
    });
    return this.pool;
  }

  private async open(): Promise<Pool> {
    const pool = new Pool(await this.poolConfig());
    pool.on("error", (err) =>
      this.deps.logger.warn("idle database connection failed", { error: err.message }),
    );
    return pool;
  }

  private async reset(refetchSecret: boolean): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (refetchSecret) this.credentials = undefined;
    const old = await pool?.catch(() => undefined);
    void old?.end().catch(() => undefined);
  }

  private async poolConfig(): Promise<PoolConfig> {
    const s = this.settings;
    const common: PoolConfig = {
      max: s.poolMax,
      connectionTimeoutMillis: s.connectTimeoutMs,
      statement_timeout: s.statementTimeoutMs,
      query_timeout: s.queryTimeoutMs,
      idleTimeoutMillis: 60_000,
      keepAlive: true,
      allowExitOnIdle: true,
      application_name: this.deps.applicationName ?? "tap-order-processor",
    };
    // NODE_EXTRA_CA_CERTS (set by the infra to the runtime's Amazon CA bundle) is part of Node's default
    // trust store, so plain verification covers the RDS certificates; pg verifies the host name too.
    const ssl =
      s.ssl === undefined
        ? {}
        : {
            ssl:
              s.ssl === "require"
                ? {
                    rejectUnauthorized: true,
                    checkServerIdentity: tlsIdentityCheck(s.tlsServerNames ?? []),
                    ...(s.tlsCa ? { ca: s.tlsCa } : {}),
                  }
                : false,
          };
    if (s.url) {
      return { ...common, connectionString: s.url, ...ssl };
    }
    const c = await this.getCredentials();
    return {
      ...common,
      ...ssl,
      host: c.host,
      port: c.port,
      user: c.user,
      password: c.password,
      database: c.database,
    };
  }

  private getCredentials(): Promise<Credentials> {
    this.credentials ??= this.fetchCredentials().catch((err: unknown) => {
      this.credentials = undefined;
      throw err;
    });
    return this.credentials;
  }

  private async fetchCredentials(): Promise<Credentials> {
    const parsed = await fetchSecretDocument(this.deps.secrets!, this.settings.secretArn!);
    const str = (k: string): string | undefined =>
      typeof parsed[k] === "string" ? (parsed[k] as string) : undefined;
    const user = str("username");
    const password = str("password");
    const host = this.settings.host ?? str("host");
    const port = this.settings.port ?? Number(parsed.port ?? 5432);
    const database = this.settings.database ?? str("dbname") ?? "postgres";
    if (!user || !password || !host || !Number.isInteger(port)) {
      throw new Error("database secret lacks username, password, host or port");
    }
    return { user, password, host, port, database };
  }
}
