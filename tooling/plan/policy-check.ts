/**
 * Runs the policy pack's rules (policy/policies.ts) over recorded resources, without the Pulumi engine:
 * the same validate functions `pulumi preview --policy-pack policy` calls, fed the same argument shapes.
 * Resource rules see inputs; stack rules see outputs (here: the mock's state), as in the engine.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies as packPolicies } from "../../policy/policies";
import { PlanResource, unwrapSecrets } from "./model";

export interface PolicyViolation {
  readonly policy: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  readonly message: string;
  readonly urn?: string;
  readonly type?: string;
  readonly name?: string;
}

export interface PolicyRun {
  readonly pack: string;
  readonly policyCount: number;
  readonly violations: PolicyViolation[];
  readonly mandatory: PolicyViolation[];
  readonly advisory: PolicyViolation[];
}

export interface PolicyRunOptions {
  readonly policies?: Policies;
  readonly packEnforcementLevel?: EnforcementLevel;
  /** Policy config by policy name, as `--policy-pack-config` would give it. */
  readonly config?: Readonly<Record<string, Record<string, unknown>>>;
  readonly stackTags?: ReadonlyMap<string, string>;
}

class NotApplicable extends Error {}
/**
 * Thrown for every rule that does not apply to a resource: most (rule, resource) pairs. One instance,
 * made once, because an Error takes a stack trace when made and the reason is not reported.
 */
const NOT_APPLICABLE = new NotApplicable("not applicable");

const isStackPolicy = (p: Policies[number]): p is StackValidationPolicy => "validateStack" in p;

function levelOf(p: Policies[number], packLevel: EnforcementLevel): EnforcementLevel {
  const level = p.enforcementLevel ?? packLevel;
  // As in the engine: a remediation that still reports is a mandatory failure.
  return level === "remediate" ? "mandatory" : level;
}

const typeTokenOf = (cls: unknown) => (cls as { __pulumiType?: string } | undefined)?.__pulumiType;

function optionsOf(r: PlanResource): PolicyResourceOptions {
  return {
    protect: r.protect,
    ignoreChanges: [...r.ignoreChanges],
    deleteBeforeReplace: r.deleteBeforeReplace,
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    parent: r.parentUrn,
  };
}

function providerOf(r: PlanResource, byUrn: ReadonlyMap<string, PlanResource>) {
  const p = r.providerUrn ? byUrn.get(r.providerUrn) : undefined;
  return p
    ? { type: p.type, name: p.name, urn: p.urn, props: unwrapSecrets(p.inputs) as Record<string, unknown> }
    : undefined;
}

export async function runPolicies(
  resources: readonly PlanResource[],
  opts: PolicyRunOptions = {},
): Promise<PolicyRun> {
  const policies = opts.policies ?? packPolicies;
  const packLevel = opts.packEnforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
  const stackTags = opts.stackTags ?? new Map<string, string>();
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  // What every resource rule is given, made once per resource rather than once per rule.
  const prepared = resources.map((r) => ({
    r,
    props: unwrapSecrets(r.inputs) as Record<string, unknown>,
    opts: optionsOf(r),
    provider: providerOf(r, byUrn),
  }));
  let stackResources: PolicyResource[] | undefined;
  const violations: PolicyViolation[] = [];
  const getConfigFor =
    (name: string) =>
    <T extends object>() =>
      (opts.config?.[name] ?? {}) as T;
  const notApplicable = (): never => {
    throw NOT_APPLICABLE;
  };

  for (const policy of policies) {
    const level = levelOf(policy, packLevel);
    if (level === "disabled") continue;
    const record = (urn: string | undefined, message: string) => {
      const r = urn ? byUrn.get(urn) : undefined;
      violations.push({
        policy: policy.name,
        enforcementLevel: level === "advisory" ? "advisory" : "mandatory",
        message,
        urn,
        type: r?.type,
        name: r?.name,
      });
    };
    const guard = async (urn: string | undefined, run: () => unknown) => {
      try {
        await run();
      } catch (err) {
        if (err instanceof NotApplicable) return;
        // The engine fails the whole preview here; the plan reports it as a mandatory violation.
        violations.push({
          policy: policy.name,
          enforcementLevel: "mandatory",
          message: `policy threw: ${(err as Error).message}`,
          urn,
        });
      }
    };

    if (isStackPolicy(policy)) {
      stackResources ??= toPolicyResources(resources, byUrn);
      const args: StackValidationArgs = {
        resources: stackResources,
        stackTags,
        getConfig: getConfigFor(policy.name),
        notApplicable,
      };
      await guard(undefined, () => policy.validateStack(args, (message, urn) => record(urn, message)));
      continue;
    }

    const validations = ([] as unknown[]).concat((policy as ResourceValidationPolicy).validateResource ?? []);
    for (const { r, props, opts: options, provider } of prepared) {
      const args: ResourceValidationArgs = {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: options,
        provider,
        stackTags,
        isType: (cls) => typeTokenOf(cls) === r.type,
        asType: ((cls: unknown) =>
          typeTokenOf(cls) === r.type ? props : undefined) as ResourceValidationArgs["asType"],
        getConfig: getConfigFor(policy.name),
        notApplicable,
      };
      for (const validate of validations as NonNullable<ResourceValidationPolicy["validateResource"]>[]) {
        if (typeof validate !== "function") continue;
        // The resource's own URN is always used for resource rules, as in the engine.
        await guard(r.urn, () => validate(args, (message) => record(r.urn, message)));
      }
    }
  }

  return {
    pack: PACK_NAME,
    policyCount: policies.length,
    violations,
    mandatory: violations.filter((v) => v.enforcementLevel === "mandatory"),
    advisory: violations.filter((v) => v.enforcementLevel === "advisory"),
  };
}

/** Stack rules get outputs; the mock's state holds inputs plus what AWS would compute. */
function toPolicyResources(
  resources: readonly PlanResource[],
  byUrn: ReadonlyMap<string, PlanResource>,
): PolicyResource[] {
  const out = new Map<string, PolicyResource>();
  for (const r of resources) {
    // A custom resource's outputs carry its `id` in a real preview/up (tfbridge); the mocks keep it apart.
    const withId = r.custom && r.id !== undefined ? { id: r.id } : {};
    const props = unwrapSecrets({ ...withId, ...r.inputs, ...r.state }) as Record<string, unknown>;
    out.set(r.urn, {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props,
      opts: optionsOf(r),
      provider: providerOf(r, byUrn),
      dependencies: [],
      // The mocks record dependencies per resource, not per property; rules match by value instead.
      propertyDependencies: {},
      isType: (cls) => typeTokenOf(cls) === r.type,
      asType: ((cls: unknown) =>
        typeTokenOf(cls) === r.type ? props : undefined) as PolicyResource["asType"],
    });
  }
  for (const r of resources) {
    const pr = out.get(r.urn)!;
    pr.parent = r.parentUrn ? out.get(r.parentUrn) : undefined;
    pr.dependencies = r.dependencies
      .map((d) => out.get(d))
      .filter((d): d is PolicyResource => d !== undefined);
  }
  return [...out.values()];
}
