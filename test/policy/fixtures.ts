/** Hand-made resources for exercising one policy rule at a time through the offline adapter. */
import type { Policies } from "@pulumi/policy";
import { PlanResource } from "../../tooling/plan/model";
import { PolicyViolation, runPolicies } from "../../tooling/plan/policy-check";

export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<PlanResource> & { stack?: string } = {},
): PlanResource {
  const { stack = "dev", ...rest } = extra;
  return {
    type,
    name,
    urn: `urn:pulumi:${stack}::tap::${type}::${name}`,
    custom: true,
    inputs,
    state: { ...inputs },
    dependencies: [],
    protect: false,
    ignoreChanges: [],
    deleteBeforeReplace: false,
    retainOnDelete: false,
    id: `${name}-id`,
    region: "us-east-1",
    ...rest,
  };
}

/** Violations one policy reports over `resources`. */
export async function check(
  policy: Policies[number],
  resources: PlanResource[],
  config?: Record<string, Record<string, unknown>>,
): Promise<PolicyViolation[]> {
  return (await runPolicies(resources, { policies: [policy], config })).violations;
}

export const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";

/** A bucket with the satellite resources every bucket needs; `omit`/`patch` break one of them. */
export function bucketWith(
  name: string,
  opts: { omit?: ("versioning" | "pab" | "sse")[]; patch?: Record<string, Record<string, unknown>> } = {},
): PlanResource[] {
  const bucketName = `${name}-1234567`;
  const bucket = res("aws:s3/bucket:Bucket", name, {}, { state: { bucket: bucketName }, id: bucketName });
  const parts: Record<string, PlanResource> = {
    versioning: res("aws:s3/bucketVersioning:BucketVersioning", `${name}-versioning`, {
      bucket: bucketName,
      versioningConfiguration: { status: "Enabled" },
      ...opts.patch?.versioning,
    }),
    pab: res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}-pab`, {
      bucket: bucketName,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
      ...opts.patch?.pab,
    }),
    sse: res(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      `${name}-sse`,
      {
        bucket: bucketName,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } }],
        ...opts.patch?.sse,
      },
    ),
  };
  return [
    bucket,
    ...Object.entries(parts)
      .filter(([k]) => !opts.omit?.includes(k as "versioning"))
      .map(([, r]) => r),
  ];
}
