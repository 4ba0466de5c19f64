import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Region } from "../config";
import { sqsKeyPolicy } from "../foundation/regional-key";
import { denyInsecureTransport, policyJson, Statement } from "../policy-documents";

/**
 * Who may send to each queue of a region's order intake (S4). In one account an identity policy alone
 * lets a principal send to a queue (https://repost.aws/knowledge-center/sqs-queue-access-permissions), so
 * an admin, a CI role or any function with sqs:SendMessage could book an order for any account under any
 * principal name. Each queue policy therefore denies SendMessage (which also covers SendMessageBatch) to
 * every principal but these.
 */
export interface QueueWriters {
  /** The order queue: the API's integration role, the peer region's forwarder, the redrive path (the
   *  failover orchestrator's role, and operators who redrive by hand). */
  readonly queue: pulumi.Input<string>[];
  /** The DLQ: nobody. Dead-lettering is SQS's own move under the redrive policy (the DLQ's redrive allow
   *  policy admits only its source queue), not a SendMessage by any principal. */
  readonly dlq: pulumi.Input<string>[];
  /** The rejects queue: the processor that parks refused orders. */
  readonly rejects: pulumi.Input<string>[];
}

/**
 * The queue's policy: TLS only, and an explicit deny of SendMessage for every principal whose ARN is not
 * in `writers`. For a role session, aws:PrincipalArn is the role's ARN (with its path), so the deny follows
 * the role whatever the session name.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 *
 * AWS service principals carry no aws:PrincipalArn, and ArnNotEquals on a missing key matches: the deny
 * would hit them too. They are left out (aws:PrincipalIsAWSService) because none has, or can get without
 * changing this policy, an allow on the queue: a service principal needs one in the queue policy, and this
 * policy grants none. The account root is an IAM principal like any other and is denied.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice
 */
export function queueWritersPolicy(
  queueArn: pulumi.Input<string>,
  writers: pulumi.Input<string>[],
): pulumi.Output<string> {
  return policyJson([denyInsecureTransport("sqs:*", queueArn), denyOtherWriters(queueArn, writers)]);
}

export const DENY_OTHER_WRITERS_SID = "OnlyIntendedWritersSend";

function denyOtherWriters(queueArn: pulumi.Input<string>, writers: pulumi.Input<string>[]): Statement {
  const condition: NonNullable<Statement["Condition"]> = {
    BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
  };
  // With no writer the deny covers every IAM principal (an empty ArnNotEquals list is not valid).
  if (writers.length > 0) condition.ArnNotEquals = { "aws:PrincipalArn": writers };
  return {
    Sid: DENY_OTHER_WRITERS_SID,
    Effect: "Deny",
    Principal: "*",
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: condition,
  };
}

/** A queue by URL (where its policy goes) and ARN (what its policy names). */
export interface QueueRef {
  readonly url: pulumi.Input<string>;
  readonly arn: pulumi.Input<string>;
}

export interface OrderQueueAccessArgs {
  /** Provider for the queues' region. */
  readonly provider: aws.Provider;
  /** The region's order queue, its DLQ and its rejects queue. */
  readonly queues: Readonly<Record<keyof QueueWriters, QueueRef>>;
  /** Role ARNs that may send to each; everyone else is denied. */
  readonly writers: QueueWriters;
  /** The queues' KMS key (a RegionalKey with `sqsUsersSetLater`), whose policy this completes. */
  readonly key: {
    readonly keyId: pulumi.Input<string>;
    readonly region: Region;
    readonly accountId: pulumi.Input<string>;
  };
  /** Roles that may use the key through SQS: every writer, and the consumers (processor, own forwarder). */
  readonly keyUsers: pulumi.Input<string>[];
  /** Where these policies were declared before (the OrderQueue), so moving them here replaces nothing.
   *  Default: none. */
  readonly formerParent?: pulumi.Resource;
}

export function checkOrderQueueAccessArgs(args: OrderQueueAccessArgs): void {
  if (args.writers.queue.length === 0) throw new Error("OrderQueueAccess: the order queue needs a writer");
  if (args.writers.rejects.length === 0)
    throw new Error("OrderQueueAccess: the rejects queue needs a writer");
  if (args.keyUsers.length === 0) throw new Error("OrderQueueAccess: the key needs its SQS users");
}

/**
 * The policies of one region's order queues (S4): TLS only, and SendMessage for the intended writers
 * alone; and the policy of their key, which only the order path's roles may use through SQS. Built after
 * every writer's role exists: the peer region's forwarder and the failover
 * orchestrator come after the queue, and the API and forwarders wait for the queue component, so the
 * policies cannot live in it.
 */
export class OrderQueueAccess extends pulumi.ComponentResource {
  constructor(name: string, args: OrderQueueAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:orders:OrderQueueAccess", name, {}, opts);
    checkOrderQueueAccessArgs(args);
    const suffix: Record<keyof QueueWriters, string> = { queue: "", dlq: "-dlq", rejects: "-rejects" };
    for (const part of ["queue", "dlq", "rejects"] as const) {
      const q = args.queues[part];
      new aws.sqs.QueuePolicy(
        `${name}${suffix[part]}-policy`,
        { queueUrl: q.url, policy: queueWritersPolicy(q.arn, args.writers[part]) },
        {
          parent: this,
          provider: args.provider,
          aliases: args.formerParent ? [{ parent: args.formerParent }] : [],
        },
      );
    }
    // The key's policy, completed with who may use it through SQS (S4): the Key itself ignores changes
    // to its bootstrap policy, so this is the policy's one owner from here on.
    new aws.kms.KeyPolicy(
      `${name}-key-policy`,
      { keyId: args.key.keyId, policy: sqsKeyPolicy(args.key.region, args.key.accountId, args.keyUsers) },
      { parent: this, provider: args.provider },
    );
    this.registerOutputs({});
  }
}
