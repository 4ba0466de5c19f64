/**
 * Helpers shared by the rules. Rules match on type tokens (strings) rather than @pulumi/aws classes, so
 * the pack needs only @pulumi/policy and loads fast both in `pulumi preview` and in the offline plan.
 */
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

/** What `peek` returns for a value Pulumi cannot know yet (preview of a resource not yet created). */
export const UNKNOWN: unique symbol = Symbol("unknown");

type Obj = Record<string, unknown>;

/**
 * Reads `obj[key]`. During `pulumi preview` the policy SDK wraps props in a proxy that throws on
 * unknown values; here an unknown becomes UNKNOWN so a rule can decide what it means (an ARN that
 * will exist is "set"), instead of the whole rule degrading to an advisory "can't run during preview".
 */
export function peek(obj: unknown, key: string | number): unknown {
  if (obj === null || typeof obj !== "object") return undefined;
  try {
    return (obj as Obj)[key as string];
  } catch {
    return UNKNOWN;
  }
}

/** Follows a path of keys with `peek`; stops at the first missing or unknown step. */
export function dig(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === UNKNOWN || cur === undefined || cur === null) return cur;
    cur = peek(cur, key);
  }
  return cur;
}

/** The elements of an array-valued prop (a single value counts as one element; missing as none). */
export function items(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (v === UNKNOWN) return [UNKNOWN];
  if (!Array.isArray(v)) return [v];
  const length = peek(v, "length");
  if (typeof length !== "number") return [UNKNOWN];
  return Array.from({ length }, (_, i) => peek(v, i));
}

/** A non-empty string, or a value that will only be known after deployment (an ARN of another resource). */
export function isSet(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (typeof v === "string") return v.trim() !== "";
  return v !== undefined && v !== null;
}

/** Literal true; an unknown boolean is given the benefit of the doubt (they are literals in this program). */
export function isTrue(v: unknown): boolean {
  return v === true || v === UNKNOWN;
}

export function describe(v: unknown): string {
  if (v === UNKNOWN) return "(unknown)";
  if (v === undefined) return "unset";
  return JSON.stringify(v);
}

export type PropsCheck = (props: Obj, args: ResourceValidationArgs, report: ReportViolation) => void;

export interface ResourceRuleSpec {
  readonly name: string;
  readonly description: string;
  /** Type tokens the rule applies to, e.g. "aws:rds/cluster:Cluster". */
  readonly types: readonly string[];
  readonly check: PropsCheck;
  /** Default: mandatory. */
  readonly enforcementLevel?: EnforcementLevel;
  readonly configSchema?: ResourceValidationPolicy["configSchema"];
}

/** A ResourceValidationPolicy for a set of type tokens; other types are reported not applicable. */
export function resourceRule(spec: ResourceRuleSpec): ResourceValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: spec.enforcementLevel ?? "mandatory",
    configSchema: spec.configSchema,
    validateResource: (args, report) => {
      if (!spec.types.includes(args.type)) {
        args.notApplicable(`applies to ${spec.types.join(", ")}`);
      }
      spec.check(args.props as Obj, args, report);
    },
  };
}

export interface StackRuleSpec {
  readonly name: string;
  readonly description: string;
  readonly check: (args: StackValidationArgs, report: ReportViolation) => void;
  readonly enforcementLevel?: EnforcementLevel;
}

export function stackRule(spec: StackRuleSpec): StackValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: spec.enforcementLevel ?? "mandatory",
    validateStack: (args, report) => spec.check(args, report),
  };
}

/** Stack name from a URN (`urn:pulumi:<stack>::<project>::...`). */
export function stackOfUrn(urn: string): string {
  return urn.split("::")[0]?.split(":")[2] ?? "";
}

/**
 * Resources of `types` attached to `target` through their `bucket`-style input: by value (the target's
 * name or id, known in the offline plan and on update) or by property dependency (what `pulumi preview`
 * knows while the bucket id is still unknown).
 */
export function attachedTo(
  target: PolicyResource,
  resources: readonly PolicyResource[],
  types: readonly string[],
  key: string,
  targetKeys: readonly string[],
): PolicyResource[] {
  const ids = targetKeys.map((k) => peek(target.props, k)).filter((v) => typeof v === "string");
  return resources.filter((r) => {
    if (!types.includes(r.type)) return false;
    const ref = peek(r.props, key);
    if (typeof ref === "string" && ids.includes(ref)) return true;
    return (r.propertyDependencies?.[key] ?? []).some((d) => d.urn === target.urn);
  });
}
