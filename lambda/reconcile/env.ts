/**
 * The reconcile function's environment contract: lib/failover/reconcile-function.ts writes it, index.ts
 * reads it. It reaches the ledger by the order processor's own path and role (the connection keys are
 * order-processor/db-env.ts, parsed by order-processor/db.ts) and the orders table of its region.
 */
import { DB_CONNECTION_ENV } from "../order-processor/db-env";
import { ORDER_PROCESSOR_DEFAULTS, ORDER_PROCESSOR_ENV } from "../order-processor/env";
import { optionalEnv, POWERTOOLS_ENV, requiredEnv, runtimeRegion, SHARED_ENV, type Env } from "../shared/env";

export const RECONCILE_ENV = {
  serviceName: POWERTOOLS_ENV.serviceName,
  tableName: SHARED_ENV.tableName,
  ...DB_CONNECTION_ENV,
  extraCaCerts: ORDER_PROCESSOR_ENV.extraCaCerts,
} as const;

/** The function's timeout, inside the orchestrator's 120 s synchronous invoke (lambda/failover/index.ts);
 *  a person's synchronous invoke waits longer (scripts/reconcile.ts). */
export const RECONCILE_TIMEOUT_SECONDS = 110;

export const RECONCILE_DEFAULTS = {
  serviceName: "reconcile",
  dbSsl: ORDER_PROCESSOR_DEFAULTS.dbSsl,
  extraCaCerts: ORDER_PROCESSOR_DEFAULTS.extraCaCerts,
} as const;

export const reconcileServiceName = (env: Env): string =>
  optionalEnv(env, RECONCILE_ENV.serviceName) ?? RECONCILE_DEFAULTS.serviceName;

/** Read on the first invocation, so that loading the module never throws. */
export function parseReconcileEnv(env: Env): { region: string; tableName: string } {
  return { region: runtimeRegion(env), tableName: requiredEnv(env, RECONCILE_ENV.tableName) };
}
