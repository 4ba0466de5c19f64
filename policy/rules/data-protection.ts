/** Point-in-time recovery, bucket versioning and public access blocks, S3 RTC, deletion protection. */
import type { PolicyResource } from "@pulumi/policy";
import { attachedTo, describe, dig, isTrue, items, peek, resourceRule, stackOfUrn, stackRule } from "../util";
import { BUCKET_TYPES } from "./encryption";

export const dynamodbPitr = resourceRule({
  name: "dynamodb-point-in-time-recovery",
  description: "DynamoDB tables and every replica have point-in-time recovery enabled.",
  types: ["aws:dynamodb/table:Table"],
  check: (props, _args, report) => {
    if (!isTrue(dig(props, "pointInTimeRecovery", "enabled")))
      report("pointInTimeRecovery.enabled must be true");
    items(peek(props, "replicas")).forEach((replica, i) => {
      if (!isTrue(dig(replica, "pointInTimeRecovery"))) {
        report(`replica ${describe(dig(replica, "regionName"))} (#${i}) has no pointInTimeRecovery`);
      }
    });
  },
});

const isBucket = (r: PolicyResource) => (BUCKET_TYPES as readonly string[]).includes(r.type);
const VERSIONING_TYPES = [
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketVersioningV2:BucketVersioningV2",
];
const PAB_TYPES = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
export const PUBLIC_ACCESS_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

export const s3BucketVersioning = stackRule({
  name: "s3-bucket-versioning",
  description: "Every S3 bucket has a BucketVersioning resource with status Enabled.",
  check: (args, report) => {
    for (const bucket of args.resources.filter(isBucket)) {
      const versioning = attachedTo(bucket, args.resources, VERSIONING_TYPES, "bucket", ["bucket", "id"]);
      const enabled = versioning.some((v) => dig(v.props, "versioningConfiguration", "status") === "Enabled");
      if (!enabled) report(`bucket ${bucket.name} has no BucketVersioning with status Enabled`, bucket.urn);
    }
  },
});

export const s3BucketPublicAccessBlock = stackRule({
  name: "s3-bucket-public-access-block",
  description: "Every S3 bucket has a BucketPublicAccessBlock with all four flags true.",
  check: (args, report) => {
    for (const bucket of args.resources.filter(isBucket)) {
      const blocks = attachedTo(bucket, args.resources, PAB_TYPES, "bucket", ["bucket", "id"]);
      if (blocks.length === 0) {
        report(`bucket ${bucket.name} has no BucketPublicAccessBlock`, bucket.urn);
        continue;
      }
      if (!blocks.some((b) => PUBLIC_ACCESS_FLAGS.every((f) => isTrue(peek(b.props, f))))) {
        const missing = PUBLIC_ACCESS_FLAGS.filter((f) => !isTrue(peek(blocks[0].props, f)));
        report(`bucket ${bucket.name}: public access block leaves ${missing.join(", ")} off`, bucket.urn);
      }
    }
  },
});

/** Replication Time Control accepts only 15 minutes; its metrics must use the same threshold. */
export const RTC_MINUTES = 15;

export const s3ReplicationTimeControl = resourceRule({
  name: "s3-replication-time-control",
  description:
    "Every enabled S3 replication rule uses Replication Time Control (15 min) with replication metrics.",
  types: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
  check: (props, _args, report) => {
    const rules = items(peek(props, "rules"));
    if (rules.length === 0) report("replication configuration has no rules");
    rules.forEach((rule, i) => {
      if (dig(rule, "status") === "Disabled") return;
      const id = `rule ${describe(dig(rule, "id"))} (#${i})`;
      const destination = dig(rule, "destination");
      if (dig(destination, "replicationTime", "status") !== "Enabled") {
        report(`${id}: destination.replicationTime.status must be Enabled`);
      }
      const minutes = dig(destination, "replicationTime", "time", "minutes");
      if (minutes !== RTC_MINUTES)
        report(`${id}: replicationTime.time.minutes must be ${RTC_MINUTES}, got ${describe(minutes)}`);
      if (dig(destination, "metrics", "status") !== "Enabled")
        report(`${id}: destination.metrics.status must be Enabled`);
      const threshold = dig(destination, "metrics", "eventThreshold", "minutes");
      if (threshold !== RTC_MINUTES) {
        report(`${id}: metrics.eventThreshold.minutes must be ${RTC_MINUTES}, got ${describe(threshold)}`);
      }
    });
  },
});

export interface DeletionProtectionConfig {
  /** Forces the decision; otherwise the stack name decides. */
  readonly production?: boolean;
  /** Stack names treated as production. Default: ["prod"]. */
  readonly productionStacks?: string[];
}

/**
 * Production only. A policy pack cannot read stack config (tap:production), so it decides from the
 * policy config (`production`) or the stack name in the URN; the offline plan passes `production`.
 */
export const prodDeletionProtection = resourceRule({
  name: "prod-deletion-protection",
  description:
    "In production, Aurora clusters, the global cluster and DynamoDB tables have deletion protection.",
  types: ["aws:rds/cluster:Cluster", "aws:rds/globalCluster:GlobalCluster", "aws:dynamodb/table:Table"],
  configSchema: {
    properties: {
      production: { type: "boolean" },
      productionStacks: { type: "array", items: { type: "string" } },
    },
  },
  check: (props, args, report) => {
    const cfg = args.getConfig<DeletionProtectionConfig>();
    const production =
      typeof cfg.production === "boolean"
        ? cfg.production
        : (cfg.productionStacks ?? ["prod"]).includes(stackOfUrn(args.urn));
    if (!production) args.notApplicable("not a production stack");
    const key = args.type === "aws:dynamodb/table:Table" ? "deletionProtectionEnabled" : "deletionProtection";
    if (!isTrue(peek(props, key))) report(`${key} must be true in production`);
  },
});

export const dataProtectionPolicies = [
  dynamodbPitr,
  s3BucketVersioning,
  s3BucketPublicAccessBlock,
  s3ReplicationTimeControl,
  prodDeletionProtection,
];
