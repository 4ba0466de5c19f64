import * as pulumi from "@pulumi/pulumi";
import { TapConfig } from "../config";
import { RegionalFoundation } from "../foundation/regional-foundation";
import { Providers } from "../providers";
import { AuroraGlobalDatabase } from "./aurora-global-database";
import { DbCredentials } from "./db-credentials";
import { OrdersTable } from "./orders-table";
import { ReplicatedBuckets } from "./replicated-buckets";

/** The ledger database inside the Aurora cluster; the order processor migrates its schema. */
export const DATABASE_NAME = "orders";

/** The stack's providers and both regions' foundations; the data tier's components are its children. */
export interface DataTierParent extends pulumi.Resource {
  readonly providers: Providers;
  readonly primary: RegionalFoundation;
  readonly secondary: RegionalFoundation;
}

export interface DataTier {
  readonly credentials: DbCredentials;
  readonly aurora: AuroraGlobalDatabase;
  readonly ordersTable: OrdersTable;
  readonly buckets: ReplicatedBuckets;
}

/** Aurora, DynamoDB and S3 across both regions. They wait for the SNS topics their alarms use (R1). */
export function createDataTier(name: string, cfg: TapConfig, stack: DataTierParent): DataTier {
  const { providers: p, primary, secondary } = stack;
  const topics = [primary.topic, secondary.topic];
  const replica = { region: cfg.secondaryRegion, kmsKeyArn: secondary.key.arn };
  const parent = { parent: stack };
  const credentials = new DbCredentials(
    `${name}-db-credentials`,
    {
      provider: p.primary,
      randomProvider: p.random,
      kmsKeyArn: primary.key.arn,
      replica,
      recoveryWindowInDays: cfg.production ? 30 : 7,
      protect: cfg.production,
    },
    parent,
  );
  const network = (f: RegionalFoundation) => ({
    region: f.region,
    provider: f.provider,
    vpcId: f.vpc.vpcId,
    subnetIds: f.vpc.privateSubnetIds,
    clientSecurityGroupId: f.vpc.lambdaSecurityGroupId,
    kmsKeyArn: f.key.arn,
  });
  const aurora = new AuroraGlobalDatabase(
    `${name}-aurora`,
    {
      primary: network(primary),
      secondary: network(secondary),
      engineVersion: cfg.dbEngineVersion,
      instanceClass: cfg.dbInstanceClass,
      databaseName: DATABASE_NAME,
      masterUsername: credentials.username,
      masterPassword: credentials.password,
      credentialsSecretArn: credentials.secretArn,
      backupRetentionDays: cfg.dbBackupRetentionDays,
      production: cfg.production,
      secondaryAlarmTopicArn: secondary.topic.arn,
      replicationLagAlarmMs: cfg.replicationLagAlarmMs,
      logRetentionDays: cfg.logRetentionDays,
      randomProvider: p.random,
    },
    { ...parent, dependsOn: [...topics, credentials] },
  );
  const ordersTable = new OrdersTable(
    `${name}-orders`,
    { provider: p.primary, kmsKeyArn: primary.key.arn, replica, production: cfg.production },
    { ...parent, dependsOn: topics },
  );
  const bucketSide = (f: RegionalFoundation) => ({
    region: f.region,
    provider: f.provider,
    kmsKeyArn: f.key.arn,
  });
  const buckets = new ReplicatedBuckets(
    `${name}-objects`,
    { primary: bucketSide(primary), secondary: bucketSide(secondary), production: cfg.production },
    { ...parent, dependsOn: topics },
  );
  return { credentials, aurora, ordersTable, buckets };
}
