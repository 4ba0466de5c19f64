/**
 * The PostgreSQL server the benchmark uses, chosen as the tests choose theirs: DATABASE_URL when set,
 * otherwise an embedded PostgreSQL 15 (test/support/postgres.ts), so `npm run bench` works on a fresh
 * clone instead of failing with ECONNREFUSED. The embedded server stops when the process exits.
 */
import { LOCAL_DATABASE_URL_ENV } from "../lambda/order-processor/env";
import { startTestDatabase } from "../tooling/stores/postgres";

/** A superuser URL on the server, and what it is (printed with the figures). */
export async function benchServer(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<{ url: string; source: string }> {
  const external = env[LOCAL_DATABASE_URL_ENV]?.trim();
  if (external) return { url: external, source: LOCAL_DATABASE_URL_ENV };
  const db = await startTestDatabase();
  return { url: db.url, source: `embedded PostgreSQL (${LOCAL_DATABASE_URL_ENV} not set)` };
}
