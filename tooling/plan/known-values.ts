/**
 * Which output values a preview could know. Offline, the mocks answer every computed property (ids,
 * ARNs, endpoints, auto-names) with a placeholder; `pulumi preview` shows those as unknown. A value is
 * computed when it is, or contains, a string some resource's state has that its own inputs did not
 * (what the provider would have returned); every other value came from the program and is known.
 */
import { PlanResource, REDACTED } from "./model";

export const KNOWN_AFTER_DEPLOY = "(known after deploy)";

/** Shorter strings ("1", "aws") occur by chance inside known values; placeholders are longer. */
const MIN_PLACEHOLDER = 6;

function strings(v: unknown, into: Set<string>): Set<string> {
  if (typeof v === "string") into.add(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, into));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => strings(x, into));
  return into;
}

/** Every string a resource's id and state hold that its own inputs did not: what the mock made up. */
export function computedStrings(resources: readonly PlanResource[]): string[] {
  const found = new Set<string>();
  for (const r of resources) {
    if (!r.custom) continue;
    const own = strings(r.inputs, new Set());
    for (const s of strings([r.id, r.state], new Set()))
      if (!own.has(s) && s.length >= MIN_PLACEHOLDER) found.add(s);
  }
  return [...found];
}

/** `value` with every string leaf that holds a computed string replaced by KNOWN_AFTER_DEPLOY. */
export function asPreviewed(value: unknown, computed: readonly string[]): unknown {
  if (typeof value === "string") {
    return value !== REDACTED && computed.some((c) => value.includes(c)) ? KNOWN_AFTER_DEPLOY : value;
  }
  if (Array.isArray(value)) return value.map((x) => asPreviewed(x, computed));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, asPreviewed(x, computed)]));
  }
  return value;
}
