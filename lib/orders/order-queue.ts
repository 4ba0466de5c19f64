import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  MAX_RECEIVE_COUNT,
  ORDER_RETENTION_SECONDS,
  PARKED_RETENTION_SECONDS,
} from "../../lambda/shared/order-queue-contract";

/** Lambda's SQS guidance: visibility timeout at least six times the function timeout.
 *  https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** The order queue's visibility timeout for a consumer with this timeout (the processor reads it, X1). */
export const visibilityTimeoutFor = (consumerTimeoutSeconds: number): number =>
  consumerTimeoutSeconds * VISIBILITY_TIMEOUT_FACTOR;
export { MAX_RECEIVE_COUNT, ORDER_RETENTION_SECONDS, PARKED_RETENTION_SECONDS };

export interface OrderQueueArgs {
  readonly provider: aws.Provider;
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Timeout of the consuming Lambda, seconds; sets the visibility timeout. */
  readonly consumerTimeoutSeconds: number;
}

/**
 * The order intake queue of one region with its dead-letter queue (P5) and its rejects queue (F2). The
 * DLQ holds only orders that failed for want of a database, so the failover orchestrator can redrive it
 * whole with a message move task; rejected orders are parked in the rejects queue by the processor.
 * Who may send to the three queues is set by OrderQueueAccess (S4). Both keep messages for 14 days, the
 * SQS maximum:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
export class OrderQueue extends pulumi.ComponentResource {
  public readonly queueArn: pulumi.Output<string>;
  public readonly queueUrl: pulumi.Output<string>;
  public readonly queueName: pulumi.Output<string>;
  public readonly dlqUrl: pulumi.Output<string>;
  public readonly dlqName: pulumi.Output<string>;
  public readonly dlqArn: pulumi.Output<string>;
  public readonly rejectsQueueUrl: pulumi.Output<string>;
  public readonly rejectsQueueArn: pulumi.Output<string>;

  constructor(name: string, args: OrderQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:orders:OrderQueue", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const encryption = { kmsMasterKeyId: args.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 };

    const dlq = new aws.sqs.Queue(
      `${name}-dlq`,
      { ...encryption, messageRetentionSeconds: PARKED_RETENTION_SECONDS },
      child,
    );
    const rejects = new aws.sqs.Queue(
      `${name}-rejects`,
      { ...encryption, messageRetentionSeconds: PARKED_RETENTION_SECONDS },
      child,
    );
    const queue = new aws.sqs.Queue(
      name,
      {
        ...encryption,
        visibilityTimeoutSeconds: visibilityTimeoutFor(args.consumerTimeoutSeconds),
        messageRetentionSeconds: ORDER_RETENTION_SECONDS,
        receiveWaitTimeSeconds: 20,
        redrivePolicy: dlq.arn.apply((deadLetterTargetArn) =>
          JSON.stringify({ deadLetterTargetArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
        ),
      },
      child,
    );
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq-allow`,
      {
        queueUrl: dlq.url,
        redriveAllowPolicy: queue.arn.apply((arn) =>
          JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] }),
        ),
      },
      child,
    );
    // The queue policies (TLS only, intended writers only) are OrderQueueAccess's (queue-writers.ts): they
    // name roles built after this queue, some of which wait for it.

    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.queueName = queue.name;
    this.dlqUrl = dlq.url;
    this.dlqName = dlq.name;
    this.dlqArn = dlq.arn;
    this.rejectsQueueUrl = rejects.url;
    this.rejectsQueueArn = rejects.arn;
    this.registerOutputs({ queueUrl: this.queueUrl, dlqUrl: this.dlqUrl });
  }
}
