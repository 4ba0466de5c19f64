/**
 * Environment keys of the ledger migrator, shared with lib/data/ledger-migration.ts. The connection keys
 * (the master secret in DB_SECRET_ARN, host, TLS names) are the order processor's: ../order-processor/db-env.
 */
export const MIGRATOR_ENV = {
  /** Secret of the processor's data-only role: its username and password are applied to the role. */
  appSecretArn: "APP_DB_SECRET_ARN",
} as const;

/** The migrator's Powertools service name (POWERTOOLS_SERVICE_NAME, lambda/shared/env.ts). */
export const MIGRATOR_DEFAULTS = { serviceName: "ledger-migrator" } as const;
