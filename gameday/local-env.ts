/**
 * A function's environment as the program sets it, with `local` values in place of the program's: every
 * key of `local`, `kept` and `dropped` must be one the program sets, so a key renamed or dropped in lib/
 * stops the world instead of being filled in here. Used by both worlds (world.ts, day-one/world.ts).
 */
export function localEnv(
  functionName: string,
  programEnv: Readonly<Record<string, string>>,
  local: Readonly<Record<string, string>>,
  kept: readonly string[],
  dropped: readonly string[] = [],
): Record<string, string> {
  const missing = [...Object.keys(local), ...kept, ...dropped].filter((k) => !(k in programEnv));
  if (missing.length)
    throw new Error(`${functionName}: the program sets no ${missing.join(", ")} in its environment`);
  const env: Record<string, string> = { ...programEnv, ...local };
  for (const k of dropped) delete env[k];
  return env;
}
