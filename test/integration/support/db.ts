/** Connection settings for the Aurora ledger check (only run with TAP_DB_REACHABLE=1). */
import { readFileSync } from "node:fs";
import type { ClientConfig } from "pg";
import type { ConnectionOptions } from "node:tls";

export const RDS_CA_ENV = "TAP_RDS_CA_FILE";

export interface DbSecret {
  readonly username: string;
  readonly password: string;
  readonly host?: string;
  readonly port: number;
  readonly dbname: string;
}

/** Parses the Secrets Manager JSON ({username,password,host,port,dbname}); names missing fields, never values. */
export function parseDbSecret(secretString: string | undefined): DbSecret {
  if (!secretString) throw new Error("DB secret has no SecretString");
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(secretString) as Record<string, unknown>;
  } catch {
    throw new Error("DB secret SecretString is not JSON");
  }
  const missing = ["username", "password", "dbname"].filter(
    (k) => typeof raw[k] !== "string" || raw[k] === "",
  );
  if (missing.length > 0) throw new Error(`DB secret lacks ${missing.join(", ")}`);
  const port = raw.port === undefined ? 5432 : Number(raw.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error("DB secret has an invalid port");
  return {
    username: raw.username as string,
    password: raw.password as string,
    host: typeof raw.host === "string" ? raw.host : undefined,
    port,
    dbname: raw.dbname as string,
  };
}

export interface DbTls {
  readonly ssl: ConnectionOptions;
  readonly verified: boolean;
}

/**
 * With TAP_RDS_CA_FILE (the RDS global CA bundle) the server certificate is verified. Without it TLS is
 * still on but unverified, because that bundle isn't shipped in this repo; the test logs which one it used.
 */
export function dbTls(env: NodeJS.ProcessEnv = process.env): DbTls {
  const caFile = env[RDS_CA_ENV]?.trim();
  if (caFile) return { ssl: { ca: readFileSync(caFile, "utf8"), rejectUnauthorized: true }, verified: true };
  return { ssl: { rejectUnauthorized: false }, verified: false };
}

export function pgClientConfig(host: string, secret: DbSecret, tls: DbTls): ClientConfig {
  return {
    host,
    port: secret.port,
    user: secret.username,
    password: secret.password,
    database: secret.dbname,
    ssl: tls.ssl,
    connectionTimeoutMillis: 5_000,
    query_timeout: 5_000,
    statement_timeout: 5_000,
  };
}
