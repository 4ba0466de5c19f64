import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Region } from "../config";
import { AlarmInfo, alarmInfo } from "../monitoring/alarm";
import { auroraClusterIds } from "./aurora-names";
import { MEMBER_CLUSTER_RUNTIME_OWNED, MEMBER_INSTANCE_RUNTIME_OWNED } from "../run-time-owned";

/** Child names the DR budget finds resources by: `${name}-<part>`. */
export const AURORA_PARTS = {
  lagAlarm: "replication-lag",
  primaryLagAlarm: "primary-replication-lag",
} as const;

export const AURORA_ENGINE = "aurora-postgresql";
export const AURORA_PORT = 5432;

/** Where one member cluster of the global database lives. */
export interface AuroraRegionArgs {
  readonly region: Region;
  readonly provider: aws.Provider;
  readonly vpcId: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string>[];
  /** The only security group admitted on 5432: the application Lambdas' (R10). */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  /** Customer-managed key of this region (R8). */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Number of instances. Primary default: 2 (writer + reader); secondary default: 1. */
  readonly instanceCount?: number;
}

export interface AuroraGlobalDatabaseArgs {
  readonly primary: AuroraRegionArgs;
  readonly secondary: AuroraRegionArgs;
  /** Aurora PostgreSQL 15.x minor, identical on the global cluster and both members (R7). */
  readonly engineVersion: string;
  /** Instance class for every instance; must be one global databases support. */
  readonly instanceClass: string;
  readonly databaseName: string;
  readonly masterUsername: string;
  /** Secret Output; never a plain string (R9). */
  readonly masterPassword: pulumi.Output<string>;
  /** Secret that receives the connection document once the endpoint exists. */
  readonly credentialsSecretArn: pulumi.Input<string>;
  readonly backupRetentionDays: number;
  /** Deletion protection, final snapshot and `protect` (P8). Default: false. */
  readonly production?: boolean;
  /** Secondary-region topic for the replication-lag alarm (R1). */
  readonly secondaryAlarmTopicArn: pulumi.Input<string>;
  /** Primary-region topic for the lag alarm that is live after a failover (F4). */
  readonly primaryAlarmTopicArn: pulumi.Input<string>;
  /** Provider for the random suffix of the final snapshot's name. */
  readonly randomProvider: random.Provider;
  /** Replication lag, ms, that raises the alarm. */
  readonly replicationLagAlarmMs: number;
  /** Retention of the exported PostgreSQL logs. */
  readonly logRetentionDays: number;
}

/**
 * An Aurora PostgreSQL global database (R7, R8, R10, P8): the global cluster, a primary cluster with a
 * writer and a reader, and a secondary cluster in the other region.
 *
 * A secondary member must not set master credentials or a database name (it replicates them), must
 * name a KMS key of its own region when encrypted, and can join only once the primary has an instance.
 * https://www.pulumi.com/registry/packages/aws/api-docs/rds/globalcluster/
 */
export class AuroraGlobalDatabase extends pulumi.ComponentResource {
  public readonly globalClusterId: pulumi.Output<string>;
  public readonly globalClusterArn: pulumi.Output<string>;
  /** Writer endpoint that follows the writer across a switchover or failover. */
  public readonly globalWriterEndpoint: pulumi.Output<string>;
  public readonly primaryWriterEndpoint: pulumi.Output<string>;
  public readonly primaryReaderEndpoint: pulumi.Output<string>;
  /** The secondary cluster's own writer endpoint: where the global writer endpoint points after a failover. */
  public readonly secondaryWriterEndpoint: pulumi.Output<string>;
  public readonly secondaryReaderEndpoint: pulumi.Output<string>;
  public readonly primaryClusterArn: pulumi.Output<string>;
  public readonly secondaryClusterArn: pulumi.Output<string>;
  public readonly primaryClusterId: pulumi.Output<string>;
  public readonly secondaryClusterId: pulumi.Output<string>;
  /** The replication-lag alarms, one per cluster in its own region (only a secondary publishes lag). */
  public readonly alarms: AlarmInfo[];

  constructor(name: string, args: AuroraGlobalDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:data:AuroraGlobalDatabase", name, {}, opts);
    checkAuroraGlobalDatabaseArgs(args);

    const ids = auroraClusterIds(name);
    const global = this.globalCluster(ids.global, args);
    const primary = this.primaryCluster(name, args, global);
    const primaryInstances = this.instances(ids.primary, args.primary, args, primary, 2);

    const secondary = this.memberCluster(
      ids.secondary,
      args.secondary,
      args,
      global,
      // A secondary cannot take a final snapshot while it is a replica; the primary's covers the data.
      { skipFinalSnapshot: true },
      primaryInstances,
    );
    this.instances(ids.secondary, args.secondary, args, secondary, 1);

    this.connectionSecretVersion(name, args, global);
    this.alarms = this.replicationLagAlarms(name, args, primary, secondary);

    this.globalClusterId = global.id;
    this.globalClusterArn = global.arn;
    this.globalWriterEndpoint = global.endpoint;
    this.primaryWriterEndpoint = primary.endpoint;
    this.primaryReaderEndpoint = primary.readerEndpoint;
    this.secondaryReaderEndpoint = secondary.readerEndpoint;
    this.secondaryWriterEndpoint = secondary.endpoint;
    this.primaryClusterArn = primary.arn;
    this.secondaryClusterArn = secondary.arn;
    this.primaryClusterId = primary.clusterIdentifier;
    this.secondaryClusterId = secondary.clusterIdentifier;
    this.registerOutputs({
      globalClusterId: this.globalClusterId,
      globalWriterEndpoint: this.globalWriterEndpoint,
      primaryWriterEndpoint: this.primaryWriterEndpoint,
      primaryReaderEndpoint: this.primaryReaderEndpoint,
      secondaryReaderEndpoint: this.secondaryReaderEndpoint,
    });
  }

  private globalCluster(id: string, args: AuroraGlobalDatabaseArgs): aws.rds.GlobalCluster {
    const prod = args.production ?? false;
    return new aws.rds.GlobalCluster(
      id,
      {
        globalClusterIdentifier: id,
        engine: AURORA_ENGINE,
        engineVersion: args.engineVersion,
        databaseName: args.databaseName,
        storageEncrypted: true,
        deletionProtection: prod,
      },
      { parent: this, provider: args.primary.provider, protect: prod },
    );
  }

  /** The member that holds the master credentials and the database, with a final snapshot in production. */
  private primaryCluster(
    name: string,
    args: AuroraGlobalDatabaseArgs,
    global: aws.rds.GlobalCluster,
  ): aws.rds.Cluster {
    const prod = args.production ?? false;
    // Snapshot names are unique per account and region and outlive the stack; a suffix fixed at
    // creation lets a torn-down production stack be created and destroyed again.
    const snapshotSuffix = prod
      ? new random.RandomId(
          `${name}-final-snapshot-id`,
          { byteLength: 4 },
          { parent: this, provider: args.randomProvider },
        )
      : undefined;
    return this.memberCluster(auroraClusterIds(name).primary, args.primary, args, global, {
      masterUsername: args.masterUsername,
      masterPassword: args.masterPassword,
      databaseName: args.databaseName,
      skipFinalSnapshot: !prod,
      finalSnapshotIdentifier:
        snapshotSuffix && pulumi.interpolate`${name}-primary-final-${snapshotSuffix.hex}`,
    });
  }

  /** Writes the connection document into the credentials secret once the global endpoint exists. */
  private connectionSecretVersion(
    name: string,
    args: AuroraGlobalDatabaseArgs,
    global: aws.rds.GlobalCluster,
  ): void {
    new aws.secretsmanager.SecretVersion(
      `${name}-connection`,
      {
        secretId: args.credentialsSecretArn,
        secretString: pulumi.all([args.masterPassword, global.endpoint]).apply(([password, host]) =>
          JSON.stringify({
            engine: "postgres",
            username: args.masterUsername,
            password,
            host,
            port: AURORA_PORT,
            dbname: args.databaseName,
          }),
        ),
      },
      { parent: this, provider: args.primary.provider },
    );
  }

  // Lag is published for whichever cluster is a secondary, in its own region, and not for the writer
  // (AuroraGlobalDBReplicationLag, dimension DBClusterIdentifier): one alarm per cluster, in its region,
  // with missing data not breaching. Today the secondary's alarm is the live one; after the roles swap
  // the old primary's becomes it, and the new writer's goes quiet instead of red for ever (F4).
  // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
  private replicationLagAlarms(
    name: string,
    args: AuroraGlobalDatabaseArgs,
    primary: aws.rds.Cluster,
    secondary: aws.rds.Cluster,
  ): AlarmInfo[] {
    const lagAlarm = (
      suffix: string,
      cluster: aws.rds.Cluster,
      topic: pulumi.Input<string>,
      provider: aws.Provider,
    ) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        {
          alarmDescription: `Aurora global replication lag above ${args.replicationLagAlarmMs} ms (RPO at risk)`,
          namespace: "AWS/RDS",
          metricName: "AuroraGlobalDBReplicationLag",
          dimensions: { DBClusterIdentifier: cluster.clusterIdentifier },
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          threshold: args.replicationLagAlarmMs,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [topic],
          okActions: [topic],
        },
        { parent: this, provider },
      );
    const secondaryLag = lagAlarm(
      AURORA_PARTS.lagAlarm,
      secondary,
      args.secondaryAlarmTopicArn,
      args.secondary.provider,
    );
    const primaryLag = lagAlarm(
      AURORA_PARTS.primaryLagAlarm,
      primary,
      args.primaryAlarmTopicArn,
      args.primary.provider,
    );
    return [
      alarmInfo(
        secondaryLag,
        {
          region: args.secondary.region,
          topicArn: args.secondaryAlarmTopicArn,
          provider: args.secondary.provider,
        },
        { id: "replication-lag" },
      ),
      alarmInfo(
        primaryLag,
        { region: args.primary.region, topicArn: args.primaryAlarmTopicArn, provider: args.primary.provider },
        { id: "primary-replication-lag" },
      ),
    ];
  }

  private memberCluster(
    name: string,
    region: AuroraRegionArgs,
    args: AuroraGlobalDatabaseArgs,
    global: aws.rds.GlobalCluster,
    extra: Partial<aws.rds.ClusterArgs>,
    dependsOn: pulumi.Resource[] = [],
  ): aws.rds.Cluster {
    const child = { parent: this, provider: region.provider };
    const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: region.subnetIds }, child);
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: region.vpcId,
        description: "Aurora: PostgreSQL from the application security group only",
        ingress: [
          {
            protocol: "tcp",
            fromPort: AURORA_PORT,
            toPort: AURORA_PORT,
            securityGroups: [region.clientSecurityGroupId],
            description: "Order processor and health Lambdas",
          },
        ],
        egress: [],
      },
      child,
    );
    const params = new aws.rds.ClusterParameterGroup(
      `${name}-params`,
      {
        family: "aurora-postgresql15",
        description: `${name}: TLS-only connections`,
        parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }],
      },
      child,
    );
    const prod = args.production ?? false;
    // Pre-create the log group RDS exports to, so it gets retention and encryption instead of
    // "never expire". The cluster identifier is fixed (it carries the stack suffix) to know its name.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-postgresql-logs`,
      {
        name: `/aws/rds/cluster/${name}/postgresql`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: region.kmsKeyArn,
      },
      child,
    );
    return new aws.rds.Cluster(
      name,
      {
        clusterIdentifier: name,
        engine: AURORA_ENGINE,
        engineVersion: args.engineVersion,
        globalClusterIdentifier: global.id,
        storageEncrypted: true,
        kmsKeyId: region.kmsKeyArn,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [sg.id],
        dbClusterParameterGroupName: params.name,
        port: AURORA_PORT,
        backupRetentionPeriod: args.backupRetentionDays,
        preferredBackupWindow: "03:00-04:00",
        preferredMaintenanceWindow: "sun:05:00-sun:06:00",
        copyTagsToSnapshot: true,
        enabledCloudwatchLogsExports: ["postgresql"],
        deletionProtection: prod,
        ...extra,
      },
      {
        ...child,
        protect: prod,
        dependsOn: [...dependsOn, logGroup],
        // Roles swap at run time; what moves with them belongs to AWS (M1).
        ignoreChanges: MEMBER_CLUSTER_RUNTIME_OWNED,
      },
    );
  }

  private instances(
    name: string,
    region: AuroraRegionArgs,
    args: AuroraGlobalDatabaseArgs,
    cluster: aws.rds.Cluster,
    defaultCount: number,
  ): aws.rds.ClusterInstance[] {
    return Array.from(
      { length: region.instanceCount ?? defaultCount },
      (_, i) =>
        new aws.rds.ClusterInstance(
          `${name}-${i}`,
          {
            clusterIdentifier: cluster.id,
            engine: AURORA_ENGINE,
            engineVersion: args.engineVersion,
            instanceClass: args.instanceClass,
            dbSubnetGroupName: cluster.dbSubnetGroupName,
            publiclyAccessible: false,
            // Minor upgrades must land on both regions together, or switchover is refused.
            autoMinorVersionUpgrade: false,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: region.kmsKeyArn,
            performanceInsightsRetentionPeriod: 7,
            promotionTier: i,
          },
          {
            parent: this,
            provider: region.provider,
            protect: args.production ?? false,
            ignoreChanges: MEMBER_INSTANCE_RUNTIME_OWNED,
          },
        ),
    );
  }
}

export function checkAuroraGlobalDatabaseArgs(args: AuroraGlobalDatabaseArgs): void {
  const problems: string[] = [];
  if (!/^15\.\d+$/.test(args.engineVersion)) problems.push(`engineVersion ${args.engineVersion} is not 15.x`);
  if (args.primary.region === args.secondary.region)
    problems.push("primary and secondary must be different regions");
  if (args.backupRetentionDays < 1 || args.backupRetentionDays > 35)
    problems.push("backupRetentionDays must be 1..35");
  if ((args.primary.instanceCount ?? 2) < 2)
    problems.push("the primary needs a writer and at least one reader");
  if ((args.secondary.instanceCount ?? 1) < 1) problems.push("the secondary needs at least one instance");
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(args.databaseName))
    problems.push(`databaseName ${args.databaseName} is invalid`);
  if (problems.length) throw new Error(`AuroraGlobalDatabase: ${problems.join("; ")}`);
}
