/**
 * IAM and network paths for the scenarios' world (world.ts), with the same evaluator and network rule as
 * the day-one world (day-one/iam.ts, day-one/network.ts): every AWS request a function sends to a fake
 * is first checked here, as the function's role as the program records it.
 *  - Network: a function in a VPC with no NAT route reaches a service only through an endpoint of that
 *    service in its VPC; anything else hangs (no error, no answer) until the client gives up.
 *    https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html
 *  - IAM: the role's policies and the target's resource policy; for an SQS queue encrypted with a KMS key,
 *    SQS asks KMS on the caller's behalf (GenerateDataKey to send, Decrypt to receive), so the key policy
 *    and the role must allow that via SQS.
 *    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 *    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 * Decisions are cached per (principal, action, resource, context): the program does not change while a
 * world runs, and the evaluator costs a few milliseconds a call, which a scenario's thousands of calls
 * would feel.
 */
import { evaluate, type IamDecision } from "./day-one/iam";
import type { FunctionModel, PolicyDocument, ProgramModel, QueueModel } from "./day-one/model";
import { reaches } from "./day-one/network";
import { awsError } from "./fake-client";
import { regionOfQueueUrl } from "./sqs-router";

/** What a gate says about one request: go on, the service's AccessDenied, or no answer at all. */
export type Verdict =
  | { readonly kind: "allowed" }
  | { readonly kind: "denied"; readonly reason: string }
  | { readonly kind: "unreachable" };

const ALLOWED: Verdict = { kind: "allowed" };

/** Checks one JSON-protocol request (its X-Amz-Target and input) as the caller of an endpoint. */
export type RequestGate = (target: string, input: Record<string, unknown>) => Promise<Verdict>;

/**
 * Lambda's Invoke is a REST call (no X-Amz-Target): the endpoint hands the gate this target with the
 * input { FunctionName }, so it is checked like the JSON-protocol calls (lambda:InvokeFunction on the
 * function's ARN, through the caller's network to Lambda's endpoint).
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export const LAMBDA_INVOKE_TARGET = "Lambda.Invoke";

/**
 * The KMS call SQS makes for a caller of an encrypted queue: a data key to encrypt what it sends, a
 * decrypt of what it receives (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html,
 * "Configure KMS permissions for producers / consumers").
 */
const SQS_KMS_ACTION: Readonly<Record<string, string>> = {
  "sqs:SendMessage": "kms:GenerateDataKey",
  "sqs:SendMessageBatch": "kms:GenerateDataKey",
  "sqs:ReceiveMessage": "kms:Decrypt",
};

/**
 * The IAM action an SQS operation is authorized as: a batch operation as its single counterpart ("You
 * cannot set permissions explicitly for SendMessageBatch, DeleteMessageBatch, or
 * ChangeMessageVisibilityBatch", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html).
 */
export function sqsAction(operation: string): string {
  return `sqs:${operation.replace(/Batch$/, "")}`;
}

export class ProgramAccess {
  private readonly cache = new Map<string, Promise<IamDecision>>();

  constructor(readonly model: ProgramModel) {}

  /** The program's function of lambda/`bundle` in `region` (or its only one anywhere); throws when none. */
  functionOf(bundle: string, region?: string): FunctionModel {
    const all = this.model.functions.filter((f) => f.bundle === bundle);
    const fn = all.find((f) => f.region === region) ?? (all.length === 1 ? all[0] : undefined);
    if (!fn)
      throw new Error(`the program deploys no function of lambda/${bundle}${region ? ` in ${region}` : ""}`);
    return fn;
  }

  /** The program's function named `name` (a Pulumi logical name, as wiring.ts keeps it). */
  functionNamed(name: string): FunctionModel {
    const fn = this.model.functions.find((f) => f.name === name);
    if (!fn) throw new Error(`the program deploys no function ${name}`);
    return fn;
  }

  queueByArn(arn: string): QueueModel | undefined {
    return this.model.queues.find((q) => q.arn === arn);
  }

  /**
   * Whether `fn` has a network path to `service` in `region`. A VPC endpoint serves its own Region's
   * service (com.amazonaws.<region>.<service>), so a function in a VPC with no NAT route reaches no other
   * Region's: https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html
   */
  reaches(fn: FunctionModel, service: string, region = fn.region): boolean {
    if (fn.vpcId && region !== fn.region) return false;
    return reaches(this.model, fn, service);
  }

  /** IAM's decision for `fn`'s role, cached. */
  decide(
    fn: FunctionModel,
    action: string,
    resource: string,
    resourcePolicy?: PolicyDocument,
    context?: Readonly<Record<string, string>>,
  ): Promise<IamDecision> {
    const key = JSON.stringify([fn.roleArn, action, resource, context ?? {}]);
    let decision = this.cache.get(key);
    if (!decision) {
      decision = evaluate({
        principal: fn.roleArn,
        action,
        resource,
        account: this.model.account,
        identityPolicies: this.model.rolePolicies[fn.roleArn] ?? [],
        resourcePolicy,
        context,
      });
      this.cache.set(key, decision);
    }
    return decision;
  }

  /** A call of `service` (its endpoint prefix, e.g. "sqs") that `fn` makes: network first, then IAM. */
  async check(fn: FunctionModel, service: string, action: string, resource: string): Promise<Verdict> {
    // The Region an ARN names (fourth field); none (IAM's "*", a global ARN): the caller's own.
    if (!this.reaches(fn, service, resource.split(":")[3] || fn.region)) return { kind: "unreachable" };
    const queue = service === "sqs" ? this.queueByArn(resource) : undefined;
    return queue ? this.sqsAccess(fn, action, queue) : this.verdict(this.decide(fn, action, resource));
  }

  /**
   * An SQS action on `queue` by `fn`'s role: the role and the queue policy; for an encrypted queue, the
   * KMS call SQS makes for it, which KMS authorizes as the caller's own principal through SQS (a forward
   * access session: kms:ViaService, aws:ViaAWSService), against the role and the key policy, as the
   * day-one world's SendMessage does.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
   */
  async sqsAccess(fn: FunctionModel, action: string, queue: QueueModel): Promise<Verdict> {
    const sqs = await this.verdict(this.decide(fn, action, queue.arn, queue.policy));
    const kmsAction = SQS_KMS_ACTION[action];
    if (sqs.kind !== "allowed" || !queue.kmsKeyArn || !kmsAction) return sqs;
    return this.verdict(
      this.decide(fn, kmsAction, queue.kmsKeyArn, this.model.keyPolicies[queue.kmsKeyArn], {
        "kms:ViaService": `sqs.${queue.region}.amazonaws.com`,
        "kms:CallerAccount": this.model.account,
        "aws:ViaAWSService": "true",
      }),
    );
  }

  /** The ARN of the queue a QueueUrl names (SQS endpoints and ARNs are per Region). */
  queueArnOfUrl(url: unknown, fallbackRegion: string): string {
    const region = regionOfQueueUrl(url) ?? fallbackRegion;
    return `arn:aws:sqs:${region}:${this.model.account}:${String(url).split("/").pop()}`;
  }

  /**
   * The gate of `fn`'s JSON-protocol calls (SQS, Secrets Manager, DynamoDB), by X-Amz-Target. `table`
   * turns the world's table name into the program's (the world runs one DynamoDB table under its own
   * name, the program names its own).
   */
  requestGate(fn: FunctionModel, table: (worldName: string) => string): RequestGate {
    return async (target, input) => {
      const [prefix, operation] = target.split(".");
      if (prefix === "AmazonSQS")
        return this.check(fn, "sqs", sqsAction(operation), this.queueArnOfUrl(input.QueueUrl, fn.region));
      if (prefix === "secretsmanager")
        return this.check(fn, "secretsmanager", `secretsmanager:${operation}`, String(input.SecretId));
      if (prefix === "DynamoDB_20120810") {
        const name = table(String(input.TableName ?? ""));
        const arn = `arn:aws:dynamodb:${fn.region}:${this.model.account}:table/${name}`;
        return this.check(fn, "dynamodb", `dynamodb:${operation}`, arn);
      }
      if (target === LAMBDA_INVOKE_TARGET) {
        const arn = `arn:aws:lambda:${fn.region}:${this.model.account}:function:${String(input.FunctionName)}`;
        return this.check(fn, "lambda", "lambda:InvokeFunction", arn);
      }
      throw new Error(`${fn.name}: the game day does not know whom ${target} concerns`);
    };
  }

  /**
   * For a client answered in this process (fake-client.ts): throws the service's AccessDenied error
   * (`name`, `status`: Lambda's AccessDeniedException is HTTP 403, SQS's 400), or never settles when
   * there is no network path.
   * https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html
   */
  async enforce(
    fn: FunctionModel,
    service: string,
    action: string,
    resource: string,
    status = 400,
  ): Promise<void> {
    const v = await this.check(fn, service, action, resource);
    if (v.kind === "denied") throw awsError("AccessDeniedException", v.reason, status);
    if (v.kind === "unreachable") await new Promise<never>(() => undefined);
  }

  private async verdict(decision: Promise<IamDecision>): Promise<Verdict> {
    const d = await decision;
    if (d.allowed) return ALLOWED;
    // The evaluator refusing the request (an action IAM does not know) is the world's mistake, not a denial.
    if (d.reason.startsWith("invalid request")) throw new Error(`the game day asked IAM: ${d.reason}`);
    return { kind: "denied", reason: d.reason };
  }
}
