import * as pulumi from "@pulumi/pulumi";
import { TapConfig } from "../config";
import { RegionalFoundation } from "../foundation/regional-foundation";
import { RegionalService, Role } from "../service/regional-service";
import { AccessLogBucket, LoggedBucket } from "./access-log-bucket";
import { DataTier } from "./data-tier";

/** What the access logs read off the stack: both regions' foundations, the data tier and the services. */
export interface AccessLogsParent extends pulumi.Resource {
  readonly primary: RegionalFoundation;
  readonly secondary: RegionalFoundation;
  readonly data: DataTier;
  readonly services: Record<Role, RegionalService>;
}

type Bucket = {
  readonly bucket: { readonly id: pulumi.Output<string> };
  readonly arn: pulumi.Output<string>;
};

const logged = (prefix: string, b: Bucket): LoggedBucket => ({
  bucket: b.bucket.id,
  arn: b.arn,
  prefix: `${prefix}/`,
});

/**
 * S2: server access logs of every bucket, to a log bucket in the bucket's own region (S3 delivers access
 * logs only to a target bucket in the same region as the source).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 */
export function createAccessLogs(
  name: string,
  cfg: TapConfig,
  stack: AccessLogsParent,
): Record<Role, AccessLogBucket> {
  const { buckets } = stack.data;
  const [p, s] = [stack.services.primary, stack.services.secondary];
  const sources: Record<Role, LoggedBucket[]> = {
    primary: [logged("objects", buckets.primaryBucket), logged("canary-p", p.canary.artifacts)],
    secondary: [
      logged("objects", buckets.secondaryBucket),
      logged("canary-s", s.canary.artifacts),
      ...(s.probe ? [logged("canary-x", s.probe.artifacts)] : []),
    ],
  };
  const build = (role: Role) =>
    new AccessLogBucket(
      `${name}-${role}-access-logs`,
      {
        provider: stack[role].provider,
        accountId: stack[role].accountId,
        sources: sources[role],
        retentionDays: cfg.logRetentionDays,
        production: cfg.production,
      },
      { parent: stack },
    );
  return { primary: build("primary"), secondary: build("secondary") };
}
