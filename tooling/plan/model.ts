/**
 * What the offline plan works on: the resources tooling/mocks/recorder.ts records while index.ts runs under the
 * mock runtime. Their type is the recorder's plain data (tooling/mocks/recorded.ts, which loads no Pulumi).
 */
import type { RecordedResource } from "../mocks/recorded";

/** A resource as the mock runtime recorded it, read only. */
export type PlanResource = Readonly<RecordedResource>;

export const REDACTED = "[secret]";

// Pulumi's wire encoding of special values (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";

/** tooling/mocks/recorder.ts SecretValue, recognised by shape: a wrapper whose JSON form is "[secret]". */
function isSecretWrapper(v: object): v is { value: unknown } {
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  return "value" in v && typeof toJSON === "function" && toJSON.call(v) === REDACTED;
}

function walk(v: unknown, onSecret: (inner: unknown) => unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => walk(x, onSecret));
  if (v === null || typeof v !== "object") return v;
  if (isSecretWrapper(v)) return onSecret(v.value);
  const o = v as Record<string, unknown>;
  if (o[SIG_KEY] === SECRET_SIG) return onSecret(o.value);
  if (o[SIG_KEY] === ARCHIVE_SIG || o[SIG_KEY] === ASSET_SIG) {
    const kind = o[SIG_KEY] === ARCHIVE_SIG ? "archive" : "asset";
    return { [kind]: o.path ?? o.uri ?? (o.text !== undefined ? "(inline text)" : "(inline)") };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x, onSecret)]));
}

/** Plain values, secrets unwrapped: what a policy sees (the engine hands policies plaintext). */
export function unwrapSecrets(v: unknown): unknown {
  return walk(v, (inner) => unwrapSecrets(inner));
}

/** Printable values: every secret becomes "[secret]", assets and archives a short description. */
export function redactSecrets(v: unknown): unknown {
  return walk(v, () => REDACTED);
}

/** The AWS module of a type token: aws:rds/cluster:Cluster → rds; pulumi:providers:aws → providers. */
export function serviceOf(type: string): string {
  if (type.startsWith("pulumi:providers:")) return "providers";
  const [pkg, mod = ""] = type.split(":");
  const service = mod.split("/")[0];
  return pkg === "aws" ? service : service && service !== "index" ? `${pkg}/${service}` : pkg;
}

/** Parent/child and dependency look-ups over one recorded program run. */
export class ResourceGraph {
  readonly byUrn: ReadonlyMap<string, PlanResource>;
  private readonly childrenOf = new Map<string, PlanResource[]>();

  constructor(readonly resources: readonly PlanResource[]) {
    this.byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const r of resources) {
      const key = r.parentUrn && this.byUrn.has(r.parentUrn) ? r.parentUrn : "";
      this.childrenOf.set(key, [...(this.childrenOf.get(key) ?? []), r]);
    }
  }

  /** Top-level resources (no recorded parent). */
  roots(): PlanResource[] {
    return this.childrenOf.get("") ?? [];
  }

  children(urn: string): PlanResource[] {
    return this.childrenOf.get(urn) ?? [];
  }

  /** Parent first, root last. */
  ancestors(r: PlanResource): PlanResource[] {
    const out: PlanResource[] = [];
    let cur = r.parentUrn ? this.byUrn.get(r.parentUrn) : undefined;
    while (cur) {
      out.push(cur);
      cur = cur.parentUrn ? this.byUrn.get(cur.parentUrn) : undefined;
    }
    return out;
  }

  isAncestor(candidate: PlanResource, of: PlanResource): boolean {
    return this.ancestors(of).includes(candidate);
  }

  /**
   * What `r` waits on: its own dependencies plus those of every ancestor component. Pulumi applies a
   * component's dependsOn to the component only; its children are ordered by it all the same, since
   * they are registered after the component's dependencies resolve.
   */
  dependenciesOf(r: PlanResource): { all: string[]; inherited: string[] } {
    const own = new Set(r.dependencies);
    const inherited = new Set<string>();
    for (const a of this.ancestors(r)) for (const d of a.dependencies) if (!own.has(d)) inherited.add(d);
    return { all: [...own, ...inherited], inherited: [...inherited] };
  }

  /** The resource itself when it is a component, else its nearest component ancestor. */
  componentOf(r: PlanResource): PlanResource | undefined {
    if (!r.custom) return r;
    return this.ancestors(r).find((a) => !a.custom);
  }
}
