import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Region, TapConfig } from "./config";
import { AccessLogBucket } from "./data/access-log-bucket";
import { createAccessLogs } from "./data/access-logs";
import { AURORA_PORT } from "./data/aurora-global-database";
import { auroraClusterIds, auroraName } from "./data/aurora-names";
import { AuroraRole, locateAuroraWriter, processingRegionFor } from "./data/aurora-writer";
import { createDataTier, DATABASE_NAME, DataTier } from "./data/data-tier";
import { WriterWitness } from "./data/writer-witness";
import { ApiFailoverDns } from "./detection/api-failover-dns";
import { FailoverOrchestrator } from "./failover/failover-orchestrator";
import { AlertRelay } from "./foundation/alert-relay";
import { RegionalFoundation } from "./foundation/regional-foundation";
import { Monitoring } from "./monitoring/monitoring";
import { createProviders, Providers } from "./providers";
import { RegionalService, regionalServiceName, Role } from "./service/regional-service";
import { operatorPolicy } from "./operations/operator-policy";
import { reconcileOf, stackOutputs, StackOutputValues } from "./stack-outputs";

const ROLES = ["primary", "secondary"] as const;

export interface TapStackArgs {
  /** Validated stack configuration (lib/config/). */
  readonly config: TapConfig;
}

/**
 * The whole multi-region platform: a foundation per region, the shared data tier, a RegionalService per
 * role, failover and monitoring. Components are built in dependency order and wired with explicit
 * `dependsOn` (R1–R3); alarms travel as data from the components that own them.
 */
export class TapStack extends pulumi.ComponentResource {
  public readonly providers: Providers;
  public readonly primary: RegionalFoundation;
  public readonly secondary: RegionalFoundation;
  /** The us-east-1 foundation for Route 53 health-check alarms; one of the two above when they are there. */
  public readonly metrics: RegionalFoundation;
  /** Aurora, DynamoDB and S3, shared by both regions. */
  public readonly data: DataTier;
  /** X3: the writer lease's witness in a third Region; absent when tap:writerLease is false. */
  public readonly witness?: WriterWitness;
  public readonly services: Record<Role, RegionalService>;
  /** Server access-log bucket per region (S2). */
  public readonly accessLogs: Record<Role, AccessLogBucket>;
  public readonly failover: FailoverOrchestrator;
  public readonly monitoring: Monitoring;
  public readonly apiUrl?: pulumi.Input<string>;
  /**
   * The region that books orders: where AWS reports the Aurora writer at deploy time (M2). Rejects, and
   * with it the program, when a pinned tap:processingRegion disagrees or no member writes.
   */
  public readonly processingRegion: Promise<AuroraRole>;
  /** The same, for the mappings: after a refusal it never settles, so none is declared with a guess. */
  private readonly bookingRegion: Promise<AuroraRole>;
  /** The same as a Region name: the writer lease's first holder (X3). */
  public readonly bookingRegionName: pulumi.Output<Region>;
  /** The on-call operator's least-privilege policy, built from this stack's resources (O3). */
  public readonly operatorPolicy: pulumi.Output<string>;
  public readonly outputs: StackOutputValues;

  constructor(name: string, args: TapStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:index:TapStack", name, {}, opts);
    const cfg = args.config;
    const p = (this.providers = createProviders(name, cfg, this));
    this.processingRegion = locateAuroraWriter(auroraClusterIds(auroraName(name)), {
      provider: p.secondary,
      parent: this,
    }).then((found) => processingRegionFor(cfg.processingRegion, found));
    this.bookingRegion = this.processingRegion.catch(() => new Promise<never>(() => undefined));
    this.bookingRegionName = pulumi
      .output(this.bookingRegion)
      .apply((role) => (role === "primary" ? cfg.primaryRegion : cfg.secondaryRegion));
    const accountId = aws
      .getCallerIdentityOutput({}, { parent: this, provider: p.primary })
      .apply((id) => id.accountId);
    const foundation = (role: string, provider: aws.Provider, region: Region, vpcCidr?: string) =>
      new RegionalFoundation(
        `${name}-${role}`,
        { region, provider, accountId, vpcCidr, settings: cfg, runsOrderPath: vpcCidr !== undefined },
        { parent: this },
      );
    this.primary = foundation("primary", p.primary, cfg.primaryRegion, cfg.primaryVpcCidr);
    this.secondary = foundation("secondary", p.secondary, cfg.secondaryRegion, cfg.secondaryVpcCidr);
    this.metrics =
      p.metricsRole === "metrics" ? foundation("metrics", p.metrics, p.metricsRegion) : this[p.metricsRole];

    // Everything published outside the secondary region is relayed there, so it survives a primary outage.
    const relayed = p.metricsRole === "metrics" ? [this.primary, this.metrics] : [this.primary];
    const relay = new AlertRelay(
      `${name}-alert-relay`,
      {
        sources: relayed.map((f) => ({ topicArn: f.topic.arn, provider: f.provider })),
        targetTopicArn: this.secondary.topic.arn,
        provider: p.secondary,
        region: this.secondary.region,
        kmsKeyArn: this.secondary.key.arn,
        logRetentionDays: cfg.logRetentionDays,
      },
      { parent: this, dependsOn: [this.primary.topic, this.secondary.topic] },
    );

    const data = (this.data = createDataTier(name, cfg, this));
    this.witness = writerWitness(name, cfg, this, accountId);
    this.services = regionalServices(name, cfg, this, this.bookingRegion);
    this.accessLogs = createAccessLogs(name, cfg, this);
    this.apiUrl = cfg.hostedZoneName ? failoverDns(name, cfg, this) : undefined;
    this.failover = failoverOrchestrator(name, cfg, this);
    restrictQueueWriters(cfg, this);
    this.monitoring = new Monitoring(
      `${name}-monitoring`,
      {
        primary: this.services.primary.monitored,
        secondary: this.services.secondary.monitored,
        tableName: data.ordersTable.tableName,
        replication: data.buckets.replication,
        auroraSecondaryClusterId: data.aurora.secondaryClusterId,
        healthCheckMetricsRegion: p.metricsRegion,
        replicationLagAlarmMs: cfg.replicationLagAlarmMs,
        strandedOrderMinutes: cfg.convergence.strandedOrderMinutes,
        alarms: [data, ...ROLES.map((r) => this.services[r]), relay, this.failover].flatMap((c) => c.alarms),
      },
      // Monitoring waits for everything it watches (R3).
      {
        parent: this,
        dependsOn: [data.aurora, this.primary.topic, this.secondary.topic, ...Object.values(this.services)],
      },
    );

    this.operatorPolicy = operatorPolicyOf(this);
    this.outputs = stackOutputs(this, cfg);
    this.registerOutputs(this.outputs);
  }
}

type Stack = Pick<TapStack, "providers" | "primary" | "secondary" | "metrics">;

type WithData = Stack & Pick<TapStack, "data" | "witness"> & pulumi.Resource;

/**
 * X3: the writer lease's witness, its lease first held by the Region where the Aurora writer is at deploy
 * time (M2); the orchestrator moves it from then on.
 */
function writerWitness(
  name: string,
  cfg: TapConfig,
  stack: Stack & Pick<TapStack, "bookingRegionName"> & pulumi.Resource,
  accountId: pulumi.Input<string>,
): WriterWitness | undefined {
  const provider = stack.providers.witness;
  if (!cfg.witnessRegion || !provider) return undefined;
  return new WriterWitness(
    `${name}-witness`,
    {
      region: cfg.witnessRegion,
      provider,
      accountId,
      orderRegions: [cfg.primaryRegion, cfg.secondaryRegion],
      firstHolder: stack.bookingRegionName,
      production: cfg.production,
    },
    { parent: stack },
  );
}

/** The same order flow in both regions (warm standby); the secondary also probes the primary's API.
 *  `bookingRegion`: where the Aurora writer is (M2). */
function regionalServices(
  name: string,
  cfg: TapConfig,
  stack: WithData,
  bookingRegion: Promise<AuroraRole>,
): Record<Role, RegionalService> {
  // Canary names are at most 21 characters: p(rimary), s(econdary), x (cross-region probe).
  const canaryName = (code: "p" | "s" | "x") => `${name}-${code}-cnry`;
  const build = (role: Role, probe?: RegionalService) =>
    new RegionalService(
      regionalServiceName(name, role),
      {
        role,
        foundation: stack[role],
        metrics: stack.metrics,
        settings: cfg,
        processingRegion: pulumi.output(bookingRegion),
        database: {
          secretArn: stack.data.ledger.appCredentials.secretArnIn(stack[role].region),
          tlsServerNames: stack.data.dbTlsServerNames,
          writerHost: stack.data.aurora.globalWriterEndpoint,
          port: AURORA_PORT,
          name: DATABASE_NAME,
        },
        table: {
          name: stack.data.ordersTable.tableName,
          arn: stack.data.ordersTable.arnIn(stack[role].region),
        },
        stores: [stack.data.aurora, stack.data.ordersTable],
        // The processor also waits for the ledger migration that creates its role (L6).
        processorAfter: [stack.data.ledger.migration],
        canaryName: canaryName(role === "primary" ? "p" : "s"),
        probe: probe && { target: probe.api, canaryName: canaryName("x") },
        writerLease: stack.witness && {
          tableName: stack.witness.tableName,
          region: stack.witness.region,
          leaseMs: stack.witness.leaseMs,
          readStatements: stack.witness.readStatements,
        },
      },
      { parent: stack },
    );
  const primary = build("primary");
  const secondary = build("secondary", primary);
  return { primary: primary.forwardTo(secondary), secondary: secondary.forwardTo(primary) }; // F1
}

type WithServices = WithData & Pick<TapStack, "services">;

/** S4: each region's order queue takes orders from its API, the other region's forwarder and the redrive
 *  path (the orchestrator, and the operators named in config who redrive by hand), and from no one else. */
function restrictQueueWriters(cfg: TapConfig, stack: WithServices & Pick<TapStack, "failover">): void {
  const { services, failover } = stack;
  for (const [role, peer] of [
    ["primary", "secondary"],
    ["secondary", "primary"],
  ] as const) {
    services[role].restrictQueueWriters([
      services[peer].forwarderRoleArn,
      failover.roleArn,
      ...cfg.security.orderQueueOperatorArns,
    ]);
  }
}

/** Optional failover DNS in front of both APIs, on the Route 53 health checks. */
function failoverDns(name: string, cfg: TapConfig, stack: WithServices): pulumi.Input<string> {
  const { services, providers: p } = stack;
  return new ApiFailoverDns(
    `${name}-dns`,
    {
      zoneName: cfg.hostedZoneName!,
      domainName: cfg.apiDomainName ?? `api-${cfg.environmentSuffix}.${cfg.hostedZoneName}`,
      ttlSeconds: cfg.dnsTtlSeconds,
      dnsProvider: p.metrics,
      regions: ROLES.map((role) => services[role].dnsTarget),
    },
    { parent: stack, dependsOn: ROLES.map((role) => services[role].healthCheck) },
  ).url;
}

/** The orchestrator lives in the secondary region and starts on the alarms marked as failover triggers. */
function failoverOrchestrator(name: string, cfg: TapConfig, stack: WithServices): FailoverOrchestrator {
  const { services, primary, secondary } = stack;
  const { aurora } = stack.data;
  const alarms = [...services.primary.alarms, ...services.secondary.alarms];
  return new FailoverOrchestrator(
    `${name}-failover`,
    {
      region: secondary.region,
      provider: secondary.provider,
      globalClusterId: aurora.globalClusterId,
      globalClusterArn: aurora.globalClusterArn,
      primaryClusterArn: aurora.primaryClusterArn,
      secondaryClusterArn: aurora.secondaryClusterArn,
      primaryHealthCheckId: services.primary.healthCheck.healthCheckId,
      alertTopicArn: secondary.topic.arn,
      publishTopicArns: [secondary.topic.arn, primary.topic.arn],
      kmsKeyArns: [secondary.key.arn, primary.key.arn],
      alarmAction: cfg.alarmFailoverAction,
      alarms,
      // Processing follows the writer; the new writer's DLQ is redriven (F2).
      processingSites: ROLES.map((role) => services[role].processingSite),
      reconcile: services.secondary.ledgerAccess,
      logKeyArn: secondary.key.arn,
      logRetentionDays: cfg.logRetentionDays,
      convergeMinutes: cfg.convergence.convergeMinutes,
      writerLease: stack.witness,
    },
    {
      parent: stack,
      dependsOn: [
        aurora,
        secondary.topic,
        services.primary.healthCheck,
        ...ROLES.flatMap((r) => services[r].probe ?? []),
      ],
    },
  );
}

/** What the operator runs, against this stack's resources (lib/operations/operator-policy.ts). */
function operatorPolicyOf(stack: TapStack): pulumi.Output<string> {
  const { failover, services, data } = stack;
  return operatorPolicy({
    promotion: failover.promotionStatements,
    reconcile: failover.reconcileStatements,
    functionArns: [failover.functionArn, reconcileOf(failover).arn],
    healthCheckIds: ROLES.map((r) => services[r].healthCheck.healthCheckId),
    primaryClusterArn: data.aurora.primaryClusterArn,
    appSecretArn: data.ledger.appCredentials.secretArn,
  });
}
