import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyJson } from "../policy-documents";

/** A bucket whose server access logs go to the log bucket, under `prefix`. */
export interface LoggedBucket {
  /** Bucket name (id) of the source. */
  readonly bucket: pulumi.Input<string>;
  readonly arn: pulumi.Input<string>;
  /** Key prefix of its logs, e.g. "objects-primary/". */
  readonly prefix: string;
}

export interface AccessLogBucketArgs {
  readonly provider: aws.Provider;
  readonly accountId: pulumi.Input<string>;
  /** Buckets in this region that log here; S3 delivers only to a bucket in the source's region. */
  readonly sources: LoggedBucket[];
  /** Days a log object is kept. */
  readonly retentionDays: number;
  readonly production?: boolean;
}

export function checkAccessLogBucketArgs(args: AccessLogBucketArgs): void {
  const d = args.retentionDays;
  if (!Number.isInteger(d) || d < 1) throw new Error(`AccessLogBucket: retentionDays must be >= 1, got ${d}`);
  const prefixes = args.sources.map((s) => s.prefix);
  if (prefixes.some((p) => !/^[a-z0-9-]+\/$/.test(p)) || new Set(prefixes).size !== prefixes.length) {
    throw new Error(`AccessLogBucket: prefixes must be distinct "name/" values, got ${prefixes.join(", ")}`);
  }
}

/**
 * The server access log bucket of one region (S3), and the logging configuration of every source bucket
 * there.
 *
 * - Encryption is SSE-S3 (AES256), not the region's KMS key: S3 documents that a server access log
 *   destination may use default encryption only with SSE-S3; SSE-KMS default encryption is not supported.
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 * - Delivery is granted by bucket policy to the logging service principal, bound to this account and to
 *   the source buckets (no confused deputy); ACLs are disabled (bucket owner enforced).
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general
 * - Logs expire after `retentionDays`; versioning is on (as for every bucket here) with old versions
 *   dropped after a day, so expiry really deletes.
 */
export class AccessLogBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:data:AccessLogBucket", name, {}, opts);
    checkAccessLogBucketArgs(args);
    const prod = args.production ?? false;
    const child = { parent: this, provider: args.provider };
    const bucket = new aws.s3.Bucket(name, { forceDestroy: !prod }, { ...child, protect: prod });
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      child,
    );
    const pab = new aws.s3.BucketPublicAccessBlock(
      `${name}-pab`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    const policy = this.deliveryPolicy(name, bucket, args, { ...child, dependsOn: [pab] });
    this.expireLogs(name, bucket.id, args.retentionDays, { ...child, dependsOn: [versioning] });
    for (const source of args.sources) {
      new aws.s3.BucketLogging(
        `${name}-${source.prefix.slice(0, -1)}`,
        { bucket: source.bucket, targetBucket: bucket.id, targetPrefix: source.prefix },
        { ...child, dependsOn: [policy] },
      );
    }

    this.bucketName = bucket.bucket;
    this.arn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }

  /** Lets the logging service deliver for the source buckets of this account only; TLS only. */
  private deliveryPolicy(
    name: string,
    bucket: aws.s3.Bucket,
    args: AccessLogBucketArgs,
    opts: pulumi.CustomResourceOptions,
  ): aws.s3.BucketPolicy {
    return new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: policyJson([
          {
            Sid: "S3ServerAccessLogDelivery",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucket.arn}/*`,
            Condition: {
              StringEquals: { "aws:SourceAccount": args.accountId },
              ArnLike: { "aws:SourceArn": args.sources.map((s) => s.arn) },
            },
          },
          denyInsecureTransport("s3:*", [bucket.arn, pulumi.interpolate`${bucket.arn}/*`]),
        ]),
      },
      opts,
    );
  }

  private expireLogs(
    name: string,
    bucket: pulumi.Input<string>,
    retentionDays: number,
    opts: pulumi.CustomResourceOptions,
  ): void {
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "expire-logs",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      opts,
    );
  }
}
