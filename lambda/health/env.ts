/** The health function's environment contract: lib/orders/order-api.ts writes it, index.ts reads it. */
import { DB_ENV } from "../order-processor/db-env";
import { intFromEnv, optionalEnv, POWERTOOLS_ENV, runtimeRegion, SHARED_ENV, type Env } from "../shared/env";

export const HEALTH_ENV = {
  ...SHARED_ENV,
  /** This region's cluster endpoint. */
  dbHost: DB_ENV.host,
  dbPort: DB_ENV.port,
  queueUrl: "QUEUE_URL",
  checkTimeoutMs: "CHECK_TIMEOUT_MS",
} as const;

export const HEALTH_DEFAULTS = {
  serviceName: "health",
  dbPort: 5432,
  /** At most 2500 so the whole answer stays under ~3 s. */
  checkTimeoutMs: 2000,
  maxCheckTimeoutMs: 2500,
} as const;

export interface HealthSettings {
  readonly region: string;
  readonly queueUrl?: string;
  readonly tableName?: string;
  readonly dbHost?: string;
  readonly dbPort: number;
  readonly timeoutMs: number;
}

export const healthServiceName = (env: Env): string =>
  optionalEnv(env, POWERTOOLS_ENV.serviceName) ?? HEALTH_DEFAULTS.serviceName;

/** Throws on a malformed number; missing names are reported by the checks that need them. */
export function parseHealthEnv(env: Env): HealthSettings {
  return {
    region: runtimeRegion(env),
    queueUrl: optionalEnv(env, HEALTH_ENV.queueUrl),
    tableName: optionalEnv(env, HEALTH_ENV.tableName),
    dbHost: optionalEnv(env, HEALTH_ENV.dbHost),
    dbPort: intFromEnv(env, HEALTH_ENV.dbPort, HEALTH_DEFAULTS.dbPort, 1, 65535),
    timeoutMs: intFromEnv(
      env,
      HEALTH_ENV.checkTimeoutMs,
      HEALTH_DEFAULTS.checkTimeoutMs,
      50,
      HEALTH_DEFAULTS.maxCheckTimeoutMs,
    ),
  };
}
