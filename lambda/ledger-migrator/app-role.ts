/**
 * The order processor's database role (L6): LOGIN, and on the ledger only what the booking statement
 * needs, INSERT and SELECT (INSERT ... ON CONFLICT DO NOTHING ... RETURNING needs no more:
 * https://www.postgresql.org/docs/15/sql-insert.html). No DDL, no UPDATE or DELETE, nothing on
 * schema_migrations. Idempotent: re-running sets the password and the grants again.
 *
 * The password is sent as a SCRAM-SHA-256 verifier, never in clear text, so that statement logging
 * (log_statement = ddl) can't write it to the exported PostgreSQL logs.
 * https://www.postgresql.org/docs/15/sql-createrole.html (PASSWORD: "already encrypted" verifiers are
 * stored as given) and RFC 7677 / RFC 5802 for the verifier's form.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { escapeIdentifier, escapeLiteral } from "pg";
import type { Sql } from "../order-processor/sql";

export const APP_ROLE_TABLE_PRIVILEGES = ["SELECT", "INSERT"] as const;
export const APP_ROLE_NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;

export interface AppRole {
  readonly username: string;
  readonly password: string;
}

/** "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", as PostgreSQL stores it. */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  const b64 = (b: Buffer) => b.toString("base64");
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

/** Creates or updates the role and sets exactly its grants. `db` must be one connection (a transaction). */
export async function ensureAppRole(db: Sql, role: AppRole, database: string): Promise<void> {
  if (!APP_ROLE_NAME_RE.test(role.username) || role.username === "postgres") {
    throw new Error(`app role: "${role.username}" is not a valid, non-reserved PostgreSQL role name`);
  }
  if (role.password.length < 16) throw new Error("app role: the password must have at least 16 characters");
  const name = escapeIdentifier(role.username);
  const password = escapeLiteral(scramVerifier(role.password));
  const { rows } = await db.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role.username]);
  const verb = rows.length ? "ALTER" : "CREATE";
  await db.query(
    `${verb} ROLE ${name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD ${password}`,
  );
  await db.query(`GRANT CONNECT ON DATABASE ${escapeIdentifier(database)} TO ${name}`);
  await db.query(`GRANT USAGE ON SCHEMA public TO ${name}`);
  await db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${name}`);
  await db.query(`GRANT ${APP_ROLE_TABLE_PRIVILEGES.join(", ")} ON orders TO ${name}`);
}
