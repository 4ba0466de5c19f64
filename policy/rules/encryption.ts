/** Encryption at rest, with the customer-managed keys the design promises (one per region). */
import { logTargets } from "./security";
import {
  attachedTo,
  describe,
  dig,
  isSet,
  isTrue,
  items,
  peek,
  resourceRule,
  stackRule,
  UNKNOWN,
} from "../util";

export const rdsClusterEncryption = resourceRule({
  name: "rds-cluster-encrypted-with-cmk",
  description:
    "Aurora clusters are encrypted at rest with a customer-managed KMS key (storageEncrypted + kmsKeyId).",
  types: ["aws:rds/cluster:Cluster"],
  check: (props, _args, report) => {
    if (!isTrue(peek(props, "storageEncrypted"))) report("storageEncrypted must be true");
    if (!isSet(peek(props, "kmsKeyId"))) report("kmsKeyId must name the region's customer-managed key");
  },
});

export const rdsGlobalClusterEncryption = resourceRule({
  name: "rds-global-cluster-encrypted",
  description: "Aurora global clusters are created encrypted.",
  types: ["aws:rds/globalCluster:GlobalCluster"],
  check: (props, _args, report) => {
    // A global cluster built from an existing cluster inherits that cluster's encryption.
    if (isSet(peek(props, "sourceDbClusterIdentifier"))) return;
    if (!isTrue(peek(props, "storageEncrypted"))) report("storageEncrypted must be true");
  },
});

export const dynamodbEncryption = resourceRule({
  name: "dynamodb-encrypted-with-cmk",
  description: "DynamoDB tables and every replica use a customer-managed KMS key.",
  types: ["aws:dynamodb/table:Table"],
  check: (props, _args, report) => {
    const sse = peek(props, "serverSideEncryption");
    if (!isTrue(dig(sse, "enabled"))) report("serverSideEncryption.enabled must be true");
    if (!isSet(dig(sse, "kmsKeyArn")))
      report("serverSideEncryption.kmsKeyArn must name a customer-managed key");
    items(peek(props, "replicas")).forEach((replica, i) => {
      if (!isSet(dig(replica, "kmsKeyArn"))) {
        report(`replica ${describe(dig(replica, "regionName"))} (#${i}) has no kmsKeyArn`);
      }
    });
  },
});

export const snsEncryption = resourceRule({
  name: "sns-encrypted-with-cmk",
  description: "SNS topics are encrypted with a customer-managed KMS key (kmsMasterKeyId).",
  types: ["aws:sns/topic:Topic"],
  check: (props, _args, report) => {
    if (!isSet(peek(props, "kmsMasterKeyId"))) report("kmsMasterKeyId must be set");
  },
});

export const sqsEncryption = resourceRule({
  name: "sqs-encrypted",
  description: "SQS queues are encrypted at rest (kmsMasterKeyId, or at least SQS-managed SSE).",
  types: ["aws:sqs/queue:Queue"],
  check: (props, _args, report) => {
    if (!isSet(peek(props, "kmsMasterKeyId")) && !isTrue(peek(props, "sqsManagedSseEnabled"))) {
      report("set kmsMasterKeyId (customer-managed key) or sqsManagedSseEnabled");
    }
  },
});

export const sqsCustomerManagedKey = resourceRule({
  name: "sqs-customer-managed-key",
  description: "SQS queues use the region's customer-managed key rather than SQS-managed SSE.",
  enforcementLevel: "advisory",
  types: ["aws:sqs/queue:Queue"],
  check: (props, _args, report) => {
    if (!isSet(peek(props, "kmsMasterKeyId"))) report("expected kmsMasterKeyId (customer-managed key)");
  },
});

export const logGroupEncryption = resourceRule({
  name: "log-group-encrypted-with-cmk",
  description: "CloudWatch log groups are encrypted with a customer-managed KMS key (kmsKeyId).",
  types: ["aws:cloudwatch/logGroup:LogGroup"],
  check: (props, _args, report) => {
    if (!isSet(peek(props, "kmsKeyId"))) report("kmsKeyId must be set");
  },
});

export const secretEncryption = resourceRule({
  name: "secret-encrypted-with-cmk",
  description: "Secrets Manager secrets and their replicas use customer-managed KMS keys.",
  types: ["aws:secretsmanager/secret:Secret"],
  check: (props, _args, report) => {
    if (!isSet(peek(props, "kmsKeyId"))) report("kmsKeyId must be set");
    items(peek(props, "replicas")).forEach((replica, i) => {
      if (!isSet(dig(replica, "kmsKeyId"))) {
        report(`replica ${describe(dig(replica, "region"))} (#${i}) has no kmsKeyId`);
      }
    });
  },
});

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"] as const;
const SSE_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
] as const;
const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/**
 * Stack-level: the encryption of a bucket lives in a separate resource. Server access log buckets are the
 * exception: their default encryption may only be SSE-S3 (AES256), so that is what they must have.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 */
export const s3BucketEncryption = stackRule({
  name: "s3-bucket-encrypted-with-cmk",
  description:
    "Every S3 bucket has a server-side encryption configuration using aws:kms with a customer-managed key (server access log buckets: AES256).",
  check: (args, report) => {
    const logBuckets = new Set(logTargets(args.resources).map((b) => b.urn));
    for (const bucket of args.resources.filter((r) => (BUCKET_TYPES as readonly string[]).includes(r.type))) {
      const configs = attachedTo(bucket, args.resources, SSE_TYPES, "bucket", ["bucket", "id"]);
      if (logBuckets.has(bucket.urn)) {
        const aes = configs.some((c) =>
          items(peek(c.props, "rules")).some(
            (rule) => dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") === "AES256",
          ),
        );
        if (!aes)
          report(`access log bucket ${bucket.name} must use SSE-S3 (AES256) default encryption`, bucket.urn);
        continue;
      }
      const ok = configs.some((c) =>
        items(peek(c.props, "rules")).some((rule) => {
          const byDefault = dig(rule, "applyServerSideEncryptionByDefault");
          const algorithm = dig(byDefault, "sseAlgorithm");
          const kms =
            algorithm === UNKNOWN || (typeof algorithm === "string" && KMS_ALGORITHMS.includes(algorithm));
          return kms && isSet(dig(byDefault, "kmsMasterKeyId"));
        }),
      );
      if (!ok) {
        report(
          `bucket ${bucket.name} has no BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and a kmsMasterKeyId`,
          bucket.urn,
        );
      }
    }
  },
});

export const encryptionPolicies = [
  rdsClusterEncryption,
  rdsGlobalClusterEncryption,
  dynamodbEncryption,
  snsEncryption,
  sqsEncryption,
  sqsCustomerManagedKey,
  logGroupEncryption,
  secretEncryption,
  s3BucketEncryption,
];
