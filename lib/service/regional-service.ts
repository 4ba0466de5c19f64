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
import { ORDER_PROCESSOR_TIMEOUT, OrderProcessor } from "../orders/order-processor";
import { OrderQueue } from "../orders/order-queue";
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
  api: "api",
  healthCheck: "health",
  canary: "canary",
  probe: "probe",
  waf: "waf",
} as const;

/** The stack settings a region's service reads; already validated (lib/config.ts). */
export type RegionalServiceSettings = Pick<
  TapConfig,
  | "logRetentionDays"
  | "healthCheckIntervalSeconds"
  | "healthCheckFailureThreshold"
  | "canaryRuntimeVersion"
  | "canaryScheduleMinutes"
  | "security"
  | "processingRegion"
>;

export interface RegionalServiceArgs {
  /** Primary or secondary: decides which of this region's alarms are critical or start a failover. */
  readonly role: Role;
  /** This region: its region, provider, account, key, topic and network. */
  readonly foundation: RegionalFoundation;
  /** The us-east-1 foundation: Route 53 publishes health-check metrics only there. */
  readonly metrics: RegionalFoundation;
  readonly settings: RegionalServiceSettings;
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
}

/**
 * Everything one region runs for orders (warm standby: the same in both): the intake queue, the
 * processor, the API, a Route 53 health check on the API and a canary that exercises it, plus an
 * optional probe of another region. Exposes its alarms as data and the view Monitoring needs.
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
  /** Every alarm this region's service owns. */
  public readonly alarms: AlarmInfo[];
  /** What Monitoring watches in this region. */
  public readonly monitored: MonitoredRegion;
  /** This region's entry in the failover DNS records. */
  public readonly dnsTarget: ApiFailoverDnsRegion;
  /** This region's order intake as the failover orchestrator switches and redrives it (F2). */
  public readonly processingSite: ProcessingSiteArgs;
  /** How this region reaches the ledger and its table, as the processor does (for reconciliation). */
  public readonly ledgerAccess: LedgerAccess;

  constructor(name: string, args: RegionalServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:service:RegionalService", name, {}, opts);
    const { role, foundation: f, metrics, settings: s, database: db } = args;
    const part = (p: keyof typeof REGIONAL_SERVICE_PARTS) => childName(name, REGIONAL_SERVICE_PARTS[p]);
    const net = { subnetIds: f.vpc.privateSubnetIds, securityGroupId: f.vpc.lambdaSecurityGroupId };
    const common = { provider: f.provider, kmsKeyArn: f.key.arn, logRetentionDays: s.logRetentionDays };
    this.role = role;

    const queue = (this.queue = new OrderQueue(
      part("queue"),
      { provider: f.provider, kmsKeyArn: f.key.arn, consumerTimeoutSeconds: ORDER_PROCESSOR_TIMEOUT },
      { parent: this },
    ));
    this.ledgerAccess = {
      ...net,
      secretArn: db.secretArn,
      kmsKeyArn: f.key.arn,
      dbHost: db.writerHost,
      dbTlsServerNames: db.tlsServerNames,
      dbPort: db.port,
      dbName: db.name,
      tableName: args.table.name,
      tableArn: args.table.arn,
    };
    this.processor = new OrderProcessor(
      part("processor"),
      {
        ...common,
        ...this.ledgerAccess,
        queueArn: queue.queueArn,
        rejectsQueue: { url: queue.rejectsQueueUrl, arn: queue.rejectsQueueArn },
        // F1: only the writer's region consumes; the standby's queue holds orders until a failover.
        processingEnabled: s.processingRegion === role,
        alarmTopicArn: f.topic.arn,
        region: f.region,
      },
      { parent: this, dependsOn: [...args.stores, queue, ...(args.processorAfter ?? [])] },
    );
    const api = (this.api = new OrderApi(
      part("api"),
      {
        ...common,
        ...net,
        region: f.region,
        accountId: f.accountId,
        queue: { arn: queue.queueArn, name: queue.queueName, url: queue.queueUrl },
        tableName: args.table.name,
        tableArn: args.table.arn,
        // F1: health probes the processor's own database path, and reads the role from the mapping.
        dbHost: db.writerHost,
        dbPort: db.port,
        mapping: { uuid: this.processor.mappingUuid, arn: this.processor.mappingArn },
        alarmTopicArn: f.topic.arn,
        auth: s.security.auth,
        manageAccountSetting: s.security.manageApiGatewayAccount,
      },
      { parent: this, dependsOn: [queue, this.processor, ...args.stores] },
    ));
    if (s.security.waf.enabled) {
      this.webAcl = new WebAcl(
        part("waf"),
        { ...common, stageArn: api.stageArn, rateLimitPer5Min: s.security.waf.rateLimitPer5Min },
        { parent: this },
      );
    }

    const primary = role === "primary";
    this.healthCheck = new HealthCheck(
      part("healthCheck"),
      {
        host: api.host,
        path: `/${api.stageName}/health`,
        requestIntervalSeconds: s.healthCheckIntervalSeconds,
        failureThreshold: s.healthCheckFailureThreshold,
        metricsProvider: metrics.provider,
        metricsRegion: metrics.region,
        alarmTopicArn: metrics.topic.arn,
        alarmRole: { id: `${role}-health`, critical: primary, failoverTrigger: primary },
      },
      { parent: this, dependsOn: [api, metrics.topic] },
    );
    const canary = (
      target: OrderApi,
      canaryName: string,
      which: "canary" | "probe",
      alarmRole: Omit<AlarmRole, "id">,
    ) =>
      new HealthCanary(
        part(which),
        {
          canaryName,
          region: f.region,
          provider: f.provider,
          accountId: f.accountId,
          kmsKeyArn: f.key.arn,
          apiBaseUrl: target.endpoint,
          runtimeVersion: s.canaryRuntimeVersion,
          scheduleMinutes: s.canaryScheduleMinutes,
          alarmTopicArn: f.topic.arn,
          alarmRole: { id: `${role}-${REGIONAL_SERVICE_PARTS[which]}`, ...alarmRole },
        },
        { parent: this, dependsOn: [target, f.topic] },
      );
    this.canary = canary(api, args.canaryName, "canary", { critical: primary });
    if (args.probe) {
      this.probe = canary(args.probe.target, args.probe.canaryName, "probe", { failoverTrigger: true });
    }

    this.alarms = [
      this.processor,
      this.healthCheck,
      this.canary,
      ...(this.probe ? [this.probe] : []),
    ].flatMap((c) => c.alarms);
    this.monitored = {
      role,
      region: f.region,
      provider: f.provider,
      topicArn: f.topic.arn,
      processorFunctionName: this.processor.functionName,
      queueName: queue.queueName,
      dlqName: queue.dlqName,
      apiName: api.apiName,
      stageName: api.stageName,
      canaryName: this.canary.canaryName,
      healthCheckId: this.healthCheck.healthCheckId,
    };
    this.dnsTarget = {
      role: primary ? "PRIMARY" : "SECONDARY",
      provider: f.provider,
      restApiId: api.restApiId,
      stageName: api.stageName,
      healthCheckId: this.healthCheck.healthCheckId,
    };
    this.processingSite = {
      region: f.region,
      mappingUuid: this.processor.mappingUuid,
      mappingArn: this.processor.mappingArn,
      queueArn: queue.queueArn,
      dlqArn: queue.dlqArn,
    };
    this.registerOutputs({ endpoint: api.endpoint, healthCheckId: this.healthCheck.healthCheckId });
  }
}
