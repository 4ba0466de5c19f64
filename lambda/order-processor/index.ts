/**
 * Wiring only. Clients, logger and metrics live for the whole execution environment; configuration is
 * read on the first invocation so that loading the module never throws.
 *
 * Environment: ORDERS_TABLE_NAME, REJECTS_QUEUE_URL (park.ts), AWS_REGION (set by Lambda), the connection keys of ./db-env (the
 * processor's own data-only role's secret in DB_SECRET_ARN), POWERTOOLS_METRICS_NAMESPACE (default "Tap/Orders"), POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, Metrics } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { requiredEnv } from "../shared/env";
import { createOrderBatchHandler, type OrderBatchHandler } from "./batch";
import { Database, dbSettingsFromEnv } from "./db";
import { createVisibilityChanger } from "./expedite";
import { insertOrders } from "./ledger";
import { createRejectParker, REJECTS_QUEUE_URL_ENV } from "./park";
import { putOrderState } from "./state";

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? "order-processor";
const logger = new Logger({ serviceName });
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Tap/Orders",
  serviceName,
});

const ddb = DynamoDBDocumentClient.from(
  new DynamoDBClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } }),
);
const secrets = new SecretsManagerClient({ maxAttempts: 3 });
const sqs = new SQSClient({ maxAttempts: 1, requestHandler: { connectionTimeout: 1000 } });

let batchHandler: OrderBatchHandler | undefined;

function init(): OrderBatchHandler {
  const region = process.env.AWS_REGION ?? "unknown";
  const tableName = requiredEnv(process.env, "ORDERS_TABLE_NAME");
  const db = new Database(dbSettingsFromEnv(process.env), { logger, secrets });
  const rejectsQueueUrl = process.env[REJECTS_QUEUE_URL_ENV]?.trim() || undefined;
  return createOrderBatchHandler({
    region,
    logger,
    metrics: { count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value) },
    writeLedger: (entries) => insertOrders(db, entries, region),
    writeState: (row, now) => putOrderState(ddb, tableName, row, now),
    changeVisibility: createVisibilityChanger(sqs, logger),
    parkRejected: rejectsQueueUrl ? createRejectParker(sqs, rejectsQueueUrl, logger) : undefined,
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
