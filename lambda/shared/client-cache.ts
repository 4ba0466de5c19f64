/**
 * One client per key (a region), made on first use and kept: warm Lambda invocations and a drill's many
 * calls to one region reuse its connections. Used by the failover Lambda and the drill.
 */
export function cachedPerKey<T>(make: (key: string) => T): (key: string) => T {
  const clients = new Map<string, T>();
  return (key) => {
    let c = clients.get(key);
    if (!c) clients.set(key, (c = make(key)));
    return c;
  };
}
