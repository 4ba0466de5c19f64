/**
 * Wiring only. Clients, logger and metrics live for the whole execution environment; configuration is
 * read on the first invocation so that loading the module never throws.
 * The environment contract (keys, defaults, parser) is env.ts; the connection keys are db-env.ts.
 * Rejected and conflicting orders are parked in the rejects queue (park.ts, REJECTS_QUEUE_URL).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, Metrics } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createOrderBatchHandler, type OrderBatchHandler } from "./batch";
import { Database } from "./db";
import { orderProcessorService, parseOrderProcessorEnv } from "./env";
import { createEntitlementCheck } from "./entitlement";
import { createVisibilityChanger } from "./expedite";
import { createLeaseGate } from "./lease-gate";
import { invokeLeaseReader, READER_INVOKE_CLIENT } from "./lease-source";
import { insertOrders } from "./ledger";
import { createRejectParker } from "./park";
import { putOrderState } from "./state";
import { readWitness } from "../shared/lease-witness";
import { LEASE_METRIC, parseLeaseSource, type LeaseSource } from "../shared/writer-lease";
import { httpTimeouts } from "../shared/http-timeouts";

const { serviceName, namespace } = orderProcessorService(process.env);
const logger = new Logger({ serviceName });
const metrics = new Metrics({ namespace, serviceName });

// A DynamoDB that never answers (no gateway endpoint in the VPC) fails the batch after three attempts
// instead of holding it to the function's 300 s timeout (http-timeouts.ts).
const ddb = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    maxAttempts: 3,
    requestHandler: httpTimeouts(1000, 3000),
  }),
);
const secrets = new SecretsManagerClient({ maxAttempts: 3 });
// Every queue it calls is in its own Region, whose endpoint the client resolves: not following the
// QueueUrl's host keeps a configured endpoint (AWS_ENDPOINT_URL_SQS, as the game day sets) in force.
const sqs = new SQSClient({
  maxAttempts: 1,
  useQueueUrlAsEndpoint: false,
  requestHandler: { connectionTimeout: 1000 },
});

let batchHandler: OrderBatchHandler | undefined;

/**
 * X3: the lease gate over its source. Deployed: the Region's lease reader, invoked through the VPC's Lambda
 * endpoint (lease-source.ts). The game day and local runs name the witness table directly. No source
 * (fencing turned off, tap:writerLease false) = no gate. Every refusal is counted (LEASE_METRIC).
 */
function leaseGate(source: LeaseSource | undefined, region: string): () => Promise<void> {
  if (!source) return async () => undefined;
  const readLease =
    source.kind === "reader"
      ? invokeLeaseReader(new LambdaClient(READER_INVOKE_CLIENT), source.functionName)
      : directRead(source.settings.region, source.settings.table);
  const leaseMs = source.kind === "reader" ? source.leaseMs : source.settings.leaseMs;
  const gate = createLeaseGate({ readLease, leaseMs, region });
  return () =>
    gate().catch((err: unknown) => {
      metrics.addMetric(LEASE_METRIC, MetricUnit.Count, 1);
      throw err;
    });
}

function directRead(witnessRegion: string, table: string) {
  const witness = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: witnessRegion,
      maxAttempts: 2,
      requestHandler: httpTimeouts(1000, 2000),
    }),
  );
  return () => readWitness(witness, table);
}

function init(): OrderBatchHandler {
  const {
    region,
    tableName,
    db: settings,
    rejectsQueueUrl,
    queueVisibilitySeconds,
  } = parseOrderProcessorEnv(process.env);
  const db = new Database(settings, { logger, secrets });
  const holdsLease = leaseGate(parseLeaseSource(process.env), region);
  return createOrderBatchHandler({
    region,
    logger,
    metrics: { count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value) },
    checkEntitlement: createEntitlementCheck({
      logger,
      metrics: { count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value) },
    }),
    // The lease is checked right before each ledger write: the write is what must never land on an old writer.
    writeLedger: async (entries) => {
      await holdsLease();
      return insertOrders(db, entries, region);
    },
    writeState: (row, now) => putOrderState(ddb, tableName, row, now),
    changeVisibility: createVisibilityChanger(sqs, logger),
    parkRejected: rejectsQueueUrl ? createRejectParker(sqs, rejectsQueueUrl, logger) : undefined,
    queueVisibilitySeconds,
  });
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    batchHandler ??= init();
    return await batchHandler(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
};
