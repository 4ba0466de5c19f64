/**
 * Environment keys of the database connection, shared by the order processor, the ledger migrator and the
 * infra that sets them (lib/orders/order-processor.ts, lib/data/ledger-migration.ts). Imports nothing.
 */
export const DB_ENV = {
  /** Secret with the connection document (username, password, host, port, dbname). */
  secretArn: "DB_SECRET_ARN",
  /** Overrides the secret's host: the global writer endpoint. */
  host: "DB_HOST",
  port: "DB_PORT",
  name: "DB_NAME",
  /** "require" (default with a secret) = TLS with certificate and host-name verification | "disable". */
  ssl: "DB_SSL",
  /**
   * Comma-separated host names the server certificate may name besides the host connected to (L6): the
   * Aurora cluster endpoints the global writer endpoint can resolve to.
   */
  tlsServerNames: "DB_TLS_SERVER_NAMES",
  /** Local runs and tests only: replaces the secret. */
  url: "DATABASE_URL",
} as const;

/** The deployed connection keys under the names a function's env contract gives them. */
export const DB_CONNECTION_ENV = {
  dbSecretArn: DB_ENV.secretArn,
  dbHost: DB_ENV.host,
  dbPort: DB_ENV.port,
  dbName: DB_ENV.name,
  dbSsl: DB_ENV.ssl,
  dbTlsServerNames: DB_ENV.tlsServerNames,
} as const;
