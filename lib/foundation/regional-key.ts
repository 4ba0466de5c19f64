import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Region } from "../config";
import { policyJson, Statement } from "../policy-documents";

/** Services that may use the key on behalf of principals in this account, through `kms:ViaService`. */
export const KEY_VIA_SERVICES = ["secretsmanager", "rds", "dynamodb", "s3", "sqs", "sns"] as const;

export interface RegionalKeyArgs {
  /** Region the key lives in; scopes the service principals and `kms:ViaService` values. */
  readonly region: Region;
  /** Account that owns the key. */
  readonly accountId: pulumi.Input<string>;
  /** Provider for `region`. */
  readonly provider: aws.Provider;
  /** Waiting period before a scheduled deletion completes. Default: 30 days. */
  readonly deletionWindowInDays?: number;
  /** Protect the key from `pulumi destroy`. Default: false. */
  readonly protect?: boolean;
  /**
   * Whether the key's policy is completed later, once the roles that may use it through SQS exist
   * (`sqsKeyPolicy`, applied by OrderQueueAccess as a KeyPolicy): the Key's own policy is then the
   * bootstrap the log groups and topics need at creation, and its drift is the KeyPolicy's to own.
   * Default: false.
   */
  readonly sqsUsersSetLater?: boolean;
}

/**
 * A customer-managed KMS key for one region, with yearly rotation and an alias. The key policy keeps
 * administration with the account and allows use only through the services this stack runs (via
 * `kms:ViaService`), by CloudWatch Logs for this region's log groups, and by CloudWatch alarms that
 * publish to encrypted SNS topics. https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export class RegionalKey extends pulumi.ComponentResource {
  public readonly key: aws.kms.Key;
  public readonly arn: pulumi.Output<string>;
  public readonly aliasName: pulumi.Output<string>;

  constructor(name: string, args: RegionalKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:foundation:RegionalKey", name, {}, opts);
    checkRegionalKeyArgs(args);
    const { region, accountId, provider } = args;
    const root = pulumi.interpolate`arn:aws:iam::${accountId}:root`;

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `${name}: data at rest in ${region}`,
        enableKeyRotation: true,
        deletionWindowInDays: args.deletionWindowInDays ?? 30,
        policy: regionalKeyPolicy(region, accountId, root),
      },
      {
        parent: this,
        provider,
        protect: args.protect ?? false,
        ignoreChanges: args.sqsUsersSetLater ? ["policy"] : [],
      },
    );
    const alias = new aws.kms.Alias(
      `${name}-alias`,
      { name: `alias/${name}`, targetKeyId: this.key.keyId },
      { parent: this, provider },
    );

    this.arn = this.key.arn;
    this.aliasName = alias.name;
    this.registerOutputs({ arn: this.arn, aliasName: this.aliasName });
  }
}

export function checkRegionalKeyArgs(args: RegionalKeyArgs): void {
  const w = args.deletionWindowInDays;
  if (w !== undefined && (!Number.isInteger(w) || w < 7 || w > 30)) {
    throw new Error(`RegionalKey: deletionWindowInDays must be 7..30, got ${w}`);
  }
}

export function regionalKeyPolicy(
  region: Region,
  accountId: pulumi.Input<string>,
  root: pulumi.Input<string>,
  sqsUsers?: pulumi.Input<string>[],
): pulumi.Output<string> {
  const statements: Statement[] = [
    accountAdministersKey(root),
    {
      Sid: "UseThroughStackServices",
      Effect: "Allow",
      Principal: { AWS: root },
      Action: [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
        "kms:CreateGrant",
      ],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:CallerAccount": accountId,
          "kms:ViaService": KEY_VIA_SERVICES.map((s) => `${s}.${region}.amazonaws.com`),
        },
      },
    },
    {
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
      Sid: "CloudWatchLogsForThisRegion",
      Effect: "Allow",
      Principal: { Service: `logs.${region}.amazonaws.com` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:${region}:${accountId}:log-group:*`,
        },
      },
    },
    {
      // Alarms publish to KMS-encrypted topics as this service principal; only alarms of this account in
      // this region (no confused deputy). CloudWatch sends both keys on this call, unlike EventBridge.
      // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
      // https://aws.github.io/modern-data-architecture-accelerator/typedocs/functions/_aws-mdaa_cloudwatch-constructs.grantCloudWatchAlarmsTopicAccess.html
      Sid: "CloudWatchAlarmsToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": accountId },
        ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:cloudwatch:${region}:${accountId}:alarm:*` },
      },
    },
    ...(sqsUsers ? [onlyTheseUseItThroughSqs(region, sqsUsers)] : []),
  ];
  return policyJson(statements);
}

/**
 * S4: through SQS, only the order path's roles may use the key: the API's integration role and the peer
 * forwarder send (kms:GenerateDataKey, kms:Decrypt), the processor and this region's forwarder receive
 * (kms:Decrypt), the failover function and listed operators redrive (both). Everyone else of the account
 * is denied, whatever its IAM policy; service principals are left out as in the queue policies.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
function onlyTheseUseItThroughSqs(region: Region, users: pulumi.Input<string>[]): Statement {
  return {
    Sid: "OnlyOrderPathUsesItThroughSqs",
    Effect: "Deny",
    Principal: "*",
    Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:Encrypt", "kms:ReEncrypt*"],
    Resource: "*",
    Condition: {
      StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` },
      ArnNotEquals: { "aws:PrincipalArn": users },
      BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
    },
  };
}

/** The key's whole policy with its SQS users, for a KeyPolicy once their roles exist (sqsUsersSetLater). */
export function sqsKeyPolicy(
  region: Region,
  accountId: pulumi.Input<string>,
  sqsUsers: pulumi.Input<string>[],
): pulumi.Output<string> {
  return regionalKeyPolicy(region, accountId, pulumi.interpolate`arn:aws:iam::${accountId}:root`, sqsUsers);
}

/** The account administers the key; use is granted by the other statements of regionalKeyPolicy. */
function accountAdministersKey(root: pulumi.Input<string>): Statement {
  return {
    // Administration only: without this the key becomes unmanageable.
    Sid: "AccountAdministersKey",
    Effect: "Allow",
    Principal: { AWS: root },
    Action: [
      "kms:Create*",
      "kms:Describe*",
      "kms:Enable*",
      "kms:List*",
      "kms:Put*",
      "kms:Update*",
      "kms:Revoke*",
      "kms:Disable*",
      "kms:Get*",
      "kms:Delete*",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:ScheduleKeyDeletion",
      "kms:CancelKeyDeletion",
      "kms:RotateKeyOnDemand",
    ],
    Resource: "*",
  };
}
