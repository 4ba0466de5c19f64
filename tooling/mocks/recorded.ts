/**
 * What the recorder (recorder.ts) keeps of a program run, as plain data: no Pulumi runtime is needed to
 * read it, so a run recorded once can be shared (test/support/program-runs.ts) and read anywhere.
 */

/** Marks a value the program registered as a Pulumi secret. */
export class SecretValue {
  constructor(readonly value: unknown) {}
  toJSON(): string {
    return "[secret]";
  }
}

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  /** Inputs as the program sent them; secret values are wrapped in SecretValue. */
  inputs: Record<string, unknown>;
  custom: boolean;
  /** URN of the explicit provider, when there is one. */
  providerUrn?: string;
  /** Region of that provider (or of the resource's own `region` input). */
  region?: string;
  parentUrn?: string;
  /** URNs this resource waits on: explicit dependsOn plus every resource its inputs came from. */
  dependencies: string[];
  protect: boolean;
  ignoreChanges: string[];
  deleteBeforeReplace: boolean;
  retainOnDelete: boolean;
  id: string;
  state: Record<string, unknown>;
}

/** Every resource of `resources` below `urn` in the parent tree. */
export function descendants(resources: readonly RecordedResource[], urn: string): RecordedResource[] {
  const children = resources.filter((r) => r.parentUrn === urn);
  return children.flatMap((c) => [c, ...descendants(resources, c.urn)]);
}

/**
 * True when `r` waits for `component` (both of `resources`): Pulumi expands a dependency on a component
 * into its custom descendants, so every one of those must be among r's dependencies.
 */
export function waitsFor(
  resources: readonly RecordedResource[],
  r: RecordedResource,
  component: RecordedResource,
): boolean {
  const targets = component.custom
    ? [component]
    : descendants(resources, component.urn).filter((d) => d.custom);
  return targets.length > 0 && targets.every((t) => r.dependencies.includes(t.urn));
}
