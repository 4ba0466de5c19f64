import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Region } from "../config";
import { policyJson, serviceTrustPolicy } from "../policy-documents";
import { SecureBucket } from "./secure-bucket";

/** Replication Time Control's only supported value; metrics must use the same threshold. */
export const RTC_MINUTES = 15;

export interface BucketSideArgs {
  readonly region: Region;
  readonly provider: aws.Provider;
  readonly kmsKeyArn: pulumi.Input<string>;
}

export interface ReplicatedBucketsArgs {
  /** Account that owns both buckets; binds the replication role's trust to it. */
  readonly accountId: pulumi.Input<string>;
  readonly primary: BucketSideArgs;
  readonly secondary: BucketSideArgs;
  readonly production?: boolean;
}

/**
 * Primary bucket replicated to the secondary region with Replication Time Control (R15, R16).
 *
 * - One rule covers every object. S3 replication filters select by prefix or tag only, not size, so
 *   objects under 128 MB (RTC's metric scope) and larger ones replicate under the same rule.
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationRuleFilter.html
 * - SSE-KMS objects replicate only when selected explicitly and given a destination key.
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
 * - Delete markers replicate, so the replica shows what the primary showed after a failover; deletes of
 *   specific versions do not, so a malicious or mistaken permanent delete cannot wipe the replica.
 */
export class ReplicatedBuckets extends pulumi.ComponentResource {
  public readonly primaryBucketName: pulumi.Output<string>;
  public readonly secondaryBucketName: pulumi.Output<string>;
  public readonly replicationRuleId = "replicate-everything";
  /** The two buckets, for server access logging (lib/data/access-log-bucket.ts). */
  public readonly primaryBucket: SecureBucket;
  public readonly secondaryBucket: SecureBucket;

  /** The dimensions of S3's replication metrics for this pair. */
  get replication() {
    return {
      sourceBucket: this.primaryBucketName,
      destinationBucket: this.secondaryBucketName,
      ruleId: this.replicationRuleId,
    };
  }

  constructor(name: string, args: ReplicatedBucketsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:data:ReplicatedBuckets", name, {}, opts);
    const production = args.production ?? false;
    const source = new SecureBucket(
      `${name}-primary`,
      { provider: args.primary.provider, kmsKeyArn: args.primary.kmsKeyArn, production },
      { parent: this },
    );
    const replica = new SecureBucket(
      `${name}-secondary`,
      { provider: args.secondary.provider, kmsKeyArn: args.secondary.kmsKeyArn, production },
      { parent: this },
    );

    const role = new aws.iam.Role(
      `${name}-replication-role`,
      // Only S3 acting for this account's source bucket may assume it (no confused deputy).
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
      { assumeRolePolicy: serviceTrustPolicy("s3.amazonaws.com", args.accountId, source.arn) },
      { parent: this, provider: args.primary.provider },
    );
    const policy = this.replicationPolicy(name, args, role, source, replica);
    this.replicationConfig(name, args, role, source, replica, policy);

    this.primaryBucket = source;
    this.secondaryBucket = replica;
    this.primaryBucketName = source.bucketName;
    this.secondaryBucketName = replica.bucketName;
    this.registerOutputs({
      primaryBucketName: this.primaryBucketName,
      secondaryBucketName: this.secondaryBucketName,
    });
  }

  /** Read the source's versions and write the replicas, each key used only through S3 for its bucket. */
  private replicationPolicy(
    name: string,
    args: ReplicatedBucketsArgs,
    role: aws.iam.Role,
    source: SecureBucket,
    replica: SecureBucket,
  ): aws.iam.RolePolicy {
    return new aws.iam.RolePolicy(
      `${name}-replication-policy`,
      {
        role: role.id,
        policy: policyJson([
          {
            Sid: "ReadReplicationConfig",
            Effect: "Allow",
            Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            Resource: source.arn,
          },
          {
            Sid: "ReadSourceVersions",
            Effect: "Allow",
            Action: [
              "s3:GetObjectVersionForReplication",
              "s3:GetObjectVersionAcl",
              "s3:GetObjectVersionTagging",
            ],
            Resource: pulumi.interpolate`${source.arn}/*`,
          },
          {
            Sid: "WriteReplicas",
            Effect: "Allow",
            Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            Resource: pulumi.interpolate`${replica.arn}/*`,
          },
          {
            Sid: "DecryptSource",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: args.primary.kmsKeyArn,
            Condition: {
              StringEquals: { "kms:ViaService": `s3.${args.primary.region}.amazonaws.com` },
              StringLike: { "kms:EncryptionContext:aws:s3:arn": s3Context(source.arn) },
            },
          },
          {
            Sid: "EncryptReplica",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:GenerateDataKey"],
            Resource: args.secondary.kmsKeyArn,
            Condition: {
              StringEquals: { "kms:ViaService": `s3.${args.secondary.region}.amazonaws.com` },
              StringLike: { "kms:EncryptionContext:aws:s3:arn": s3Context(replica.arn) },
            },
          },
        ]),
      },
      { parent: this, provider: args.primary.provider },
    );
  }

  private replicationConfig(
    name: string,
    args: ReplicatedBucketsArgs,
    role: aws.iam.Role,
    source: SecureBucket,
    replica: SecureBucket,
    policy: aws.iam.RolePolicy,
  ): void {
    new aws.s3.BucketReplicationConfig(
      `${name}-replication`,
      {
        bucket: source.bucket.id,
        role: role.arn,
        rules: [
          {
            id: this.replicationRuleId,
            status: "Enabled",
            priority: 1,
            filter: { prefix: "" },
            deleteMarkerReplication: { status: "Enabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: replica.arn,
              storageClass: "STANDARD",
              encryptionConfiguration: { replicaKmsKeyId: args.secondary.kmsKeyArn },
              replicationTime: { status: "Enabled", time: { minutes: RTC_MINUTES } },
              metrics: { status: "Enabled", eventThreshold: { minutes: RTC_MINUTES } },
            },
          },
        ],
      },
      {
        parent: this,
        provider: args.primary.provider,
        dependsOn: [source.versioning, replica.versioning, policy],
      },
    );
  }
}

/** With bucket keys the KMS encryption context is the bucket ARN; without, the object ARN. */
function s3Context(arn: pulumi.Output<string>): pulumi.Output<string>[] {
  return [arn, pulumi.interpolate`${arn}/*`];
}
