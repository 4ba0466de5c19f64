import * as pulumi from "@pulumi/pulumi";
import { TapConfig } from "../config";
import { childName } from "../names";
import { ApiFailoverDnsRegion } from "../detection/api-failover-dns";
import { HealthCanary } from "../detection/health-canary";
import { HealthCheck } from "../detection/health-check";
import { RegionalFoundation } from "../foundation/regional-foundation";
import { AlarmInfo, AlarmRole } from "../monitoring/alarm";
import { MonitoredRegion } from "../monitoring/monitoring";
import { OrderApi } from "../orders/order-api";
import { OrderForwarder } from "../orders/order-forwarder";
import { ORDER_PROCESSOR_TIMEOUT, OrderProcessor, OrderProcessorArgs } from "../orders/order-processor";
import { OrderQueue } from "../orders/order-queue";
import { OrderQueueAccess } from "../orders/queue-writers";
import { ProcessingSiteArgs } from "../failover/failover-orchestrator";
import { LedgerAccess } from "../data/ledger-access";
import { WebAcl } from "../security/web-acl";

export type Role = "primary" | "secondary";

/** The service of `role` under the stack's root component. */
export const regionalServiceName = (stack: string, role: Role): string => childName(stack, role, "service");

/** Child names, `${name}-<part>`; tooling (the DR budget) finds resources through these. */
export const REGIONAL_SERVICE_PARTS = {
  queue: "orders",
  processor: "processor",
  forwarder: "forwarder",
  api: "api",
  healthCheck: "health",
  canary: "canary",
  probe: "probe",
  waf: "waf",
} as const;

/** The stack settings a region's service reads; already validated (lib/config/). */
export type RegionalServiceSettings = Pick<
  TapConfig,
  | "logRetentionDays"
  | "healthCheckIntervalSeconds"
  | "healthCheckFailureThreshold"
  | "canaryRuntimeVersion"
  | "canaryScheduleMinutes"
  | "security"
  | "healthReservedConcurrency"
>;

export interface RegionalServiceArgs {
  /** Primary or secondary: decides which of this region's alarms are critical or start a failover. */
  readonly role: Role;
  /** This region: its region, provider, account, key, topic and network. */
  readonly foundation: RegionalFoundation;
  /** The us-east-1 foundation: Route 53 publishes health-check metrics only there. */
  readonly metrics: RegionalFoundation;
  readonly settings: RegionalServiceSettings;
  /** The region that books orders: the Aurora writer's, read from AWS at deploy time (M2). The mappings
   *  take it at creation only; the failover orchestrator owns them afterwards (M1). */
  readonly processingRegion: pulumi.Input<Role>;
  readonly database: {
    /** This region's copy of the credentials secret. */
    readonly secretArn: pulumi.Input<string>;
    /** Names the server certificate may carry besides the writer host (L6). */
    readonly tlsServerNames: pulumi.Input<string>[];
    /** Writer endpoint that follows failovers (the global writer endpoint), for the processor and the
     *  health check, which probes the same path (F1). */
    readonly writerHost: pulumi.Input<string>;
    readonly port: number;
    readonly name: string;
  };
  /** The orders table: its name, and the ARN of this region's copy. */
  readonly table: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** Stores the processor and API write to; they wait for these (R2). */
  readonly stores: pulumi.Resource[];
  /** What else the processor waits for. Default: nothing. */
  readonly processorAfter?: pulumi.Resource[];
  /** Physical canary name: at most 21 characters (HealthCanary checks it). */
  readonly canaryName: string;
  /** Another region's API that this region also watches, e.g. the secondary watching the primary.
   *  Its alarm starts a failover. Default: none. */
  readonly probe?: { readonly target: OrderApi; readonly canaryName: string };
  /** X3: the writer lease's witness; the processor books only while this Region holds the lease.
   *  Default: none (no fencing). */
  readonly writerLease?: OrderProcessorArgs["writerLease"];
}

/**
 * Everything one region runs for orders (warm standby: the same in both): the intake queue, the
 * processor, the forwarder that sends orders on while this region is the standby, the API, a Route 53
 * health check on the API and a canary that exercises it, plus an optional probe of another region.
 * Exposes its alarms as data and the view Monitoring needs.
 *
 * Build both regions' services, then call `forwardTo` on each with the other: each forwarder needs the
 * other region's queue, so neither can be complete at construction.
 */
export class RegionalService extends pulumi.ComponentResource {
  public readonly role: Role;
  public readonly queue: OrderQueue;
  public readonly processor: OrderProcessor;
  public readonly api: OrderApi;
  public readonly healthCheck: HealthCheck;
  public readonly canary: HealthCanary;
  public readonly probe?: HealthCanary;
  /** The web ACL in front of the stage (S2); absent when `wafEnabled` is false (dev only). */
  public readonly webAcl?: WebAcl;
  /** Every alarm this region's service owns (the forwarder's join when `forwardTo` builds it). */
  public readonly alarms: AlarmInfo[];
  /** What Monitoring watches in this region. */
  public readonly monitored: MonitoredRegion;
  /** This region's entry in the failover DNS records. */
  public readonly dnsTarget: ApiFailoverDnsRegion;
  /** How this region reaches the ledger and its table, as the processor does (for reconciliation). */
  public readonly ledgerAccess: LedgerAccess;
  private forwarder?: OrderForwarder;
  private readonly args: RegionalServiceArgs;
  private readonly name: string;

  constructor(name: string, args: RegionalServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:service:RegionalService", name, {}, opts);
    const { role, foundation: f, settings: s, database: db } = args;
    this.args = args;
    this.name = name;
    this.role = role;
    this.queue = new OrderQueue(
      this.part("queue"),
      { provider: f.provider, kmsKeyArn: f.key.arn, consumerTimeoutSeconds: ORDER_PROCESSOR_TIMEOUT },
      { parent: this },
    );
    this.ledgerAccess = {
      ...this.network(),
      secretArn: db.secretArn,
      kmsKeyArn: f.key.arn,
      dbHost: db.writerHost,
      dbTlsServerNames: db.tlsServerNames,
      dbPort: db.port,
      dbName: db.name,
      tableName: args.table.name,
      tableArn: args.table.arn,
    };
    this.processor = this.createProcessor();
    this.api = this.createApi();
    if (s.security.waf.enabled) {
      this.webAcl = new WebAcl(
        this.part("waf"),
        { ...this.common(), stageArn: this.api.stageArn, rateLimitPer5Min: s.security.waf.rateLimitPer5Min },
        { parent: this },
      );
    }
    this.healthCheck = this.createHealthCheck();
    this.canary = this.createCanary(this.api, args.canaryName, "canary", { critical: role === "primary" });
    if (args.probe) {
      // X2: the probe runs in the secondary, on the secondary's network path: it alerts, it never starts a
      // failover (Route 53's checkers in several Regions are the evidence; lambda/failover/evidence.ts).
      this.probe = this.createCanary(args.probe.target, args.probe.canaryName, "probe", {
        failoverTrigger: false,
      });
    }
    this.alarms = [
      this.processor,
      this.api,
      this.healthCheck,
      this.canary,
      ...(this.probe ? [this.probe] : []),
    ].flatMap((c) => c.alarms);
    this.monitored = this.monitoredView();
    this.dnsTarget = {
      role: role === "primary" ? "PRIMARY" : "SECONDARY",
      provider: f.provider,
      restApiId: this.api.restApiId,
      stageName: this.api.stageName,
      healthCheckId: this.healthCheck.healthCheckId,
    };
    this.registerOutputs({ endpoint: this.api.endpoint, healthCheckId: this.healthCheck.healthCheckId });
  }

  /**
   * Completes the service with its forwarder to `peer`'s queue (F1): enabled while this region is not
   * the processing region, the opposite of the processor's mapping. Call once, after both services exist.
   * Returns this service, complete.
   */
  forwardTo(peer: RegionalService): this {
    if (this.forwarder) throw new Error(`RegionalService ${this.role}: forwardTo was already called`);
    const f = this.args.foundation;
    this.forwarder = new OrderForwarder(
      this.part("forwarder"),
      {
        provider: f.provider,
        region: f.region,
        queueArn: this.queue.queueArn,
        kmsKeyArn: f.key.arn,
        peer: {
          region: peer.args.foundation.region,
          url: peer.queue.queueUrl,
          arn: peer.queue.queueArn,
          kmsKeyArn: peer.args.foundation.key.arn,
        },
        forwardingEnabled: pulumi.output(this.args.processingRegion).apply((r) => r !== this.role),
        logRetentionDays: this.args.settings.logRetentionDays,
        alarmTopicArn: f.topic.arn,
      },
      { parent: this, dependsOn: [this.queue, peer.queue] },
    );
    this.alarms.push(...this.forwarder.alarms);
    return this;
  }

  /**
   * Lets only the intended writers send to this region's queues (S4): the API's integration role, this
   * region's forwarder (re-queues, X1) and `others` (the peer region's forwarder, the failover orchestrator, operators who redrive by hand) to
   * the order queue, nobody to the DLQ, the processor to the rejects queue; and only they and this
   * region's consumers may use the region's key through SQS. Call once, after the peer's forwarder and
   * the orchestrator exist.
   */
  restrictQueueWriters(others: pulumi.Input<string>[]): OrderQueueAccess {
    const q = this.queue;
    const f = this.args.foundation;
    return new OrderQueueAccess(
      this.part("queue"),
      {
        provider: this.args.foundation.provider,
        queues: {
          queue: { url: q.queueUrl, arn: q.queueArn },
          dlq: { url: q.dlqUrl, arn: q.dlqArn },
          rejects: { url: q.rejectsQueueUrl, arn: q.rejectsQueueArn },
        },
        // This region's forwarder puts back what it could not send on (X1, order-forwarder/requeue.ts).
        writers: {
          queue: [this.api.sqsRoleArn, this.forwarderRoleArn, ...others],
          dlq: [],
          rejects: [this.processor.roleArn],
        },
        key: { keyId: f.key.key.keyId, region: f.region, accountId: f.accountId },
        keyUsers: [this.api.sqsRoleArn, this.processor.roleArn, this.forwarderRoleArn, ...others],
        formerParent: q,
      },
      { parent: this },
    );
  }

  /** The role of this region's forwarder, which sends to the peer region's queue (F1, S4). */
  get forwarderRoleArn(): pulumi.Output<string> {
    if (!this.forwarder)
      throw new Error(`RegionalService ${this.role}: call forwardTo before forwarderRoleArn`);
    return this.forwarder.roleArn;
  }

  /** This region's order intake as the failover orchestrator switches and redrives it (F2). */
  get processingSite(): ProcessingSiteArgs {
    if (!this.forwarder)
      throw new Error(`RegionalService ${this.role}: call forwardTo before processingSite`);
    return {
      region: this.args.foundation.region,
      mappingUuid: this.processor.mappingUuid,
      mappingArn: this.processor.mappingArn,
      forwarderMappingUuid: this.forwarder.mappingUuid,
      forwarderMappingArn: this.forwarder.mappingArn,
      queueArn: this.queue.queueArn,
      dlqArn: this.queue.dlqArn,
    };
  }

  private part(p: keyof typeof REGIONAL_SERVICE_PARTS): string {
    return childName(this.name, REGIONAL_SERVICE_PARTS[p]);
  }

  private network() {
    const f = this.args.foundation;
    return { subnetIds: f.vpc.privateSubnetIds, securityGroupId: f.vpc.lambdaSecurityGroupId };
  }

  private common() {
    const f = this.args.foundation;
    return {
      provider: f.provider,
      kmsKeyArn: f.key.arn,
      logRetentionDays: this.args.settings.logRetentionDays,
    };
  }

  private createProcessor(): OrderProcessor {
    const { foundation: f, processingRegion, role } = this.args;
    return new OrderProcessor(
      this.part("processor"),
      {
        ...this.common(),
        ...this.ledgerAccess,
        queueArn: this.queue.queueArn,
        rejectsQueue: { url: this.queue.rejectsQueueUrl, arn: this.queue.rejectsQueueArn },
        // F1: only the writer's region books; the standby's forwarder sends its orders there.
        processingEnabled: pulumi.output(processingRegion).apply((r) => r === role),
        alarmTopicArn: f.topic.arn,
        region: f.region,
        // Processing errors in the primary region feed its composite alarm (R19).
        errorAlarmRole: { id: `${role}-processor-errors`, critical: role === "primary" },
        writerLease: this.args.writerLease,
      },
      { parent: this, dependsOn: [...this.args.stores, this.queue, ...(this.args.processorAfter ?? [])] },
    );
  }

  private createApi(): OrderApi {
    const { foundation: f, settings: s, database: db } = this.args;
    const queue = this.queue;
    return new OrderApi(
      this.part("api"),
      {
        ...this.common(),
        ...this.network(),
        region: f.region,
        accountId: f.accountId,
        queue: { arn: queue.queueArn, name: queue.queueName, url: queue.queueUrl },
        tableName: this.args.table.name,
        tableArn: this.args.table.arn,
        // F1: health probes the processor's own database path, and reads the role from the mapping.
        dbHost: db.writerHost,
        dbPort: db.port,
        mapping: { uuid: this.processor.mappingUuid, arn: this.processor.mappingArn },
        alarmTopicArn: f.topic.arn,
        auth: s.security.auth,
        manageAccountSetting: s.security.manageApiGatewayAccount,
        healthReservedConcurrency: s.healthReservedConcurrency,
      },
      { parent: this, dependsOn: [queue, this.processor, ...this.args.stores] },
    );
  }

  private createHealthCheck(): HealthCheck {
    const { role, metrics, settings: s } = this.args;
    const primary = role === "primary";
    return new HealthCheck(
      this.part("healthCheck"),
      {
        host: this.api.host,
        path: `/${this.api.stageName}/health`,
        requestIntervalSeconds: s.healthCheckIntervalSeconds,
        failureThreshold: s.healthCheckFailureThreshold,
        metricsProvider: metrics.provider,
        metricsRegion: metrics.region,
        alarmTopicArn: metrics.topic.arn,
        alarmRole: { id: `${role}-health`, critical: primary, failoverTrigger: primary },
      },
      { parent: this, dependsOn: [this.api, metrics.topic] },
    );
  }

  private createCanary(
    target: OrderApi,
    canaryName: string,
    which: "canary" | "probe",
    alarmRole: Omit<AlarmRole, "id">,
  ): HealthCanary {
    const { foundation: f, settings: s, role } = this.args;
    return new HealthCanary(
      this.part(which),
      {
        canaryName,
        region: f.region,
        provider: f.provider,
        accountId: f.accountId,
        kmsKeyArn: f.key.arn,
        apiBaseUrl: target.endpoint,
        anonymousOrderStatus: target.anonymousOrderStatus,
        runtimeVersion: s.canaryRuntimeVersion,
        scheduleMinutes: s.canaryScheduleMinutes,
        alarmTopicArn: f.topic.arn,
        alarmRole: { id: `${role}-${REGIONAL_SERVICE_PARTS[which]}`, ...alarmRole },
      },
      { parent: this, dependsOn: [target, f.topic] },
    );
  }

  private monitoredView(): MonitoredRegion {
    const f = this.args.foundation;
    return {
      role: this.role,
      region: f.region,
      provider: f.provider,
      topicArn: f.topic.arn,
      processorFunctionName: this.processor.functionName,
      queueName: this.queue.queueName,
      dlqName: this.queue.dlqName,
      apiName: this.api.apiName,
      stageName: this.api.stageName,
      canaryName: this.canary.canaryName,
      healthCheckId: this.healthCheck.healthCheckId,
    };
  }
}
