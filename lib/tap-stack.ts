import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TapConfig } from "./config";
import { AURORA_PORT, AuroraGlobalDatabase } from "./data/aurora-global-database";
import { DbAppCredentials } from "./data/db-app-credentials";
import { DbCredentials } from "./data/db-credentials";
import { LedgerMigration } from "./data/ledger-migration";
import { OrdersTable } from "./data/orders-table";
import { ReplicatedBuckets } from "./data/replicated-buckets";
import { AlertRelay } from "./foundation/alert-relay";
import { OrderApi } from "./orders/order-api";
import { ORDER_PROCESSOR_TIMEOUT, OrderProcessor } from "./orders/order-processor";
import { OrderQueue } from "./orders/order-queue";
import { ApiFailoverDns } from "./detection/api-failover-dns";
import { HealthCanary } from "./detection/health-canary";
import { HealthCheck } from "./detection/health-check";
import { FailoverOrchestrator } from "./failover/failover-orchestrator";
import { Monitoring } from "./monitoring/monitoring";
import { RegionalFoundation } from "./foundation/regional-foundation";
import { createProviders, Providers } from "./providers";

/** The ledger database inside the Aurora cluster; the order processor migrates its schema. */
const DATABASE_NAME = "orders";

export interface RegionalOrderFlow {
  readonly queue: OrderQueue;
  readonly processor: OrderProcessor;
  readonly api: OrderApi;
}

export interface TapStackArgs {
  /** Validated stack configuration (lib/config.ts). */
  readonly config: TapConfig;
}

/**
 * The whole multi-region platform. Components are built in dependency order and wired with explicit
 * `dependsOn` (R1–R3), so the order is visible here and not left to inference from Outputs.
 */
export class TapStack extends pulumi.ComponentResource {
  public readonly providers: Providers;
  public readonly primary: RegionalFoundation;
  public readonly secondary: RegionalFoundation;
  /** The us-east-1 foundation for Route 53 health-check alarms; one of the two above when they are there. */
  public readonly metrics: RegionalFoundation;
  public readonly credentials: DbCredentials;
  public readonly aurora: AuroraGlobalDatabase;
  /** The order processor's data-only DB role and the deploy-time migration that creates it (L6). */
  public readonly ledger: { readonly appCredentials: DbAppCredentials; readonly migration: LedgerMigration };
  public readonly ordersTable: OrdersTable;
  public readonly buckets: ReplicatedBuckets;
  public readonly orderFlow: Record<"primary" | "secondary", RegionalOrderFlow>;
  public readonly healthChecks: Record<"primary" | "secondary", HealthCheck>;
  /** A canary per region on its own API, and `probe`: the secondary region watching the primary's API. */
  public readonly canaries: Record<"primary" | "secondary" | "probe", HealthCanary>;
  public readonly failover: FailoverOrchestrator;
  public readonly monitoring: Monitoring;
  public readonly outputs: Record<string, pulumi.Input<unknown>>;

  constructor(name: string, args: TapStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:index:TapStack", name, {}, opts);
    const cfg = args.config;
    const p = (this.providers = createProviders(name, cfg, this));
    const accountId = aws
      .getCallerIdentityOutput({}, { parent: this, provider: p.primary })
      .apply((id) => id.accountId);

    const foundation = (
      role: string,
      provider: aws.Provider,
      region: typeof cfg.primaryRegion,
      vpcCidr?: string,
    ) =>
      new RegionalFoundation(
        `${name}-${role}`,
        {
          region,
          provider,
          accountId,
          vpcCidr,
          logRetentionDays: cfg.logRetentionDays,
          alertEmail: cfg.alertEmail,
          production: cfg.production,
        },
        { parent: this },
      );
    this.primary = foundation("primary", p.primary, cfg.primaryRegion, cfg.primaryVpcCidr);
    this.secondary = foundation("secondary", p.secondary, cfg.secondaryRegion, cfg.secondaryVpcCidr);
    this.metrics =
      p.metrics === p.primary
        ? this.primary
        : p.metrics === p.secondary
          ? this.secondary
          : foundation("metrics", p.metrics, p.metricsRegion);

    // Everything published outside the secondary region is relayed there, so it survives a primary outage.
    const relaySources = [this.primary, this.metrics]
      .filter((f, i, all) => f !== this.secondary && all.indexOf(f) === i)
      .map((f) => ({ topicArn: f.topic.arn, provider: f.provider }));
    new AlertRelay(
      `${name}-alert-relay`,
      {
        sources: relaySources,
        targetTopicArn: this.secondary.topic.arn,
        provider: p.secondary,
        kmsKeyArn: this.secondary.key.arn,
        logRetentionDays: cfg.logRetentionDays,
      },
      { parent: this, dependsOn: [this.primary.topic, this.secondary.topic] },
    );

    // Data tier. Aurora waits for the SNS topics its alarms publish to (R1).
    const topics = [this.primary.topic, this.secondary.topic];
    const region = (f: RegionalFoundation) => ({
      region: f.region,
      provider: f.provider,
      vpcId: f.vpc.vpcId,
      subnetIds: f.vpc.privateSubnetIds,
      clientSecurityGroupId: f.vpc.lambdaSecurityGroupId,
      kmsKeyArn: f.key.arn,
    });
    this.credentials = new DbCredentials(
      `${name}-db-credentials`,
      {
        provider: p.primary,
        randomProvider: p.random,
        kmsKeyArn: this.primary.key.arn,
        replica: { region: cfg.secondaryRegion, kmsKeyArn: this.secondary.key.arn },
        recoveryWindowInDays: cfg.production ? 30 : 7,
        protect: cfg.production,
      },
      { parent: this },
    );
    this.aurora = new AuroraGlobalDatabase(
      `${name}-aurora`,
      {
        primary: region(this.primary),
        secondary: region(this.secondary),
        engineVersion: cfg.dbEngineVersion,
        instanceClass: cfg.dbInstanceClass,
        databaseName: DATABASE_NAME,
        masterUsername: this.credentials.username,
        masterPassword: this.credentials.password,
        credentialsSecretArn: this.credentials.secretArn,
        backupRetentionDays: cfg.dbBackupRetentionDays,
        production: cfg.production,
        secondaryAlarmTopicArn: this.secondary.topic.arn,
        primaryAlarmTopicArn: this.primary.topic.arn,
        replicationLagAlarmMs: cfg.replicationLagAlarmMs,
        logRetentionDays: cfg.logRetentionDays,
        randomProvider: p.random,
      },
      { parent: this, dependsOn: [...topics, this.credentials] },
    );
    // Ledger access (issue 12, L6): the processor's own role and secret, and the deploy-time migration
    // that applies the schema and that role with the master credentials once the writer exists.
    const dbTlsServerNames = [this.aurora.primaryWriterEndpoint, this.aurora.secondaryWriterEndpoint];
    const appCredentials = new DbAppCredentials(
      `${name}-db-app-credentials`,
      {
        provider: p.primary,
        randomProvider: p.random,
        kmsKeyArn: this.primary.key.arn,
        replica: { region: cfg.secondaryRegion, kmsKeyArn: this.secondary.key.arn },
        host: this.aurora.globalWriterEndpoint,
        port: AURORA_PORT,
        databaseName: DATABASE_NAME,
        recoveryWindowInDays: cfg.production ? 30 : 7,
        protect: cfg.production,
      },
      { parent: this },
    );
    const migration = new LedgerMigration(
      `${name}-ledger-migration`,
      {
        provider: p.primary,
        subnetIds: this.primary.vpc.privateSubnetIds,
        securityGroupId: this.primary.vpc.lambdaSecurityGroupId,
        masterSecretArn: this.credentials.secretArn,
        appSecretArn: appCredentials.secretArn,
        appSecretVersionId: appCredentials.secretVersionId,
        kmsKeyArn: this.primary.key.arn,
        dbHost: this.aurora.globalWriterEndpoint,
        dbTlsServerNames,
        dbPort: AURORA_PORT,
        dbName: DATABASE_NAME,
        logRetentionDays: cfg.logRetentionDays,
        runAfter: [this.aurora, this.credentials, appCredentials],
      },
      { parent: this, dependsOn: [this.aurora, appCredentials] },
    );
    this.ledger = { appCredentials, migration };

    this.ordersTable = new OrdersTable(
      `${name}-orders`,
      {
        provider: p.primary,
        kmsKeyArn: this.primary.key.arn,
        replica: { region: cfg.secondaryRegion, kmsKeyArn: this.secondary.key.arn },
        production: cfg.production,
      },
      { parent: this, dependsOn: topics },
    );
    this.buckets = new ReplicatedBuckets(
      `${name}-objects`,
      {
        primary: { region: cfg.primaryRegion, provider: p.primary, kmsKeyArn: this.primary.key.arn },
        secondary: {
          region: cfg.secondaryRegion,
          provider: p.secondary,
          kmsKeyArn: this.secondary.key.arn,
        },
        production: cfg.production,
      },
      { parent: this, dependsOn: topics },
    );

    // Order flow, the same in both regions (warm standby). The processor waits for the stores it
    // writes to (R2).
    const orderFlow = (role: "primary" | "secondary", f: RegionalFoundation) => {
      const provider = f.provider;
      const queue = new OrderQueue(
        `${name}-${role}-orders-queue`,
        { provider, kmsKeyArn: f.key.arn, consumerTimeoutSeconds: ORDER_PROCESSOR_TIMEOUT },
        { parent: this },
      );
      const processor = new OrderProcessor(
        `${name}-${role}-order-processor`,
        {
          provider,
          subnetIds: f.vpc.privateSubnetIds,
          securityGroupId: f.vpc.lambdaSecurityGroupId,
          queueArn: queue.queueArn,
          rejectsQueue: { url: queue.rejectsQueueUrl, arn: queue.rejectsQueueArn },
          processingEnabled: cfg.processingRegion === role,
          secretArn: appCredentials.secretArnIn(f.region),
          kmsKeyArn: f.key.arn,
          dbHost: this.aurora.globalWriterEndpoint,
          dbTlsServerNames,
          dbPort: AURORA_PORT,
          dbName: DATABASE_NAME,
          alarmTopicArn: f.topic.arn,
          tableName: this.ordersTable.tableName,
          tableArn: this.ordersTable.arnIn(f.region),
          logRetentionDays: cfg.logRetentionDays,
        },
        { parent: this, dependsOn: [this.aurora, this.ordersTable, queue, migration] },
      );
      const api = new OrderApi(
        `${name}-${role}-api`,
        {
          region: f.region,
          provider,
          accountId,
          kmsKeyArn: f.key.arn,
          logRetentionDays: cfg.logRetentionDays,
          queue: { arn: queue.queueArn, name: queue.queueName, url: queue.queueUrl },
          tableName: this.ordersTable.tableName,
          tableArn: this.ordersTable.arnIn(f.region),
          // The processor's own path (F1): health probes what the processor would write to.
          dbHost: this.aurora.globalWriterEndpoint,
          dbPort: AURORA_PORT,
          mapping: { uuid: processor.mappingUuid, arn: processor.mappingArn },
          alarmTopicArn: f.topic.arn,
          subnetIds: f.vpc.privateSubnetIds,
          securityGroupId: f.vpc.lambdaSecurityGroupId,
        },
        { parent: this, dependsOn: [queue, this.ordersTable, this.aurora, processor] },
      );
      return { queue, processor, api };
    };
    this.orderFlow = {
      primary: orderFlow("primary", this.primary),
      secondary: orderFlow("secondary", this.secondary),
    };
    const of = this.orderFlow;

    // Detection. Route 53 health checks and their alarms live in us-east-1, where their metrics are.
    const healthCheck = (role: "primary" | "secondary") =>
      new HealthCheck(
        `${name}-health-${role}`,
        {
          host: of[role].api.host,
          path: `/${of[role].api.stageName}/health`,
          requestIntervalSeconds: cfg.healthCheckIntervalSeconds,
          failureThreshold: cfg.healthCheckFailureThreshold,
          metricsProvider: p.metrics,
          alarmTopicArn: this.metrics.topic.arn,
        },
        { parent: this, dependsOn: [of[role].api, this.metrics.topic] },
      );
    this.healthChecks = { primary: healthCheck("primary"), secondary: healthCheck("secondary") };
    let apiUrl: string | undefined;
    if (cfg.hostedZoneName) {
      const dns = new ApiFailoverDns(
        `${name}-dns`,
        {
          zoneName: cfg.hostedZoneName,
          domainName: cfg.apiDomainName ?? `api-${cfg.environmentSuffix}.${cfg.hostedZoneName}`,
          ttlSeconds: cfg.dnsTtlSeconds,
          dnsProvider: p.metrics,
          regions: (["primary", "secondary"] as const).map((role) => ({
            role: role === "primary" ? ("PRIMARY" as const) : ("SECONDARY" as const),
            provider: p[role],
            restApiId: of[role].api.restApiId,
            stageName: of[role].api.stageName,
            healthCheckId: this.healthChecks[role].healthCheckId,
          })),
        },
        { parent: this, dependsOn: [this.healthChecks.primary, this.healthChecks.secondary] },
      );
      apiUrl = dns.url;
    }

    // Canary names are at most 21 characters: p(rimary), s(econdary), x (cross-region probe).
    const canaryCode = { primary: "p", secondary: "s", probe: "x" } as const;
    const canary = (id: keyof typeof canaryCode, target: "primary" | "secondary", f: RegionalFoundation) =>
      new HealthCanary(
        `${name}-${id}-canary`,
        {
          canaryName: `tap-${cfg.environmentSuffix}-${canaryCode[id]}-cnry`,
          region: f.region,
          provider: f.provider,
          accountId,
          kmsKeyArn: f.key.arn,
          apiBaseUrl: of[target].api.endpoint,
          runtimeVersion: cfg.canaryRuntimeVersion,
          scheduleMinutes: cfg.canaryScheduleMinutes,
          alarmTopicArn: f.topic.arn,
        },
        { parent: this, dependsOn: [of[target].api, f.topic] },
      );
    this.canaries = {
      primary: canary("primary", "primary", this.primary),
      secondary: canary("secondary", "secondary", this.secondary),
      probe: canary("probe", "primary", this.secondary),
    };

    this.failover = new FailoverOrchestrator(
      `${name}-failover`,
      {
        region: cfg.secondaryRegion,
        provider: p.secondary,
        globalClusterId: this.aurora.globalClusterId,
        globalClusterArn: this.aurora.globalClusterArn,
        primaryClusterArn: this.aurora.primaryClusterArn,
        secondaryClusterArn: this.aurora.secondaryClusterArn,
        alertTopicArn: this.secondary.topic.arn,
        publishTopicArns: [this.secondary.topic.arn, this.primary.topic.arn],
        kmsKeyArns: [this.secondary.key.arn, this.primary.key.arn],
        alarmAction: cfg.alarmFailoverAction,
        triggers: [
          // Route 53's view of the primary, from us-east-1 (where its metrics are).
          {
            id: "health",
            alarmName: this.healthChecks.primary.alarmName,
            topicArn: this.metrics.topic.arn,
            provider: p.metrics,
          },
          // The secondary region's own view of the primary: still there when us-east-1 is the region in trouble.
          {
            id: "probe",
            alarmName: this.canaries.probe.alarmName,
            topicArn: this.secondary.topic.arn,
            provider: p.secondary,
          },
        ],
        processingSites: (["primary", "secondary"] as const).map((role) => ({
          region: role === "primary" ? cfg.primaryRegion : cfg.secondaryRegion,
          mappingUuid: of[role].processor.mappingUuid,
          mappingArn: of[role].processor.mappingArn,
          queueArn: of[role].queue.queueArn,
          dlqArn: of[role].queue.dlqArn,
        })),
        logKeyArn: this.secondary.key.arn,
        logRetentionDays: cfg.logRetentionDays,
      },
      {
        parent: this,
        dependsOn: [this.aurora, this.secondary.topic, this.healthChecks.primary, this.canaries.probe],
      },
    );

    // Monitoring waits for everything it watches (R3).
    const monitored = (role: "primary" | "secondary", f: RegionalFoundation) => ({
      role,
      region: f.region,
      provider: f.provider,
      topicArn: f.topic.arn,
      processorFunctionName: of[role].processor.functionName,
      queueName: of[role].queue.queueName,
      dlqName: of[role].queue.dlqName,
      apiName: of[role].api.apiName,
      stageName: of[role].api.stageName,
      canaryName: this.canaries[role].canaryName,
    });
    this.monitoring = new Monitoring(
      `${name}-monitoring`,
      {
        primary: monitored("primary", this.primary),
        secondary: monitored("secondary", this.secondary),
        tableName: this.ordersTable.tableName,
        replication: {
          sourceBucket: this.buckets.primaryBucketName,
          destinationBucket: this.buckets.secondaryBucketName,
          ruleId: this.buckets.replicationRuleId,
        },
        auroraSecondaryClusterId: this.aurora.secondaryClusterId,
        healthCheckIds: {
          primary: this.healthChecks.primary.healthCheckId,
          secondary: this.healthChecks.secondary.healthCheckId,
        },
        healthCheckMetricsRegion: p.metricsRegion,
        replicationLagAlarmMs: cfg.replicationLagAlarmMs,
        existingAlarms: [
          { name: this.healthChecks.primary.alarmName, region: p.metricsRegion, critical: true },
          { name: this.canaries.primary.alarmName, region: cfg.primaryRegion, critical: true },
          { name: this.aurora.replicationLagAlarmName, region: cfg.secondaryRegion, critical: false },
          { name: this.aurora.primaryReplicationLagAlarmName, region: cfg.primaryRegion, critical: false },
        ],
      },
      {
        parent: this,
        dependsOn: [
          this.aurora,
          of.primary.processor,
          of.secondary.processor,
          of.primary.api,
          of.secondary.api,
          ...topics,
          this.healthChecks.primary,
          this.healthChecks.secondary,
          this.canaries.primary,
          this.canaries.secondary,
          this.canaries.probe,
        ],
      },
    );

    this.outputs = {
      primaryRegion: cfg.primaryRegion,
      secondaryRegion: cfg.secondaryRegion,
      primaryVpcId: this.primary.vpc.vpcId,
      secondaryVpcId: this.secondary.vpc.vpcId,
      primaryKmsKeyArn: this.primary.key.arn,
      secondaryKmsKeyArn: this.secondary.key.arn,
      primarySnsTopicArn: this.primary.topic.arn,
      secondarySnsTopicArn: this.secondary.topic.arn,
      metricsSnsTopicArn: this.metrics.topic.arn,
      dbSecretArn: this.credentials.secretArn,
      globalClusterId: this.aurora.globalClusterId,
      globalWriterEndpoint: this.aurora.globalWriterEndpoint,
      auroraPrimaryEndpoint: this.aurora.primaryWriterEndpoint,
      auroraPrimaryReaderEndpoint: this.aurora.primaryReaderEndpoint,
      auroraSecondaryEndpoint: this.aurora.secondaryReaderEndpoint,
      primaryClusterArn: this.aurora.primaryClusterArn,
      secondaryClusterArn: this.aurora.secondaryClusterArn,
      dynamoTableName: this.ordersTable.tableName,
      primaryBucketName: this.buckets.primaryBucketName,
      secondaryBucketName: this.buckets.secondaryBucketName,
      dbEngineVersion: cfg.dbEngineVersion,
      primaryApiEndpoint: of.primary.api.endpoint,
      secondaryApiEndpoint: of.secondary.api.endpoint,
      primaryHealthUrl: of.primary.api.healthUrl,
      secondaryHealthUrl: of.secondary.api.healthUrl,
      primaryQueueUrl: of.primary.queue.queueUrl,
      secondaryQueueUrl: of.secondary.queue.queueUrl,
      primaryDlqUrl: of.primary.queue.dlqUrl,
      secondaryDlqUrl: of.secondary.queue.dlqUrl,
      primaryOrderProcessorName: of.primary.processor.functionName,
      secondaryOrderProcessorName: of.secondary.processor.functionName,
      primaryHealthCheckId: this.healthChecks.primary.healthCheckId,
      secondaryHealthCheckId: this.healthChecks.secondary.healthCheckId,
      primaryHealthAlarmName: this.healthChecks.primary.alarmName,
      canaryNames: [
        this.canaries.primary.canaryName,
        this.canaries.secondary.canaryName,
        this.canaries.probe.canaryName,
      ],
      failoverFunctionArn: this.failover.functionArn,
      failoverFunctionName: this.failover.functionName,
      compositeAlarmName: this.monitoring.compositeAlarmName,
      dashboardName: this.monitoring.dashboardName,
      ...(apiUrl ? { apiUrl } : {}),
    };
    this.registerOutputs(this.outputs);
  }
}
