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

/**
 * The keys AWS puts in the request context of every signed request by an IAM principal, which the
 * simulator does not add by itself (it evaluates exactly the context it is given). Without them, a
 * policy condition on the principal meets a missing key: a negated operator such as ArnNotEquals on a
 * missing key matches, so a deny "to everyone but these roles" would deny the listed roles too.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 *  - aws:PrincipalArn: in every signed request; for a role session, the role's ARN, not the session's
 *    (#condition-keys-principalarn). Every caller in this world is a role (or the signed client role).
 *  - aws:PrincipalAccount: in every signed request, the principal's account (#condition-keys-principalaccount).
 *  - aws:PrincipalIsAWSService: in every signed request; false unless a service principal signs it
 *    (#condition-keys-principalisawsservice). A role that API Gateway or Lambda uses is not one.
 *  - aws:SecureTransport: in every request; true over TLS (#condition-keys-securetransport). The SDKs
 *    and API Gateway's AWS integrations call the service endpoints over HTTPS.
 * A request's own context (req.context) is added over these.
 */
export function signedRequestContext(principal: string): Record<string, string> {
  const account = /^arn:aws:iam::(\d{12}):/.exec(principal)?.[1];
  if (!account) return {};
  return {
    "aws:PrincipalArn": principal,
    "aws:PrincipalAccount": account,
    "aws:PrincipalIsAWSService": "false",
    "aws:SecureTransport": "true",
  };
}

export async function evaluate(req: IamRequest): Promise<IamDecision> {
  const result = await runSimulation(
    {
      request: {
        principal: req.principal,
        action: req.action,
        resource: { accountId: req.account, resource: req.resource },
        contextVariables: { ...signedRequestContext(req.principal), ...(req.context ?? {}) },
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
