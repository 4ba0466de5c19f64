/**
 * What a Synthetics canary run does after its script: it stores the run's artifacts (log, HAR, report)
 * in its artifacts location, as the canary's execution role, and a refused upload fails the run.
 *
 * - The role AWS documents for a canary: s3:PutObject on the results location, s3:GetBucketLocation on
 *   the bucket (the runtime finds the bucket's Region before it uploads), and for artifacts encrypted with
 *   a customer managed key, kms:GenerateDataKey on that key (in the role's policy or the key's).
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_Canaries_CanaryPermissions.html
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_artifact_encryption.html
 * - A run whose artifacts cannot be saved is FAILED with StateReasonCode EXECUTION_FAILURE even when the
 *   script passed (TestResult PASSED); a failed script (CANARY_FAILURE) takes precedence. The world counts
 *   a FAILED run as 0 in SuccessPercent, as it does a failed script.
 *   https://docs.aws.amazon.com/AmazonSynthetics/latest/APIReference/API_CanaryRunStatus.html
 * - S3 authorizes each request against the caller's identity policies and the bucket policy, in the
 *   context of a signed TLS request (iam.ts's signedRequestContext: aws:SecureTransport true), with the
 *   request's encryption headers as s3: condition keys.
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html
 * - For an SSE-KMS object, S3 asks KMS for a data key as the caller: kms:GenerateDataKey by the role,
 *   through S3 (kms:ViaService s3.<region>.amazonaws.com, kms:CallerAccount), against the role's policies
 *   and the key's effective policy. With an S3 Bucket Key the encryption context is the bucket's ARN,
 *   otherwise the object's. S3 reuses a bucket key for a while, so on AWS not every upload reaches KMS;
 *   the world asks on every run, which only makes a broken key grant fail on the first run instead of
 *   some later one.
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 *
 * Not modelled: replication, object ownership and ACLs, s3:ListAllMyBuckets (no resource, no resource
 * policy: the role's policy alone decides it), and visual monitoring (which reads artifacts back).
 */
import type { CanaryRun } from "./canary-runner";
import { recorded, type CallRecord, type IamDecision } from "./iam";
import type { BucketModel, CanaryModel, ProgramModel } from "./model";

/** The artifacts one run writes under its run folder (an API canary takes no screenshots). */
const ARTIFACTS = ["log.txt", "har.html", "SyntheticsReport.json"] as const;

type ArtifactUpload = NonNullable<CanaryRun["artifacts"]>[number];
/** `run`, with its artifacts uploaded to the canary's artifacts location and the outcome applied. */
export async function storeArtifacts(
  model: ProgramModel,
  canary: CanaryModel,
  at: number,
  run: CanaryRun,
  calls: CallRecord[],
): Promise<CanaryRun> {
  const uploads = await upload(model, canary, at, calls);
  const refused = uploads.find((u) => u.refused)?.refused;
  if (!run.passed) return { ...run, reasonCode: "CANARY_FAILURE", artifacts: uploads };
  if (refused) {
    return { passed: false, reasonCode: "EXECUTION_FAILURE", reason: refused, artifacts: uploads };
  }
  return { ...run, artifacts: uploads };
}

async function upload(
  model: ProgramModel,
  canary: CanaryModel,
  at: number,
  calls: CallRecord[],
): Promise<ArtifactUpload[]> {
  const location = /^s3:\/\/([^/]+)\/?(.*)$/.exec(canary.artifactS3Location);
  const folder = runFolder(canary, at);
  const keys = ARTIFACTS.map((f) => `${location?.[2] ?? ""}${folder}${f}`);
  const bucket = model.buckets.find((b) => b.name === location?.[1]);
  if (!location || !bucket) {
    const refused = `NoSuchBucket: ${canary.artifactS3Location}`;
    return keys.map((key) => ({ key, refused }));
  }
  const as = {
    principal: canary.executionRoleArn,
    account: model.account,
    identityPolicies: model.rolePolicies[canary.executionRoleArn] ?? [],
  };
  const locate = await recorded(
    { ...as, action: "s3:GetBucketLocation", resource: bucket.arn, resourcePolicy: bucket.policy },
    calls,
  );
  if (!locate.allowed) return keys.map((key) => ({ key, refused: `AccessDenied: ${locate.reason}` }));
  // Only SSE_KMS names a customer managed key, which the role must be allowed to use. SSE_S3 uses no KMS
  // key; with no artifactConfig, Synthetics encrypts with the AWS managed key, which needs no permission.
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_artifact_encryption.html
  const sse = canary.artifactEncryptionMode === "SSE_S3" ? "AES256" : "aws:kms";
  const kmsKeyArn = canary.artifactEncryptionMode === "SSE_KMS" ? canary.artifactKmsKeyArn : undefined;
  const out: ArtifactUpload[] = [];
  for (const key of keys) {
    const decision = await putObject(model, as, bucket, key, { sse, kmsKeyArn }, calls);
    out.push(decision.allowed ? { key } : { key, refused: `AccessDenied: ${decision.reason}` });
  }
  return out;
}

async function putObject(
  model: ProgramModel,
  as: { principal: string; account: string; identityPolicies: ProgramModel["rolePolicies"][string] },
  bucket: BucketModel,
  key: string,
  { sse, kmsKeyArn }: { sse: string; kmsKeyArn?: string },
  calls: CallRecord[],
): Promise<IamDecision> {
  const objectArn = `${bucket.arn}/${key}`;
  const put = await recorded(
    {
      ...as,
      action: "s3:PutObject",
      resource: objectArn,
      resourcePolicy: bucket.policy,
      context: {
        "s3:x-amz-server-side-encryption": sse,
        ...(kmsKeyArn ? { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyArn } : {}),
      },
    },
    calls,
  );
  if (!put.allowed || !kmsKeyArn) return put;
  return recorded(
    {
      ...as,
      action: "kms:GenerateDataKey",
      resource: kmsKeyArn,
      resourcePolicy: model.keyPolicies[kmsKeyArn],
      context: {
        "kms:ViaService": `s3.${bucket.region}.amazonaws.com`,
        "kms:CallerAccount": model.account,
        "kms:EncryptionContext:aws:s3:arn": bucket.bucketKeyEnabled ? bucket.arn : objectArn,
      },
    },
    calls,
  );
}

/** One folder per run under the location's prefix; IAM sees only that each artifact is under the prefix. */
function runFolder(canary: CanaryModel, at: number): string {
  const t = new Date(at).toISOString(); // 2026-12-07T00:05:00.000Z
  const [date, time] = t.slice(0, -1).split("T");
  return `canary/${canary.region}/${canary.name}/${date.replace(/-/g, "/")}/${time.replace(/[:.]/g, "-")}/`;
}
