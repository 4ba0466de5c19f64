import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ORDER_FORWARDER_DEFAULTS, ORDER_FORWARDER_ENV } from "../../lambda/order-forwarder/env";
import { toEnvironment } from "../../lambda/shared/env";
import { NodeFunction } from "../compute/node-function";
import { Region } from "../config";
import { consumeQueueStatement, queueConsumer } from "./queue-consumer";
import { AlarmInfo, countAlarm } from "../monitoring/alarm";

/** Seconds per batch: one SendMessageBatch with bounded retries (lambda/order-forwarder/index.ts). */
export const ORDER_FORWARDER_TIMEOUT = 30;
/** Lambda's minimum for an SQS mapping; forwarding is one cheap call per batch. */
const MAX_CONCURRENCY = 2;

/** A queue of the other region, by URL for SendMessage and by ARN (and key) for the role's policy. */
export interface PeerQueue {
  readonly region: Region;
  readonly url: pulumi.Input<string>;
  readonly arn: pulumi.Input<string>;
  /** The peer queue's KMS key: a producer needs GenerateDataKey and Decrypt on it. */
  readonly kmsKeyArn: pulumi.Input<string>;
}

export interface OrderForwarderArgs {
  readonly provider: aws.Provider;
  readonly region: Region;
  /** This region's order queue, and the key it is encrypted with. */
  readonly queueArn: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Where orders go while this region is not the writer's. Must be in another region. */
  readonly peer: PeerQueue;
  /**
   * Whether this region forwards when the mapping is created: true where the Aurora writer is not (F1,
   * M2), the opposite of the processor's mapping. The failover orchestrator switches both when the writer
   * moves, and owns the flag from then on (M1).
   */
  readonly forwardingEnabled: pulumi.Input<boolean>;
  readonly logRetentionDays: number;
  /** This region's alarm topic: function errors and failed forwards alarm here. */
  readonly alarmTopicArn: pulumi.Input<string>;
  /** Minutes in a row with failed forwards before the alarm fires. Default: 5. */
  readonly failedForwardMinutes?: number;
}

export function checkOrderForwarderArgs(args: OrderForwarderArgs): void {
  if (args.peer.region === args.region) {
    throw new Error(`OrderForwarder: the peer queue must be in another region than ${args.region}`);
  }
  const m = args.failedForwardMinutes ?? 5;
  if (!Number.isInteger(m) || m < 1 || m > 60) {
    throw new Error(`OrderForwarder: failedForwardMinutes must be 1..60, got ${m}`);
  }
}

/**
 * Consumes a region's order queue while that region is the standby and sends every order on to the
 * writer region's queue, attributes and all (F1). Without it, orders accepted by the standby (clients
 * that still resolve to it, or DNS still pointing at a region whose writer moved by switchover) would
 * wait until that region became the writer, which may be never. Code: lambda/order-forwarder.
 *
 * Not in the VPC: the peer queue is in another region, and interface endpoints only reach their own
 * region's service, so the call goes over the public SQS endpoint (TLS, SigV4).
 * https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */
export class OrderForwarder extends pulumi.ComponentResource {
  public readonly functionName: pulumi.Output<string>;
  /** The function's role: it may send to the peer region's order queue (S4). */
  public readonly roleArn: pulumi.Output<string>;
  /** The event source mapping the failover orchestrator enables and disables (F2). */
  public readonly mappingUuid: pulumi.Output<string>;
  public readonly mappingArn: pulumi.Output<string>;
  /** The function's error alarm and the failed-forward alarm, as data. */
  public readonly alarms: AlarmInfo[];

  constructor(name: string, args: OrderForwarderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:orders:OrderForwarder", name, {}, opts);
    checkOrderForwarderArgs(args);
    const fn = this.createFunction(name, args);
    const mapping = queueConsumer(
      name,
      {
        queueArn: args.queueArn,
        functionArn: fn.arn,
        enabled: args.forwardingEnabled,
        maxConcurrency: MAX_CONCURRENCY,
      },
      { parent: this, provider: args.provider },
    );
    this.functionName = fn.functionName;
    this.roleArn = fn.role.arn;
    this.mappingUuid = mapping.uuid;
    this.mappingArn = mapping.arn;
    this.alarms = [...fn.alarms, this.failedForwardAlarm(name, args)];
    this.registerOutputs({ functionName: this.functionName, mappingUuid: this.mappingUuid });
  }

  private createFunction(name: string, args: OrderForwarderArgs): NodeFunction {
    return new NodeFunction(
      `${name}-fn`,
      {
        codeName: "order-forwarder",
        description: "Sends orders on to the writer region's queue while this region is the standby",
        provider: args.provider,
        region: args.region,
        timeout: ORDER_FORWARDER_TIMEOUT,
        memorySize: 256,
        environment: toEnvironment(ORDER_FORWARDER_ENV, {
          peerQueueUrl: args.peer.url,
          peerRegion: args.peer.region,
          serviceName: ORDER_FORWARDER_DEFAULTS.serviceName,
          metricsNamespace: ORDER_FORWARDER_DEFAULTS.metricsNamespace,
        }),
        statements: [
          consumeQueueStatement(args.queueArn),
          {
            // Decrypt to read its queue; GenerateDataKey too to put an unforwarded order back in it on
            // its last receive, so a partition does not spend the budget meant for poison (X1,
            // lambda/order-forwarder/requeue.ts).
            Sid: "UseOwnQueueKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: args.kmsKeyArn,
          },
          { Sid: "RequeueToOwnQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.queueArn },
          { Sid: "SendToPeerQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.peer.arn },
          {
            // A producer to an SSE-KMS queue needs both. Through SQS the peer key admits only the order
            // path's roles, this forwarder among them (OrderQueueAccess, S4).
            Sid: "EncryptForPeerQueue",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: args.peer.kmsKeyArn,
          },
        ],
        logKeyArn: args.kmsKeyArn,
        logRetentionDays: args.logRetentionDays,
        errorAlarmTopicArn: args.alarmTopicArn,
      },
      { parent: this },
    );
  }

  /** Forwards failing minute after minute: the writer's queue is unreachable from this region. */
  private failedForwardAlarm(name: string, args: OrderForwarderArgs): AlarmInfo {
    const minutes = args.failedForwardMinutes ?? 5;
    return countAlarm(
      `${name}-failed`,
      { region: args.region, topicArn: args.alarmTopicArn, provider: args.provider },
      {
        description: `Orders could not be forwarded to ${args.peer.region} for ${minutes} minutes; they wait in the queue`,
        namespace: ORDER_FORWARDER_DEFAULTS.metricsNamespace,
        metricName: "OrdersForwardFailed",
        dimensions: { service: ORDER_FORWARDER_DEFAULTS.serviceName },
        period: 60,
        evaluationPeriods: minutes,
        threshold: 0,
        comparison: "GreaterThanThreshold",
      },
      { id: `${name}-failed` },
      this,
    );
  }
}
