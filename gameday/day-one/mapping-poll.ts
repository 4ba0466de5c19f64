/**
 * Whether Lambda may poll an SQS event source mapping's queue, as AWS authorizes it. Lambda's poller
 * reads the queue with the function's execution role (sqs:ReceiveMessage, sqs:DeleteMessage,
 * sqs:GetQueueAttributes), so the role's policies and the queue's policy decide; for an encrypted queue
 * SQS decrypts with the key on the role's behalf (kms:Decrypt, kms:ViaService sqs.<region>), so the key's
 * policy decides too ("if Lambda doesn't poll for messages, add the kms:Decrypt permission").
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 * The poller is Lambda's, not the function's: "Lambda polls the queue and invokes your function", so the
 * function's VPC (its endpoints) does not stand between the mapping and its queue; only the calls the
 * function's code makes go through its network (network.ts).
 */
import { viaService } from "./aws-endpoint";
import { recorded, type CallRecord } from "./iam";
import type { MappingModel, ProgramModel } from "./model";

const POLL_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"] as const;

/** Why Lambda cannot poll `mapping`'s queue; undefined when it can. */
export async function mappingMayPoll(
  model: ProgramModel,
  mapping: MappingModel,
  calls: CallRecord[],
): Promise<string | undefined> {
  const fn = model.functions.find((f) => f.arn === mapping.functionArn);
  const queue = model.queues.find((q) => q.arn === mapping.queueArn);
  if (!fn || !queue) return `ResourceNotFound: ${fn ? mapping.queueArn : mapping.functionArn}`;
  const base = {
    principal: fn.roleArn,
    account: model.account,
    identityPolicies: model.rolePolicies[fn.roleArn] ?? [],
  };
  for (const action of POLL_ACTIONS) {
    const d = await recorded({ ...base, action, resource: queue.arn, resourcePolicy: queue.policy }, calls);
    if (!d.allowed) return `AccessDenied: ${d.reason}`;
  }
  if (!queue.kmsKeyArn) return undefined;
  const key = await recorded(
    {
      ...base,
      action: "kms:Decrypt",
      resource: queue.kmsKeyArn,
      resourcePolicy: model.keyPolicies[queue.kmsKeyArn],
      // A forward access session, as for the sender (world.ts): the role's own principal, via SQS.
      context: viaService("sqs", queue.region, model.account),
    },
    calls,
  );
  return key.allowed ? undefined : `KMS.AccessDeniedException: ${key.reason}`;
}
