/**
 * What `pulumi up` after a refresh would change: the program's inputs against the refreshed state, less
 * each resource's ignoreChanges. "Pulumi ignores a property by using the old value from the state
 * instead of the value provided by the Pulumi program"; a property the program omits goes back to the
 * provider's default, as an omitted Optional attribute does in the AWS provider's plan.
 * https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/
 */
import { isDeepStrictEqual } from "node:util";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import type { Refreshed } from "./refreshed-state";
import { HEALTH_CHECK, MAPPING } from "./refreshed-state";

export interface Change {
  readonly resource: string;
  readonly property: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** Provider defaults of the properties the model changes, for a program that omits them:
 *  `enabled` Default true (lambda event_source_mapping), `invert_healthcheck` and `disabled` false. */
const DEFAULTS: Record<string, Record<string, unknown>> = {
  [MAPPING]: { enabled: true },
  [HEALTH_CHECK]: { invertHealthcheck: false, disabled: false },
};

const normal = (v: unknown) => JSON.parse(JSON.stringify(v ?? null)) as unknown;

/** Every property an update would change, plus resources it would create or delete. */
export function updateDiff(program: RecordedResource[], refreshed: Refreshed[]): Change[] {
  const changes: Change[] = [];
  const before = new Map(refreshed.map((r) => [r.urn, r]));
  for (const r of program) {
    const old = before.get(r.urn);
    before.delete(r.urn);
    if (!old) {
      changes.push({ resource: `${r.type} ${r.name}`, property: "(create)", from: null, to: null });
      continue;
    }
    const defaults = DEFAULTS[r.type] ?? {};
    const keys = new Set([...Object.keys(r.inputs), ...Object.keys(old.inputs)]);
    for (const key of [...keys].filter((k) => !r.ignoreChanges.includes(k))) {
      const to = normal(r.inputs[key] ?? defaults[key]);
      const from = normal(old.inputs[key] ?? defaults[key]);
      if (!isDeepStrictEqual(from, to))
        changes.push({ resource: `${r.type} ${r.name}`, property: key, from, to });
    }
  }
  for (const gone of before.values()) {
    changes.push({ resource: `${gone.type} ${gone.name}`, property: "(delete)", from: null, to: null });
  }
  return changes;
}
