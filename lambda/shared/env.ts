/**
 * What every function's environment contract is built from. Each function has one module that names
 * its keys, defaults and parser (lambda/<name>/env.ts, lambda/failover/config.ts); lib/ imports it to
 * write `environment` with `toEnvironment`, and the function imports it to read. No key is spelled
 * anywhere else.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** Set by the Lambda runtime in every function. */
export const RUNTIME_ENV = { region: "AWS_REGION" } as const;

/** Keys more than one function reads (the database connection keys are lambda/order-processor/db-env.ts). */
export const SHARED_ENV = { tableName: "ORDERS_TABLE_NAME" } as const;

/** The function's region as the runtime reports it ("unknown" outside Lambda). */
export const runtimeRegion = (env: Env): string => optionalEnv(env, RUNTIME_ENV.region) ?? "unknown";

/** Read by Powertools Logger and Metrics. https://docs.powertools.aws.dev/lambda/typescript/latest/environment-variables/ */
export const POWERTOOLS_ENV = {
  serviceName: "POWERTOOLS_SERVICE_NAME",
  metricsNamespace: "POWERTOOLS_METRICS_NAMESPACE",
} as const;

/**
 * The `environment` lib/ deploys: every setting of a contract, under its key. Values are strings or
 * Pulumi Inputs of strings; the type parameter keeps Pulumi out of the Lambda bundles.
 */
export function toEnvironment<K extends string, T>(
  keys: Readonly<Record<K, string>>,
  values: Readonly<Record<K, T>>,
): Record<string, T> {
  return Object.fromEntries((Object.keys(keys) as K[]).map((k) => [keys[k], values[k]]));
}

/** A trimmed value, or undefined when unset or blank. */
export function optionalEnv(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

export function requiredEnv(env: Env, name: string): string {
  const v = optionalEnv(env, name);
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

/**
 * The one integer-setting parser. Falls back to `def` when unset; a value that is not a base-10 integer
 * in [min, max] is an error: thrown, or, when `problems` is given, recorded there (and `def` returned) so
 * that a caller can report every problem at once.
 */
export function intFromEnv(
  env: Env,
  name: string,
  def: number,
  min: number,
  max: number,
  problems?: string[],
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return def;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    const problem = `${name}: expected an integer from ${min} to ${max}, got "${raw}"`;
    if (!problems) throw new Error(problem);
    problems.push(problem);
    return def;
  }
  return n;
}
