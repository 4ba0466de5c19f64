/**
 * One deploy-time migration run (L6): the schema migrations, then the processor's role, each in its own
 * transaction under the migrations' advisory lock, so a re-run or a concurrent run changes nothing twice.
 */
import {
  applyMigrations,
  MIGRATION_LOCK_KEY,
  MIGRATIONS,
  type Migration,
} from "../order-processor/migrations";
import type { Sql } from "../order-processor/sql";
import { ensureAppRole, type AppRole } from "./app-role";

export interface MigrationResult {
  /** Migration ids applied by this run (empty when the schema was current). */
  readonly applied: string[];
  readonly role: string;
}

export async function runLedgerMigration(
  db: Sql,
  app: AppRole,
  database: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  const applied = await applyMigrations(db, migrations);
  await db.query("BEGIN");
  try {
    await db.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await ensureAppRole(db, app, database);
    await db.query("COMMIT");
  } catch (err) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
  return { applied, role: app.username };
}
