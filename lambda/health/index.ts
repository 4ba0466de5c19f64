/**
 * Wiring only. Environment: env-keys.ts (shared with lib/), AWS_REGION (set by Lambda),
 * POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyResult } from "aws-lambda";
import { intFromEnv } from "../shared/env";
import { createHealthHandler } from "./checks";
import { CHECK_TIMEOUT_MS, HEALTH_ENV as K } from "./env-keys";

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "health" });
// One attempt each: a retry can't fit in the budget, and the abort signal cuts off a slow one anyway.
const clientConfig = { maxAttempts: 1, requestHandler: { connectionTimeout: 1000 } };
const sqs = new SQSClient(clientConfig);
const dynamodb = new DynamoDBClient(clientConfig);
const lambda = new LambdaClient(clientConfig);

let check: (() => Promise<APIGatewayProxyResult>) | undefined;

function init(): () => Promise<APIGatewayProxyResult> {
  const env = process.env;
  return createHealthHandler({
    region: env.AWS_REGION ?? "unknown",
    sqs,
    dynamodb,
    lambda,
    queueUrl: env[K.queueUrl]?.trim() || undefined,
    tableName: env[K.tableName]?.trim() || undefined,
    dbHost: env[K.dbHost]?.trim() || undefined,
    dbPort: intFromEnv(env, K.dbPort, 5432, 1, 65535),
    mappingUuid: env[K.mappingUuid]?.trim() || undefined,
    timeoutMs: intFromEnv(
      env,
      K.checkTimeoutMs,
      CHECK_TIMEOUT_MS.default,
      CHECK_TIMEOUT_MS.min,
      CHECK_TIMEOUT_MS.max,
    ),
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
        role: "unknown",
        failed: ["config"],
      }),
    };
  }
  return check();
};
