/**
 * One program run per distinct configuration per test file. Jest gives every test file its own module
 * registry, so this cache lives exactly as long as the file: files never share a run, tests in one
 * file do. A failed run is cached too (its rejection is what every caller should see).
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
