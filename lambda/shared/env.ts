/** Reads an integer setting; falls back to `def` when unset and throws when set to garbage or out of range. */
export function intFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  def: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

export function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new Error(`${name} is not set`);
  return v;
}
