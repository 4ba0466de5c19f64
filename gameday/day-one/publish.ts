/**
 * Who may publish to a topic in the day-one world, as SNS decides it.
 *
 * CloudWatch publishes an alarm's notification as the service principal cloudwatch.amazonaws.com, on
 * behalf of the alarm (aws:SourceArn, aws:SourceAccount): the topic's access policy must allow it, and
 * for a topic encrypted with a customer managed key the key policy must let that principal use the key
 * (kms:GenerateDataKey*, kms:Decrypt). Without either, the alarm still changes state but its
 * notification is not delivered ("Enable compatibility between event sources from AWS services and
 * encrypted topics"); CloudWatch shows the failed action only in the alarm's history.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcearn
 *
 * A function (the alert relay) publishes as its role: its role's policies and the topic's policy, then
 * the key through SNS (kms:ViaService sns.<region>.amazonaws.com), as the failover function does
 * (failover.ts). https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 */
import { recorded, type CallRecord } from "./iam";
import type { AlarmModel, FunctionModel, ProgramModel } from "./model";

const CLOUDWATCH = "cloudwatch.amazonaws.com";
const KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/** Why CloudWatch may not publish `alarm`'s notification to `topicArn`; undefined when it may. */
export async function alarmMayPublish(
  model: ProgramModel,
  alarm: AlarmModel,
  topicArn: string,
  calls: CallRecord[],
): Promise<string | undefined> {
  const context = {
    "aws:SourceArn": `arn:aws:cloudwatch:${alarm.region}:${model.account}:alarm:${alarm.name}`,
    "aws:SourceAccount": model.account,
    "aws:PrincipalIsAWSService": "true",
    "aws:PrincipalServiceName": CLOUDWATCH,
    "aws:SecureTransport": "true",
  };
  return mayPublish(model, { principal: CLOUDWATCH, identityPolicies: [], context }, topicArn, calls);
}

/** Why `fn`'s role may not publish to `topicArn`; undefined when it may. */
export async function roleMayPublish(
  model: ProgramModel,
  fn: FunctionModel,
  topicArn: string,
  calls: CallRecord[],
): Promise<string | undefined> {
  const identityPolicies = model.rolePolicies[fn.roleArn] ?? [];
  return mayPublish(model, { principal: fn.roleArn, identityPolicies, context: {} }, topicArn, calls);
}

async function mayPublish(
  model: ProgramModel,
  caller: {
    principal: string;
    identityPolicies: ProgramModel["rolePolicies"][string];
    context: Record<string, string>;
  },
  topicArn: string,
  calls: CallRecord[],
): Promise<string | undefined> {
  const topic = model.topics.find((t) => t.arn === topicArn);
  if (!topic) return `NotFound: Topic does not exist: ${topicArn}`;
  const base = {
    principal: caller.principal,
    account: model.account,
    identityPolicies: caller.identityPolicies,
  };
  const publish = await recorded(
    {
      ...base,
      action: "sns:Publish",
      resource: topicArn,
      resourcePolicy: topic.policy,
      context: caller.context,
    },
    calls,
  );
  if (!publish.allowed) return `AuthorizationError: ${publish.reason}`;
  if (!topic.kmsKeyArn) return undefined;
  // A service principal uses the key itself; a role uses it through SNS.
  const via: Record<string, string> =
    caller.principal === CLOUDWATCH
      ? {}
      : { "kms:ViaService": `sns.${topic.region}.amazonaws.com`, "kms:CallerAccount": model.account };
  for (const action of KEY_ACTIONS) {
    const key = await recorded(
      {
        ...base,
        action,
        resource: topic.kmsKeyArn,
        resourcePolicy: model.keyPolicies[topic.kmsKeyArn],
        context: { ...caller.context, ...via },
      },
      calls,
    );
    if (!key.allowed) return `KMSAccessDenied: ${key.reason}`;
  }
  return undefined;
}
