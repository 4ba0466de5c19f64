import * as pulumi from "@pulumi/pulumi";
import { TapConfig } from "../config";
import { RegionalFoundation } from "../foundation/regional-foundation";
import { Providers } from "../providers";
import { AuroraGlobalDatabase } from "./aurora-global-database";
import { auroraName } from "./aurora-names";
import { AURORA_PORT } from "./aurora-global-database";
import { DbAppCredentials } from "./db-app-credentials";
import { DbCredentialRotation } from "./db-credential-rotation";
import { AlarmInfo } from "../monitoring/alarm";
import { DbCredentials } from "./db-credentials";
import { LedgerMigration } from "./ledger-migration";
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
  /** The order processor's data-only DB role and the deploy-time migration that creates it (L6). */
  readonly ledger: {
    readonly appCredentials: DbAppCredentials;
    readonly migration: LedgerMigration;
    /** Scheduled multi-user rotation of the processor's secret (S3); absent when config turns it off. */
    readonly rotation?: DbCredentialRotation;
  };
  /** Names the server certificate may carry besides the global writer endpoint (L6). */
  readonly dbTlsServerNames: pulumi.Input<string>[];
  readonly ordersTable: OrdersTable;
  readonly buckets: ReplicatedBuckets;
  /** Every alarm the data tier owns: Aurora's replication lag, a failed credential rotation. */
  readonly alarms: AlarmInfo[];
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
    auroraName(name),
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
      primaryAlarmTopicArn: primary.topic.arn,
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
    {
      accountId: primary.accountId,
      primary: bucketSide(primary),
      secondary: bucketSide(secondary),
      production: cfg.production,
    },
    { ...parent, dependsOn: topics },
  );
  const { ledger, dbTlsServerNames } = ledgerAccess(name, cfg, stack, credentials, aurora);
  const alarms = [...aurora.alarms, ...(ledger.rotation?.alarms ?? [])];
  return { credentials, aurora, ledger, dbTlsServerNames, ordersTable, buckets, alarms };
}

/**
 * Ledger access (issue 12, L6): the processor's own role and secret, and the deploy-time migration that
 * applies the schema and that role with the master credentials once the writer exists.
 */
function ledgerAccess(
  name: string,
  cfg: TapConfig,
  stack: DataTierParent,
  credentials: DbCredentials,
  aurora: AuroraGlobalDatabase,
) {
  const { providers: p, primary, secondary } = stack;
  const dbTlsServerNames = [aurora.primaryWriterEndpoint, aurora.secondaryWriterEndpoint];
  const appCredentials = new DbAppCredentials(
    `${name}-db-app-credentials`,
    {
      provider: p.primary,
      randomProvider: p.random,
      kmsKeyArn: primary.key.arn,
      replica: { region: cfg.secondaryRegion, kmsKeyArn: secondary.key.arn },
      host: aurora.globalWriterEndpoint,
      port: AURORA_PORT,
      databaseName: DATABASE_NAME,
      masterSecretArn: cfg.dbCredentialRotation.enabled ? credentials.secretArn : undefined,
      recoveryWindowInDays: cfg.production ? 30 : 7,
      protect: cfg.production,
    },
    { parent: stack },
  );
  const migration = new LedgerMigration(
    `${name}-ledger-migration`,
    {
      provider: p.primary,
      region: primary.region,
      subnetIds: primary.vpc.privateSubnetIds,
      securityGroupId: primary.vpc.lambdaSecurityGroupId,
      masterSecretArn: credentials.secretArn,
      appSecretArn: appCredentials.secretArn,
      appSecretVersionId: appCredentials.secretVersionId,
      kmsKeyArn: primary.key.arn,
      dbHost: aurora.globalWriterEndpoint,
      dbTlsServerNames,
      dbPort: AURORA_PORT,
      dbName: DATABASE_NAME,
      logRetentionDays: cfg.logRetentionDays,
      runAfter: [aurora, credentials, appCredentials],
    },
    { parent: stack, dependsOn: [aurora, appCredentials] },
  );
  const rotation = cfg.dbCredentialRotation.enabled
    ? credentialRotation(name, cfg, stack, { credentials, appCredentials, aurora, migration })
    : undefined;
  return { ledger: { appCredentials, migration, rotation }, dbTlsServerNames };
}

/**
 * The processor's credentials rotate in the primary region, where the secret's primary copy and the
 * writer are (S3); the first rotation waits for the migration that creates both users.
 */
function credentialRotation(
  name: string,
  cfg: TapConfig,
  stack: DataTierParent,
  parts: {
    credentials: DbCredentials;
    appCredentials: DbAppCredentials;
    aurora: AuroraGlobalDatabase;
    migration: LedgerMigration;
  },
): DbCredentialRotation {
  const { providers: p, primary, secondary } = stack;
  return new DbCredentialRotation(
    `${name}-db-rotation`,
    {
      provider: p.primary,
      region: cfg.primaryRegion,
      secretArn: parts.appCredentials.secretArn,
      secretKmsKeyArn: primary.key.arn,
      username: parts.appCredentials.username,
      masterSecretArn: parts.credentials.secretArn,
      masterSecretKmsKeyArn: primary.key.arn,
      replica: { region: cfg.secondaryRegion, kmsKeyArn: secondary.key.arn },
      subnetIds: primary.vpc.privateSubnetIds,
      securityGroupId: primary.vpc.lambdaSecurityGroupId,
      logKeyArn: primary.key.arn,
      logRetentionDays: cfg.logRetentionDays,
      automaticallyAfterDays: cfg.dbCredentialRotation.automaticallyAfterDays,
      runAfter: [parts.migration, parts.aurora, parts.credentials, parts.appCredentials],
      alarmTopicArn: primary.topic.arn,
    },
    { parent: stack },
  );
}
