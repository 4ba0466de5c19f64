/**
 * A value shared by every test file one process runs. Jest gives each file fresh modules and a fresh
 * global object, but Node's built-in modules are the same objects for all of them, so the registry
 * hangs off one (under a symbol from the global registry, shared by every realm). Used for servers
 * that are slow to start and safe to share, such as an embedded PostgreSQL cluster: one per worker.
 */
// A plain require: `import * as os` would hand each file its own wrapper object, not the module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const os = require("node:os") as object;

const REGISTRY = Symbol.for("tap.test.per-process");
type Registry = Map<string, Promise<unknown>>;

function registry(): Registry {
  const holder = os as unknown as Record<symbol, Registry | undefined>;
  return (holder[REGISTRY] ??= new Map());
}

/** Starts the value on first use in this process; later callers (any test file) get the same one. */
export function perProcess<T>(key: string, start: () => Promise<T>): Promise<T> {
  const values = registry();
  let found = values.get(key) as Promise<T> | undefined;
  if (!found) {
    found = start();
    // A failed start is not cached: the next file tries again and reports its own error.
    found.catch(() => values.delete(key));
    values.set(key, found);
  }
  return found;
}
