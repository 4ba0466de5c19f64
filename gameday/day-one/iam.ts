/**
 * IAM as AWS evaluates it, for every call a function (or API Gateway with a role) makes in the day-one
 * world: the caller's identity policies, the target's resource policy and, for an encrypted target, the
 * key policy of its KMS key. The evaluator is @cloud-copilot/iam-simulate (AGPL-3.0: a devDependency used
 * by the game day only, never bundled into a Lambda).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html (a key policy must allow use)
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "./model";

export interface IamRequest {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly account: string;
  readonly identityPolicies: readonly PolicyDocument[];
  readonly resourcePolicy?: PolicyDocument;
  readonly context?: Readonly<Record<string, string>>;
}

export type IamDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export async function evaluate(req: IamRequest): Promise<IamDecision> {
  const result = await runSimulation(
    {
      request: {
        principal: req.principal,
        action: req.action,
        resource: { accountId: req.account, resource: req.resource },
        contextVariables: { ...(req.context ?? {}) },
      },
      identityPolicies: req.identityPolicies.map((policy, i) => ({ name: `p${i}`, policy: policy as never })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(req.resourcePolicy ? { resourcePolicy: req.resourcePolicy as never } : {}),
    },
    {},
  );
  if (result.resultType === "error") {
    return { allowed: false, reason: `invalid request: ${JSON.stringify(result.errors).slice(0, 300)}` };
  }
  if (result.overallResult === "Allowed") return { allowed: true };
  return {
    allowed: false,
    reason: `User: ${req.principal} is not authorized to perform: ${req.action} on resource: ${req.resource} (${result.overallResult})`,
  };
}

/** A call the world authorized, for the scenario's record. */
export interface CallRecord {
  readonly caller: string;
  readonly action: string;
  readonly resource: string;
  readonly outcome: "ok" | "denied";
}

/** evaluate(), with the decision added to `calls`. */
export async function recorded(req: IamRequest, calls: CallRecord[]): Promise<IamDecision> {
  const decision = await evaluate(req);
  calls.push({
    caller: req.principal,
    action: req.action,
    resource: req.resource,
    outcome: decision.allowed ? "ok" : "denied",
  });
  return decision;
}
