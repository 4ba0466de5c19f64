/**
 * The health function's environment contract: lib/orders/order-api.ts writes it, index.ts reads it.
 *
 * Route 53 marks an HTTP(S) check failed unless the endpoint answers within two seconds of the
 * connection being established (four seconds to connect):
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 * The checks run in parallel, each capped by the per-check budget; one second of budget leaves about a
 * second for API Gateway and a cold start of the VPC function inside those two seconds.
 */
import { DB_ENV } from "../order-processor/db-env";
import { intFromEnv, optionalEnv, POWERTOOLS_ENV, runtimeRegion, SHARED_ENV, type Env } from "../shared/env";

export const HEALTH_ENV = {
  ...SHARED_ENV,
  /** This region's cluster endpoint. */
  dbHost: DB_ENV.host,
  dbPort: DB_ENV.port,
  queueUrl: "QUEUE_URL",
  checkTimeoutMs: "CHECK_TIMEOUT_MS",
  /** UUID of this region's order-processor event source mapping: enabled = writer, disabled = standby. */
  mappingUuid: "EVENT_SOURCE_MAPPING_UUID",
} as const;

/** Per-check budget, milliseconds (see above). */
export const CHECK_TIMEOUT_MS = { default: 1_000, min: 50, max: 1_500 } as const;

export const HEALTH_DEFAULTS = {
  serviceName: "health",
  dbPort: 5432,
  checkTimeoutMs: CHECK_TIMEOUT_MS.default,
  maxCheckTimeoutMs: CHECK_TIMEOUT_MS.max,
} as const;

export interface HealthSettings {
  readonly region: string;
  readonly queueUrl?: string;
  readonly tableName?: string;
  readonly dbHost?: string;
  readonly dbPort: number;
  readonly mappingUuid?: string;
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
    mappingUuid: optionalEnv(env, HEALTH_ENV.mappingUuid),
    timeoutMs: intFromEnv(
      env,
      HEALTH_ENV.checkTimeoutMs,
      CHECK_TIMEOUT_MS.default,
      CHECK_TIMEOUT_MS.min,
      CHECK_TIMEOUT_MS.max,
    ),
  };
}
