/**
 * One program run per distinct configuration per test file, in memory. Jest gives every test file its
 * own module registry, so this cache lives exactly as long as the file (program-runs.ts shares runs
 * between files, on disk). A failed run is cached here too (its rejection is what every caller in the
 * file should see), and only here.
 */
const runs = new Map<string, Promise<unknown>>();

/** Key for a config object: the same pairs in any order give the same key. */
export function configKey(config: Readonly<Record<string, string>>, stack: string): string {
  return JSON.stringify([stack, Object.entries(config).sort(([a], [b]) => a.localeCompare(b))]);
}

export function once<T>(key: string, run: () => Promise<T>): Promise<T> {
  let found = runs.get(key) as Promise<T> | undefined;
  if (!found) {
    found = run();
    runs.set(key, found);
  }
  return found;
}
