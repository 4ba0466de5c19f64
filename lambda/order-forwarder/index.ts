/**
 * Wiring only. While this Region is not the Aurora writer's, its order queue is consumed by this
 * function instead of the order processor: each order goes on to the writer Region's queue with the
 * attributes the API set, and is booked there (F1). The failover orchestrator switches the two
 * mappings when the writer moves (lambda/failover/after-promotion.ts).
 * The environment contract is env.ts.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, Metrics } from "@aws-lambda-powertools/metrics";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createVisibilityChanger } from "../order-processor/expedite";
import { orderForwarderService, parseOrderForwarderEnv } from "./env";
import { forwardBatch, type ForwarderDeps } from "./forward";
import { httpTimeouts } from "../shared/http-timeouts";

const { serviceName, namespace } = orderForwarderService(process.env);
const logger = new Logger({ serviceName });
const metrics = new Metrics({ namespace, serviceName });

let deps: ForwarderDeps | undefined;

function init(): ForwarderDeps {
  const { region, peerQueueUrl, peerRegion } = parseOrderForwarderEnv(process.env);
  // Bounded: a peer Region that does not answer fails the batch quickly, to be retried by SQS.
  const sqs = new SQSClient({
    region: peerRegion,
    maxAttempts: 3,
    // Built for the peer's Region, whose endpoint is the queue URL's host; not following the URL keeps
    // a configured endpoint (AWS_ENDPOINT_URL_SQS, as the game day sets) in force.
    useQueueUrlAsEndpoint: false,
    requestHandler: httpTimeouts(2000, 5000),
  });
  // Its own queue (visibility of what was not forwarded, re-queues) is in its own Region.
  const own = new SQSClient({
    maxAttempts: 1,
    useQueueUrlAsEndpoint: false,
    requestHandler: { connectionTimeout: 1000 },
  });
  return {
    region,
    peerQueueUrl,
    logger,
    changeVisibility: createVisibilityChanger(own, logger),
    sendBatch: (QueueUrl, Entries) => sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries })),
    requeueBatch: (QueueUrl, Entries) => own.send(new SendMessageBatchCommand({ QueueUrl, Entries })),
    count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
  };
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    deps ??= init();
    return await forwardBatch(event.Records, deps);
  } finally {
    metrics.publishStoredMetrics();
  }
};
