/**
 * The order processor's database roles (L6, S3): LOGIN, and on the ledger only what the booking statement
 * needs, INSERT and SELECT (INSERT ... ON CONFLICT DO NOTHING ... RETURNING needs no more:
 * https://www.postgresql.org/docs/15/sql-insert.html). No DDL, no UPDATE or DELETE, nothing on
 * schema_migrations. Idempotent: re-running sets the password and the grants again.
 *
 * Two roles, because the secret rotates with AWS's alternating-users (multi-user) function: each rotation
 * sets a new password on the role the secret does NOT name, then makes the secret name it, so the
 * credentials in use stay valid until the next rotation. The function alternates between `<name>` and
 * `<name>_clone`, and creates the clone, when missing, as a member of the current role
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-strategy.html). We create both
 * roles ourselves with the same attributes and direct grants, so whichever the secret names can book,
 * and a new migration's grants reach both; the function then only ever changes a password.
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

/** What the rotation function appends to the base name for the second user. */
export const CLONE_SUFFIX = "_clone";
/** PostgreSQL truncates identifiers beyond 63 bytes, so a base name leaves room for the suffix. */
export const MAX_BASE_ROLE_LENGTH = 63 - CLONE_SUFFIX.length;

/** The two users a multi-user rotation alternates between, whichever of them `username` is. */
export function rotationPair(username: string): { readonly base: string; readonly clone: string } {
  const base = username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username;
  return { base, clone: `${base}${CLONE_SUFFIX}` };
}

function checkRole(role: AppRole): void {
  const { base } = rotationPair(role.username);
  if (!APP_ROLE_NAME_RE.test(role.username) || base === "postgres") {
    throw new Error(`app role: "${role.username}" is not a valid, non-reserved PostgreSQL role name`);
  }
  if (base.length > MAX_BASE_ROLE_LENGTH) {
    throw new Error(`app role: "${base}" leaves no room for "${CLONE_SUFFIX}" (at most 63 characters)`);
  }
  if (role.password.length < 16) throw new Error("app role: the password must have at least 16 characters");
}

const ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT";

/**
 * Creates or updates both roles and sets exactly their grants. The role the secret names gets the
 * secret's password; the other keeps its own (it may be the previous credentials, still in use until
 * the next rotation), or, when new, none: it cannot log in until a rotation gives it one.
 * `db` must be one connection (a transaction).
 */
export async function ensureAppRoles(db: Sql, role: AppRole, database: string): Promise<string[]> {
  checkRole(role);
  const { base, clone } = rotationPair(role.username);
  const other = role.username === base ? clone : base;
  await upsertRole(db, role.username, `PASSWORD ${escapeLiteral(scramVerifier(role.password))}`);
  await upsertRole(db, other, undefined);
  for (const name of [base, clone].map((n) => escapeIdentifier(n))) {
    await db.query(`GRANT CONNECT ON DATABASE ${escapeIdentifier(database)} TO ${name}`);
    await db.query(`GRANT USAGE ON SCHEMA public TO ${name}`);
    await db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${name}`);
    await db.query(`GRANT ${APP_ROLE_TABLE_PRIVILEGES.join(", ")} ON orders TO ${name}`);
  }
  return [role.username, other];
}

/** CREATE or ALTER `name` with the fixed attributes; `password` only when given (NULL for a new role). */
async function upsertRole(db: Sql, name: string, password: string | undefined): Promise<void> {
  const { rows } = await db.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name]);
  const exists = rows.length > 0;
  const pw = password ?? (exists ? "" : "PASSWORD NULL");
  await db.query(
    `${exists ? "ALTER" : "CREATE"} ROLE ${escapeIdentifier(name)} WITH ${ATTRIBUTES} ${pw}`.trim(),
  );
}
