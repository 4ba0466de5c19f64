/**
 * Wiring only. Environment: AWS_REGION (set by Lambda), QUEUE_URL, ORDERS_TABLE_NAME, DB_HOST (the
 * regional cluster endpoint), DB_PORT (default 5432), CHECK_TIMEOUT_MS (default 2000, at most 2500 so the
 * whole answer stays under ~3 s), POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyResult } from "aws-lambda";
import { intFromEnv } from "../shared/env";
import { createHealthHandler } from "./checks";

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "health" });
// One attempt each: a retry can't fit in the budget, and the abort signal cuts off a slow one anyway.
const clientConfig = { maxAttempts: 1, requestHandler: { connectionTimeout: 1000 } };
const sqs = new SQSClient(clientConfig);
const dynamodb = new DynamoDBClient(clientConfig);

let check: (() => Promise<APIGatewayProxyResult>) | undefined;

function init(): () => Promise<APIGatewayProxyResult> {
  const env = process.env;
  return createHealthHandler({
    region: env.AWS_REGION ?? "unknown",
    sqs,
    dynamodb,
    queueUrl: env.QUEUE_URL?.trim() || undefined,
    tableName: env.ORDERS_TABLE_NAME?.trim() || undefined,
    dbHost: env.DB_HOST?.trim() || undefined,
    dbPort: intFromEnv(env, "DB_PORT", 5432, 1, 65535),
    timeoutMs: intFromEnv(env, "CHECK_TIMEOUT_MS", 2000, 50, 2500),
    logger,
  });
}

export const handler = async (): Promise<APIGatewayProxyResult> => {
  try {
    check ??= init();
  } catch (err) {
    logger.error("health handler misconfigured", { error: (err as Error).message });
    return {
      statusCode: 503,
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
      body: JSON.stringify({
        status: "unavailable",
        region: process.env.AWS_REGION ?? "unknown",
        failed: ["config"],
      }),
    };
  }
  return check();
};
