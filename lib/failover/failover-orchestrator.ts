import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  DEFAULTS,
  FAILOVER_ENV,
  FAILOVER_TIMEOUT_SECONDS,
  type AlarmAction,
} from "../../lambda/failover/config";
import { formatProcessingSites } from "../../lambda/failover/env-keys";
import { CONVERGE_EVENT } from "../../lambda/failover/events";
import { toEnvironment } from "../../lambda/shared/env";
import { ORCHESTRATOR_LEASE_ENV } from "../../lambda/shared/writer-lease";
import { NodeFunction } from "../compute/node-function";
import { Statement } from "../policy-documents";
import { Region } from "../config";
import { AlarmInfo } from "../monitoring/alarm";
import { LedgerAccess } from "../data/ledger-access";
import { CONVERGENCE_DEFAULTS, rateExpression } from "../config/convergence";
import { ReconcileFunction } from "./reconcile-function";

export interface ProcessingSiteArgs {
  readonly region: string;
  /** The processor's mapping: enabled only in the writer's region. */
  readonly mappingUuid: pulumi.Input<string>;
  readonly mappingArn: pulumi.Input<string>;
  /** The forwarder's mapping: enabled everywhere else (F1). */
  readonly forwarderMappingUuid: pulumi.Input<string>;
  readonly forwarderMappingArn: pulumi.Input<string>;
  readonly queueArn: pulumi.Input<string>;
  readonly dlqArn: pulumi.Input<string>;
}

export interface FailoverOrchestratorArgs {
  /** The secondary region: the orchestrator must survive the loss of the primary. */
  readonly region: Region;
  readonly provider: aws.Provider;
  readonly globalClusterId: pulumi.Input<string>;
  readonly globalClusterArn: pulumi.Input<string>;
  readonly primaryClusterArn: pulumi.Input<string>;
  /** The cluster to promote. */
  readonly secondaryClusterArn: pulumi.Input<string>;
  /**
   * The primary's Route 53 health check: its checkers in several Regions are the independent evidence a
   * failover needs when the primary cannot be read from here (X2). Default: none (an alarm-triggered
   * failover of an unreachable primary is then refused).
   */
  readonly primaryHealthCheckId?: pulumi.Input<string>;
  /** Topic in this region that hears start, success and failure. */
  readonly alertTopicArn: pulumi.Input<string>;
  /** Both regions' topics and keys: the function may publish to either. */
  readonly publishTopicArns: pulumi.Input<string>[];
  readonly kmsKeyArns: pulumi.Input<string>[];
  /** What an alarm-triggered run does: notify (dry run) or failover. */
  readonly alarmAction: AlarmAction;
  /** The stack's alarms; those marked `failoverTrigger` start a run when they go to ALARM, and are the
   *  function's allowlist. Default: none (manual runs only). */
  readonly alarms?: AlarmInfo[];
  /** Each region's order intake: processing follows the writer, the writer's DLQ is redriven (F2). */
  readonly processingSites: readonly ProcessingSiteArgs[];
  /** The ledger and table in this (the target) region: a reconcile function is deployed next to the
   *  orchestrator and run after a data-losing failover (F2). Default: none (reported as a manual step). */
  readonly reconcile?: LedgerAccess;
  readonly logKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /**
   * Minutes between scheduled convergence runs ({"action":"converge"}: follow the writer, redrive DLQs;
   * X1/X6). Default CONVERGENCE_DEFAULTS.convergeMinutes (5).
   */
  readonly convergeMinutes?: number;
  /**
   * X3: the writer lease's witness (lib/data/writer-witness.ts): the function moves the lease before any
   * promotion and waits it out before a data-losing one. Not in a VPC, it reaches the witness Region
   * directly. Default: none (no fencing).
   */
  readonly writerLease?: {
    readonly tableName: pulumi.Input<string>;
    readonly region: Region;
    readonly leaseMs: number;
    readonly moveStatements: Statement[];
  };
}

export function checkFailoverOrchestratorArgs(args: FailoverOrchestratorArgs): void {
  const m = args.convergeMinutes ?? CONVERGENCE_DEFAULTS.convergeMinutes;
  if (!Number.isInteger(m) || m < 1 || m > 60) {
    throw new Error(`FailoverOrchestrator: convergeMinutes must be 1..60, got ${m}`);
  }
}

/**
 * The failover orchestrator (P7, R21, R22): lambda/failover, deployed in the secondary region, run by
 * hand or by the primary health-check alarm through SNS. Event shapes are documented in
 * lambda/failover/index.ts and docs/runbook.md.
 */
export class FailoverOrchestrator extends pulumi.ComponentResource {
  public readonly functionArn: pulumi.Output<string>;
  /** The function's role: it redrives the DLQs, so it may send to the order queues (S4). */
  public readonly roleArn: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  /** PROCESSING_SITES exactly as the function's environment carries it; a stack output, so the drill
   *  runs the same post-promotion steps as the function. */
  public readonly processingSites: pulumi.Output<string>;
  /** The reconcile function's name (the runbook's invoke); undefined when none is deployed. */
  public readonly reconcileFunctionName?: pulumi.Output<string>;
  public readonly reconcileFunctionArn?: pulumi.Output<string>;
  /** What running the orchestrator needs: its role's statements. The drill runs the same orchestrator
   *  with an operator's credentials, so the operator policy (operator-policy.ts) grants the same. */
  public readonly promotionStatements: Statement[];
  /** What the reconcile code needs (the function's role; `npm run reconcile` from a workstation). */
  public readonly reconcileStatements: Statement[];
  /** The alarms this component owns (its function's and the reconcile function's errors), as data;
   *  not the `alarms` it was given, of which the triggers start it. */
  public readonly alarms: AlarmInfo[];

  constructor(name: string, args: FailoverOrchestratorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:failover:FailoverOrchestrator", name, {}, opts);
    checkFailoverOrchestratorArgs(args);
    const triggers = (args.alarms ?? []).filter((a) => a.failoverTrigger);
    const sites = processingSitesJson(args.processingSites);
    const reconcile = args.reconcile
      ? new ReconcileFunction(
          `${name}-reconcile`,
          {
            provider: args.provider,
            region: args.region,
            ledger: args.reconcile,
            logRetentionDays: args.logRetentionDays,
            alarmTopicArn: args.alertTopicArn,
          },
          { parent: this },
        )
      : undefined;
    this.promotionStatements = orchestratorStatements(args, reconcile);
    const fn = new NodeFunction(
      `${name}-fn`,
      {
        codeName: "failover",
        description: "Promotes the secondary Aurora cluster: planned switchover or unplanned failover",
        provider: args.provider,
        region: args.region,
        timeout: FAILOVER_TIMEOUT_SECONDS,
        memorySize: 256,
        environment: orchestratorEnvironment(args, sites, triggers, reconcile),
        statements: this.promotionStatements,
        logKeyArn: args.logKeyArn,
        logRetentionDays: args.logRetentionDays,
        errorAlarmTopicArn: args.alertTopicArn,
      },
      { parent: this },
    );
    // Failed runs are reported and returned, never retried by Lambda: a retry could act twice.
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-async`,
      { functionName: fn.functionName, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 600 },
      { parent: this, provider: args.provider },
    );
    for (const trigger of triggers) this.subscribe(name, trigger, fn, args.provider);
    this.schedule(name, args.convergeMinutes ?? CONVERGENCE_DEFAULTS.convergeMinutes, fn, args.provider);

    this.functionArn = fn.arn;
    this.roleArn = fn.role.arn;
    this.functionName = fn.functionName;
    this.processingSites = sites;
    this.reconcileFunctionName = reconcile?.functionName;
    this.reconcileFunctionArn = reconcile?.functionArn;
    this.reconcileStatements = reconcile?.statements ?? [];
    this.alarms = [...fn.alarms, ...(reconcile?.alarms ?? [])];
    this.registerOutputs({ functionArn: this.functionArn, processingSites: this.processingSites });
  }

  /**
   * X1/X6: a scheduled rule invokes the function with the converge event, so what an alarm (which acts on
   * a state change only) never re-triggers still finishes. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
   */
  private schedule(name: string, minutes: number, fn: NodeFunction, provider: aws.Provider): void {
    const rule = new aws.cloudwatch.EventRule(
      `${name}-converge`,
      {
        description: "Scheduled convergence: processing follows the writer; non-empty DLQs are redriven",
        scheduleExpression: rateExpression(minutes),
      },
      { parent: this, provider },
    );
    const permission = new aws.lambda.Permission(
      `${name}-converge-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: fn.functionName,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      },
      { parent: this, provider },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-converge-target`,
      { rule: rule.name, arn: fn.arn, input: JSON.stringify(CONVERGE_EVENT) },
      { parent: this, provider, dependsOn: [permission] },
    );
  }

  /** Each topic carries every alarm of its region; only the named alarm going to ALARM starts a run. */
  private subscribe(name: string, trigger: AlarmInfo, fn: NodeFunction, provider: aws.Provider): void {
    const permission = new aws.lambda.Permission(
      `${name}-${trigger.id}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: fn.functionName,
        principal: "sns.amazonaws.com",
        sourceArn: trigger.topicArn,
      },
      { parent: this, provider },
    );
    new aws.sns.TopicSubscription(
      `${name}-${trigger.id}-trigger`,
      {
        topic: trigger.topicArn,
        protocol: "lambda",
        endpoint: fn.arn,
        filterPolicyScope: "MessageBody",
        filterPolicy: pulumi
          .output(trigger.name)
          .apply((alarmName) => JSON.stringify({ AlarmName: [alarmName], NewStateValue: ["ALARM"] })),
      },
      { parent: this, provider: trigger.provider, dependsOn: [permission] },
    );
  }
}

/** PROCESSING_SITES as the Lambda parses it (lambda/failover/config.ts). */
function processingSitesJson(sites: readonly ProcessingSiteArgs[]): pulumi.Output<string> {
  return pulumi
    .all(
      sites.map((x) =>
        pulumi
          .all([x.mappingUuid, x.forwarderMappingUuid, x.queueArn, x.dlqArn])
          .apply(([mappingUuid, forwarderMappingUuid, queueArn, dlqArn]) => ({
            region: x.region,
            mappingUuid,
            forwarderMappingUuid,
            queueArn,
            dlqArn,
          })),
      ),
    )
    .apply(formatProcessingSites);
}

function orchestratorEnvironment(
  args: FailoverOrchestratorArgs,
  processingSites: pulumi.Output<string>,
  triggers: readonly AlarmInfo[],
  reconcile: ReconcileFunction | undefined,
): Record<string, pulumi.Input<string>> {
  const lease = args.writerLease;
  const leaseEnv = lease
    ? toEnvironment(ORCHESTRATOR_LEASE_ENV, {
        table: lease.tableName,
        region: lease.region,
        leaseMs: String(lease.leaseMs),
      })
    : {};
  return { ...leaseEnv, ...failoverEnvironment(args, processingSites, triggers, reconcile) };
}

function failoverEnvironment(
  args: FailoverOrchestratorArgs,
  processingSites: pulumi.Output<string>,
  triggers: readonly AlarmInfo[],
  reconcile: ReconcileFunction | undefined,
): Record<string, pulumi.Input<string>> {
  return toEnvironment(FAILOVER_ENV, {
    globalClusterId: args.globalClusterId,
    targetClusterArn: args.secondaryClusterArn,
    // X4: failback is the same function aimed at the primary's Region (lambda/failover/aim.ts).
    failbackClusterArn: args.primaryClusterArn,
    alertTopicArn: args.alertTopicArn,
    primaryHealthCheckId: args.primaryHealthCheckId ?? "",
    alarmAction: args.alarmAction,
    timeBudgetMs: String(DEFAULTS.timeBudgetMs),
    maxAttempts: String(DEFAULTS.maxAttempts),
    pollIntervalMs: String(DEFAULTS.pollIntervalMs),
    notifyTimeoutMs: String(DEFAULTS.notifyTimeoutMs),
    allowedAlarms: pulumi.all(triggers.map((t) => t.name)).apply((n) => n.join(",")),
    processingSites,
    // Without one, a data-losing run reports reconciliation as a manual step naming
    // `npm run reconcile` (lambda/failover/after-promotion.ts).
    reconcileFunction: reconcile?.functionName ?? "",
  });
}

function orchestratorStatements(
  args: FailoverOrchestratorArgs,
  reconcile: ReconcileFunction | undefined,
): Statement[] {
  const sites = args.processingSites;
  const clusters = [args.primaryClusterArn, args.secondaryClusterArn];
  return [
    {
      Sid: "ReadGlobalCluster",
      Effect: "Allow",
      Action: "rds:DescribeGlobalClusters",
      Resource: args.globalClusterArn,
    },
    { Sid: "ReadMemberClusters", Effect: "Allow", Action: "rds:DescribeDBClusters", Resource: clusters },
    {
      Sid: "PromoteSecondary",
      Effect: "Allow",
      Action: ["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"],
      Resource: [args.globalClusterArn, ...clusters],
    },
    { Sid: "Notify", Effect: "Allow", Action: "sns:Publish", Resource: args.publishTopicArns },
    ...(args.primaryHealthCheckId
      ? [
          {
            Sid: "ReadPrimaryCheckers",
            Effect: "Allow" as const,
            Action: "route53:GetHealthCheckStatus",
            // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53.html
            Resource: pulumi.interpolate`arn:aws:route53:::healthcheck/${args.primaryHealthCheckId}`,
          },
        ]
      : []),
    {
      Sid: "ProcessingFollowsWriter",
      Effect: "Allow",
      Action: ["lambda:UpdateEventSourceMapping", "lambda:GetEventSourceMapping"],
      Resource: sites.flatMap((x) => [x.mappingArn, x.forwarderMappingArn]),
    },
    // A DLQ redrive needs these on the source DLQ and SendMessage on the destination.
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
    {
      Sid: "RedriveDeadLetters",
      Effect: "Allow",
      Action: [
        "sqs:StartMessageMoveTask",
        "sqs:ListMessageMoveTasks",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
      ],
      Resource: sites.map((x) => x.dlqArn),
    },
    {
      Sid: "RedriveTarget",
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: sites.map((x) => x.queueArn),
    },
    // GetMetricData has no resource-level permissions: the RPO lag read before a failover.
    { Sid: "ReadRpoLag", Effect: "Allow", Action: "cloudwatch:GetMetricData", Resource: "*" },
    ...(reconcile
      ? [
          {
            Sid: "RunReconcile",
            Effect: "Allow" as const,
            Action: "lambda:InvokeFunction",
            Resource: reconcile.functionArn,
          },
        ]
      : []),
    {
      Sid: "EncryptNotifications",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: args.kmsKeyArns,
    },
    ...(args.writerLease?.moveStatements ?? []),
  ];
}
