/**
 * The order forwarder's environment contract: lib/orders/order-forwarder.ts writes it, index.ts reads it.
 */
import { optionalEnv, POWERTOOLS_ENV, requiredEnv, runtimeRegion, type Env } from "../shared/env";

export const ORDER_FORWARDER_ENV = {
  ...POWERTOOLS_ENV,
  /** The queue of the other Region, where orders go while this Region is not the writer. */
  peerQueueUrl: "PEER_QUEUE_URL",
  /** That queue's Region: SQS is regional, so the client is built for it. */
  peerRegion: "PEER_REGION",
} as const;

export const ORDER_FORWARDER_DEFAULTS = {
  serviceName: "order-forwarder",
  metricsNamespace: "Tap/Orders",
  /** SendMessageBatch takes at most 10 entries; the mapping's batch size is the same, so a Lambda batch
   *  is one call. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html */
  maxBatchEntries: 10,
} as const;

export interface OrderForwarderSettings {
  readonly region: string;
  readonly peerQueueUrl: string;
  readonly peerRegion: string;
}

export const orderForwarderService = (env: Env) => ({
  serviceName: optionalEnv(env, ORDER_FORWARDER_ENV.serviceName) ?? ORDER_FORWARDER_DEFAULTS.serviceName,
  namespace:
    optionalEnv(env, ORDER_FORWARDER_ENV.metricsNamespace) ?? ORDER_FORWARDER_DEFAULTS.metricsNamespace,
});

/** Read on the first invocation, so that loading the module never throws. */
export function parseOrderForwarderEnv(env: Env): OrderForwarderSettings {
  const peerQueueUrl = requiredEnv(env, ORDER_FORWARDER_ENV.peerQueueUrl);
  if (!/^https:\/\/\S+\/\d{12}\/\S+$/.test(peerQueueUrl)) {
    throw new Error(`${ORDER_FORWARDER_ENV.peerQueueUrl} is not a queue URL: ${peerQueueUrl}`);
  }
  return {
    region: runtimeRegion(env),
    peerQueueUrl,
    peerRegion: requiredEnv(env, ORDER_FORWARDER_ENV.peerRegion),
  };
}
