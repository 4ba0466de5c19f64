/**
 * The order processor's environment contract: lib/orders/order-processor.ts writes it, index.ts reads it.
 * DATABASE_URL is for local runs only (it replaces the secret) and is never deployed.
 */
import {
  intFromEnv,
  optionalEnv,
  POWERTOOLS_ENV,
  requiredEnv,
  SHARED_ENV,
  runtimeRegion,
  type Env,
} from "../shared/env";
import { DB_DEFAULTS, type DbSettings } from "./db";

export const ORDER_PROCESSOR_ENV = {
  ...POWERTOOLS_ENV,
  /** dbHost, dbPort and dbName override the secret's: the infra passes the global writer endpoint. */
  ...SHARED_ENV,
  dbSecretArn: "DB_SECRET_ARN",
  dbName: "DB_NAME",
  /** "require" (default) | "disable". */
  dbSsl: "DB_SSL",
  /** Node 20+ runtimes do not load the RDS CA bundle unless told to. */
  extraCaCerts: "NODE_EXTRA_CA_CERTS",
} as const;

export const LOCAL_DATABASE_URL_ENV = "DATABASE_URL";

export const ORDER_PROCESSOR_DEFAULTS = {
  serviceName: "order-processor",
  metricsNamespace: "Tap/Orders",
  dbSsl: "require",
  dbPort: 5432,
  /** Where the Lambda Node.js runtimes keep the CA bundle that includes the RDS CAs. */
  extraCaCerts: "/var/runtime/ca-cert.pem",
} as const;

export interface OrderProcessorSettings {
  readonly region: string;
  readonly tableName: string;
  readonly db: DbSettings;
}

export const orderProcessorService = (env: Env) => ({
  serviceName: optionalEnv(env, ORDER_PROCESSOR_ENV.serviceName) ?? ORDER_PROCESSOR_DEFAULTS.serviceName,
  namespace:
    optionalEnv(env, ORDER_PROCESSOR_ENV.metricsNamespace) ?? ORDER_PROCESSOR_DEFAULTS.metricsNamespace,
});

export function dbSettingsFromEnv(env: Env): DbSettings {
  const keys = ORDER_PROCESSOR_ENV;
  const url = optionalEnv(env, LOCAL_DATABASE_URL_ENV);
  const secretArn = optionalEnv(env, keys.dbSecretArn);
  if (!url && !secretArn) {
    throw new Error(`${keys.dbSecretArn} is not set (or ${LOCAL_DATABASE_URL_ENV} for local runs)`);
  }
  const sslRaw = optionalEnv(env, keys.dbSsl) ?? (url ? undefined : ORDER_PROCESSOR_DEFAULTS.dbSsl);
  if (sslRaw !== undefined && sslRaw !== "require" && sslRaw !== "disable") {
    throw new Error(`${keys.dbSsl}: expected "require" or "disable", got "${sslRaw}"`);
  }
  const port = optionalEnv(env, keys.dbPort)
    ? intFromEnv(env, keys.dbPort, ORDER_PROCESSOR_DEFAULTS.dbPort, 1, 65535)
    : undefined;
  return {
    url,
    secretArn: url ? undefined : secretArn,
    host: optionalEnv(env, keys.dbHost),
    port,
    database: optionalEnv(env, keys.dbName),
    ssl: sslRaw,
    ...DB_DEFAULTS,
  };
}

/** Read on the first invocation, so that loading the module never throws. */
export function parseOrderProcessorEnv(env: Env): OrderProcessorSettings {
  return {
    region: runtimeRegion(env),
    tableName: requiredEnv(env, ORDER_PROCESSOR_ENV.tableName),
    db: dbSettingsFromEnv(env),
  };
}
