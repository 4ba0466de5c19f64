/**
 * One deploy-time migration run (L6): the schema migrations, then the processor's two roles (the rotation pair), each in its own
 * transaction under the migrations' advisory lock, so a re-run or a concurrent run changes nothing twice.
 */
import {
  applyMigrations,
  MIGRATION_LOCK_KEY,
  MIGRATIONS,
  type Migration,
} from "../order-processor/migrations";
import type { Sql } from "../order-processor/sql";
import { ensureAppRoles, type AppRole } from "./app-role";

export interface MigrationResult {
  /** Migration ids applied by this run (empty when the schema was current). */
  readonly applied: string[];
  /** The role the secret names (its password was set). */
  readonly role: string;
  /** The other role of the rotation pair (grants set, password left alone). */
  readonly alternateRole: string;
}

export async function runLedgerMigration(
  db: Sql,
  app: AppRole,
  database: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  const applied = await applyMigrations(db, migrations);
  let roles: string[] = [];
  await db.query("BEGIN");
  try {
    await db.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    roles = await ensureAppRoles(db, app, database);
    await db.query("COMMIT");
  } catch (err) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
  return { applied, role: roles[0], alternateRole: roles[1] };
}
