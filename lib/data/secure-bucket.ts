import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyJson, Statement } from "../policy-documents";

export interface SecureBucketArgs {
  readonly provider: aws.Provider;
  /** Customer-managed key for SSE-KMS. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Days before noncurrent versions expire. Default: 90. */
  readonly noncurrentVersionDays?: number;
  /** Days before current objects under `expirePrefix` expire. Default: never. */
  readonly expireAfterDays?: number;
  /** Key prefix the expiry applies to, so long-lived objects elsewhere are kept. Default: "" (all). */
  readonly expirePrefix?: string;
  /** Extra bucket-policy statements; the TLS-only deny is always there. */
  readonly extraStatements?: (bucketArn: pulumi.Output<string>) => Statement[];
  /** Keep the bucket (and refuse to empty it) on destroy. Default: false. */
  readonly production?: boolean;
}

/**
 * A bucket with the defaults every bucket here needs: versioning, SSE-KMS with a bucket key, public
 * access blocked, TLS-only policy and a lifecycle for old versions (R16).
 */
export class SecureBucket extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly bucketName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  /** Versioning must be on before replication can be configured. */
  public readonly versioning: aws.s3.BucketVersioning;

  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:data:SecureBucket", name, {}, opts);
    const prod = args.production ?? false;
    const child = { parent: this, provider: args.provider };

    this.bucket = new aws.s3.Bucket(name, { forceDestroy: !prod }, { ...child, protect: prod });
    const bucketId = this.bucket.id;
    this.versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucketId, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      {
        bucket: bucketId,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
            bucketKeyEnabled: true,
          },
        ],
      },
      child,
    );
    const pab = new aws.s3.BucketPublicAccessBlock(
      `${name}-pab`,
      {
        bucket: bucketId,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucketId,
        policy: policyJson([
          denyInsecureTransport("s3:*", [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`]),
          ...(args.extraStatements?.(this.bucket.arn) ?? []),
        ]),
      },
      { ...child, dependsOn: [pab] },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucketId,
        rules: [
          {
            id: "expire-old-versions",
            status: "Enabled",
            filter: { prefix: "" },
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 90 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
          ...(args.expireAfterDays
            ? [
                {
                  id: "expire-current",
                  status: "Enabled",
                  filter: { prefix: args.expirePrefix ?? "" },
                  expiration: { days: args.expireAfterDays },
                },
              ]
            : []),
        ],
      },
      { ...child, dependsOn: [this.versioning] },
    );

    this.bucketName = this.bucket.bucket;
    this.arn = this.bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}
