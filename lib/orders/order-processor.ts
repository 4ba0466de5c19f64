import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ORDER_PROCESSOR_DEFAULTS, ORDER_PROCESSOR_ENV } from "../../lambda/order-processor/env";
import { toEnvironment } from "../../lambda/shared/env";
import { LEASE_METRIC, PROCESSOR_LEASE_ENV } from "../../lambda/shared/writer-lease";
import { LeaseReader, WitnessForReader } from "./lease-reader";
import { NodeFunction } from "../compute/node-function";
import { LedgerAccess } from "../data/ledger-access";
import { Region } from "../config";
import { visibilityTimeoutFor } from "./order-queue";
import { consumeQueueStatement, queueConsumer } from "./queue-consumer";
import { AlarmInfo, AlarmRole, countAlarm } from "../monitoring/alarm";
import type { Statement } from "../policy-documents";

/** R11: long enough for a batch against a database that is failing over. */
export const ORDER_PROCESSOR_TIMEOUT = 300;
/** Caps concurrent pollers, and so database connections, per region. Lambda's minimum is 2. */
export const MAX_CONCURRENCY = 10;

/** The processor's ledger path (LedgerAccess) plus what it consumes and where it reports. */
export interface OrderProcessorArgs extends LedgerAccess {
  readonly provider: aws.Provider;
  /** Queue to consume. */
  readonly queueArn: pulumi.Input<string>;
  /** Where rejected orders are parked (F2). */
  readonly rejectsQueue: { readonly url: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /**
   * Whether this region consumes its queue when the mapping is created: true only where the Aurora
   * writer is (F1, M2). A disabled mapping stops polling and the messages wait in the queue; afterwards
   * the failover orchestrator enables and disables it (M1).
   * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html
   */
  readonly processingEnabled: pulumi.Input<boolean>;
  readonly logRetentionDays: number;
  /** This region's alarm topic: conflicting duplicates (L1) and function errors (F4) alarm here. */
  readonly alarmTopicArn: pulumi.Input<string>;
  /** The function's region (its alarms'). */
  readonly region: Region;
  /** What the function's error alarm means to the stack. Default: `{ id: "<name>-fn-errors" }`, not
   *  critical. */
  readonly errorAlarmRole?: AlarmRole;
  /**
   * X3: the writer lease's witness (lib/data/writer-witness.ts): the processor books only while its Region
   * holds the lease, confirmed through a lease reader deployed beside it. Default: none (no fencing).
   */
  readonly writerLease?: WitnessForReader & { readonly leaseMs: number };
}

/** Metric namespace and service dimension the processor publishes under (Powertools Metrics). */
export const ORDER_METRICS_NAMESPACE = ORDER_PROCESSOR_DEFAULTS.metricsNamespace;
export const ORDER_PROCESSOR_SERVICE = ORDER_PROCESSOR_DEFAULTS.serviceName;

/** The SQS-fed order processor of one region (P6, R2, R11, R12, R13). Code: lambda/order-processor. */
export class OrderProcessor extends pulumi.ComponentResource {
  public readonly functionArn: pulumi.Output<string>;
  /** The function's role: the one principal that may park orders in the rejects queue (S4). */
  public readonly roleArn: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  /** The SQS event source mapping the failover orchestrator enables and disables (F2). */
  public readonly mappingUuid: pulumi.Output<string>;
  public readonly mappingArn: pulumi.Output<string>;
  /** Fires on any conflicting duplicate: an orderId reused with other contents was refused. */
  public readonly conflictAlarmName: pulumi.Output<string>;
  /** The function's error alarm and the conflict alarm, as data. */
  public readonly alarms: AlarmInfo[];

  /** X3: the function that reads the writer lease for this processor; absent without a lease. */
  public readonly leaseReader?: LeaseReader;

  constructor(name: string, args: OrderProcessorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:orders:OrderProcessor", name, {}, opts);

    this.leaseReader =
      args.writerLease &&
      new LeaseReader(
        `${name}-lease-reader`,
        {
          provider: args.provider,
          region: args.region,
          witness: args.writerLease,
          logKeyArn: args.kmsKeyArn,
          logRetentionDays: args.logRetentionDays,
          alarmTopicArn: args.alarmTopicArn,
        },
        { parent: this },
      );
    const fn = this.processorFunction(name, args);
    const mapping = queueConsumer(
      name,
      {
        queueArn: args.queueArn,
        functionArn: fn.arn,
        enabled: args.processingEnabled,
        maxConcurrency: MAX_CONCURRENCY,
      },
      { parent: this, provider: args.provider },
    );
    const conflicts = this.conflictAlarm(name, args);

    this.functionArn = fn.arn;
    this.roleArn = fn.role.arn;
    this.functionName = fn.functionName;
    this.mappingUuid = mapping.uuid;
    this.mappingArn = mapping.arn;
    this.conflictAlarmName = conflicts.name;
    this.alarms = [
      ...fn.alarms,
      conflicts,
      ...(this.leaseReader ? [...this.leaseReader.alarms, this.leaseRefusalAlarm(name, args)] : []),
    ];
    this.registerOutputs({
      functionArn: this.functionArn,
      functionName: this.functionName,
      conflictAlarmName: this.conflictAlarmName,
    });
  }

  private processorFunction(name: string, args: OrderProcessorArgs): NodeFunction {
    return new NodeFunction(
      `${name}-fn`,
      {
        codeName: "order-processor",
        description: "Books orders from SQS into the Aurora ledger and DynamoDB order state",
        provider: args.provider,
        region: args.region,
        timeout: ORDER_PROCESSOR_TIMEOUT,
        memorySize: 512,
        vpc: { subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] },
        environment: {
          ...this.leaseEnvironment(args),
          ...toEnvironment(ORDER_PROCESSOR_ENV, {
            dbSecretArn: args.secretArn,
            dbHost: args.dbHost,
            dbPort: String(args.dbPort),
            dbName: args.dbName,
            dbSsl: ORDER_PROCESSOR_DEFAULTS.dbSsl,
            dbTlsServerNames: pulumi.output(args.dbTlsServerNames).apply((names) => names.join(",")),
            extraCaCerts: ORDER_PROCESSOR_DEFAULTS.extraCaCerts,
            tableName: args.tableName,
            rejectsQueueUrl: args.rejectsQueue.url,
            // X1: tells crash-type poison apart (lambda/order-processor/crash-suspect.ts).
            queueVisibilitySeconds: String(visibilityTimeoutFor(ORDER_PROCESSOR_TIMEOUT)),
            serviceName: ORDER_PROCESSOR_SERVICE,
            metricsNamespace: ORDER_METRICS_NAMESPACE,
          }),
        },
        statements: [...processorStatements(args), ...this.leaseStatements()],
        logKeyArn: args.kmsKeyArn,
        logRetentionDays: args.logRetentionDays,
        errorAlarmTopicArn: args.alarmTopicArn,
        errorAlarmRole: args.errorAlarmRole,
      },
      { parent: this },
    );
  }

  /** X3: the reader to ask and the lease to trust a third of; nothing without a lease. */
  private leaseEnvironment(args: OrderProcessorArgs): Record<string, pulumi.Input<string>> {
    if (!this.leaseReader || !args.writerLease) return {};
    return toEnvironment(PROCESSOR_LEASE_ENV, {
      reader: this.leaseReader.functionName,
      leaseMs: String(args.writerLease.leaseMs),
    });
  }

  /** X3: invoking its own Region's reader, and nothing else. */
  private leaseStatements(): Statement[] {
    if (!this.leaseReader) return [];
    return [
      {
        Sid: "ConfirmWriterLease",
        Effect: "Allow",
        Action: "lambda:InvokeFunction",
        Resource: this.leaseReader.functionArn,
      },
    ];
  }

  /**
   * X3: the processor refused a ledger write for the lease (not the holder, or the reader or witness
   * failing) within 5 minutes. Only a Region whose mapping is enabled processes, so this is a consuming
   * Region that is not booking: the witness is unreachable, or the lease moved and the mapping has not
   * followed yet. A failover shows it too (the old writer's batches are refused until its mapping is
   * disabled), and says so in the description. Refused messages retry with a growing backoff
   * (expedite.ts), so minute periods could skip; one 5-minute period does not. The processor publishes
   * the count only when it refuses: missing data is not breaching (countAlarm).
   */
  private leaseRefusalAlarm(name: string, args: OrderProcessorArgs): AlarmInfo {
    return countAlarm(
      `${name}-lease-refusals`,
      { region: args.region, topicArn: args.alarmTopicArn, provider: args.provider },
      {
        description:
          "The order processor refused to book: its Region does not hold the writer lease, or cannot confirm it. Expected during a failover; otherwise see docs/runbook.md, Fencing the old writer (X3)",
        namespace: ORDER_METRICS_NAMESPACE,
        metricName: LEASE_METRIC,
        dimensions: { service: ORDER_PROCESSOR_SERVICE },
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparison: "GreaterThanThreshold",
      },
      { id: `${name}-lease-refusals` },
      this,
    );
  }

  /** One conflicting duplicate is already worth a look; Powertools publishes with the `service` dimension.
   *  https://docs.powertools.aws.dev/lambda/typescript/latest/core/metrics/ */
  private conflictAlarm(name: string, args: OrderProcessorArgs): AlarmInfo {
    return countAlarm(
      `${name}-conflicts`,
      { region: args.region, topicArn: args.alarmTopicArn, provider: args.provider },
      {
        description:
          "An orderId was reused with different contents; the message is parked in the rejects queue",
        namespace: ORDER_METRICS_NAMESPACE,
        metricName: "OrdersConflicting",
        dimensions: { service: ORDER_PROCESSOR_SERVICE },
        period: 60,
        evaluationPeriods: 1,
        threshold: 0,
        comparison: "GreaterThanThreshold",
      },
      { id: `${name}-conflicts` },
      this,
    );
  }
}

/** The processor reads its DB secret, consumes its queue, parks rejects and writes order state. */
function processorStatements(args: OrderProcessorArgs): Statement[] {
  return [
    {
      Sid: "ReadDbSecret",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: args.secretArn,
    },
    {
      Sid: "DecryptSecretAndQueues",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: args.kmsKeyArn,
    },
    {
      Sid: "ParkRejectedOrders",
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: args.rejectsQueue.arn,
    },
    consumeQueueStatement(args.queueArn),
    {
      Sid: "WriteOrderState",
      Effect: "Allow",
      // GetItem: when its conditional put finds the order already written (a client's retry, a redelivery),
      // the processor reads the stored content hash to tell a duplicate from a conflict (state.ts). Without
      // it the duplicate's batch fails on every receive until the DLQ.
      // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
      Action: ["dynamodb:PutItem", "dynamodb:GetItem"],
      Resource: args.tableArn,
    },
  ];
}
