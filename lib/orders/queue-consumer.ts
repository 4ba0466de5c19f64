import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ORDER_FORWARDER_DEFAULTS } from "../../lambda/order-forwarder/env";
import { Statement } from "../policy-documents";
import { QUEUE_CONSUMER_RUNTIME_OWNED } from "../run-time-owned";

/**
 * How a function consumes an order queue, the same for the processor and the forwarder: batches of 10
 * (SendMessageBatch's limit, so a forwarder batch is one call), a 1 s batching window, partial batch
 * responses so only failed messages return to the queue, and a cap on concurrent pollers (Lambda's
 * minimum for SQS is 2).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 */
export const QUEUE_BATCH_SIZE = ORDER_FORWARDER_DEFAULTS.maxBatchEntries;

export interface QueueConsumerArgs {
  readonly queueArn: pulumi.Input<string>;
  readonly functionArn: pulumi.Input<string>;
  /**
   * Whether it polls when created. From then on the failover orchestrator owns it (F2, M1): it flips it
   * at run time, so updates leave it alone (docs/ownership.md).
   */
  readonly enabled: pulumi.Input<boolean>;
  /** Concurrent pollers at most, 2..1000. */
  readonly maxConcurrency: number;
}

/**
 * The SQS event source mapping `${name}-sqs`. `enabled` is set at creation only: an update after a
 * refresh would otherwise flip back what the orchestrator switched (UpdateEventSourceMapping Enabled).
 * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html
 * https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/
 */
export function queueConsumer(
  name: string,
  args: QueueConsumerArgs,
  opts: pulumi.CustomResourceOptions,
): aws.lambda.EventSourceMapping {
  return new aws.lambda.EventSourceMapping(
    `${name}-sqs`,
    {
      eventSourceArn: args.queueArn,
      enabled: args.enabled,
      functionName: args.functionArn,
      batchSize: QUEUE_BATCH_SIZE,
      maximumBatchingWindowInSeconds: 1,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: args.maxConcurrency },
    },
    { ...opts, ignoreChanges: QUEUE_CONSUMER_RUNTIME_OWNED },
  );
}

/** What a consumer does to its queue: receive, delete, read attributes, and back failed messages off. */
export function consumeQueueStatement(queueArn: pulumi.Input<string>): Statement {
  return {
    Sid: "ConsumeQueue",
    Effect: "Allow",
    Action: [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ChangeMessageVisibility",
    ],
    Resource: queueArn,
  };
}
