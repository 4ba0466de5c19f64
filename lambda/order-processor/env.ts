/**
 * The order processor's environment contract: lib/orders/order-processor.ts writes it, index.ts reads it.
 * DATABASE_URL is for local runs only (it replaces the secret) and is never deployed.
 */
import { optionalEnv, POWERTOOLS_ENV, requiredEnv, runtimeRegion, SHARED_ENV, type Env } from "../shared/env";
import { dbSettingsFromEnv, type DbSettings } from "./db";
import { DB_CONNECTION_ENV, DB_ENV } from "./db-env";

export const ORDER_PROCESSOR_ENV = {
  ...POWERTOOLS_ENV,
  ...SHARED_ENV,
  /** The connection keys, shared with the ledger migrator (db-env.ts; the parser is db.ts). */
  ...DB_CONNECTION_ENV,
  /** Node 20+ runtimes do not load the RDS CA bundle unless told to. */
  extraCaCerts: "NODE_EXTRA_CA_CERTS",
  /** Where rejected and conflicting orders are parked (park.ts), apart from the redrivable DLQ. */
  rejectsQueueUrl: "REJECTS_QUEUE_URL",
  /** The order queue's visibility timeout, seconds: how crash-type poison is told apart (crash-suspect.ts). */
  queueVisibilitySeconds: "QUEUE_VISIBILITY_SECONDS",
} as const;

export const LOCAL_DATABASE_URL_ENV = DB_ENV.url;

export const ORDER_PROCESSOR_DEFAULTS = {
  serviceName: "order-processor",
  metricsNamespace: "Tap/Orders",
  dbSsl: "require",
  /** Where the Lambda Node.js runtimes keep the CA bundle that includes the RDS CAs. */
  extraCaCerts: "/var/runtime/ca-cert.pem",
} as const;

export interface OrderProcessorSettings {
  readonly region: string;
  readonly tableName: string;
  readonly db: DbSettings;
  /** Absent: rejected messages reach the DLQ through the redrive policy instead (tests, benchmarks). */
  readonly rejectsQueueUrl?: string;
  /** Absent: crash-type poison is not told apart and reaches the DLQ (tests, benchmarks). */
  readonly queueVisibilitySeconds?: number;
}

export const orderProcessorService = (env: Env) => ({
  serviceName: optionalEnv(env, ORDER_PROCESSOR_ENV.serviceName) ?? ORDER_PROCESSOR_DEFAULTS.serviceName,
  namespace:
    optionalEnv(env, ORDER_PROCESSOR_ENV.metricsNamespace) ?? ORDER_PROCESSOR_DEFAULTS.metricsNamespace,
});

/** Read on the first invocation, so that loading the module never throws. */
export function parseOrderProcessorEnv(env: Env): OrderProcessorSettings {
  return {
    region: runtimeRegion(env),
    tableName: requiredEnv(env, ORDER_PROCESSOR_ENV.tableName),
    db: dbSettingsFromEnv(env),
    rejectsQueueUrl: optionalEnv(env, ORDER_PROCESSOR_ENV.rejectsQueueUrl),
    queueVisibilitySeconds: parseVisibility(optionalEnv(env, ORDER_PROCESSOR_ENV.queueVisibilitySeconds)),
  };
}

/** A whole number of seconds within SQS's visibility range (0 to 43,200), or a clear error. */
function parseVisibility(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 43_200) {
    throw new Error(
      `${ORDER_PROCESSOR_ENV.queueVisibilitySeconds} must be a whole number of seconds from 0 to 43200, got "${raw}"`,
    );
  }
  return n;
}
