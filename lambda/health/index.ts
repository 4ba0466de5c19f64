/** Wiring only. The environment contract (keys, defaults, parser) is env.ts. */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyResult } from "aws-lambda";
import { runtimeRegion } from "../shared/env";
import { createHealthHandler } from "./checks";
import { healthServiceName, parseHealthEnv } from "./env";

const logger = new Logger({ serviceName: healthServiceName(process.env) });
// One attempt each: a retry can't fit in the budget, and the abort signal cuts off a slow one anyway.
const clientConfig = { maxAttempts: 1, requestHandler: { connectionTimeout: 1000 } };
const sqs = new SQSClient(clientConfig);
const dynamodb = new DynamoDBClient(clientConfig);
const lambda = new LambdaClient(clientConfig);

let check: (() => Promise<APIGatewayProxyResult>) | undefined;

function init(): () => Promise<APIGatewayProxyResult> {
  return createHealthHandler({ ...parseHealthEnv(process.env), sqs, dynamodb, lambda, logger });
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
        region: runtimeRegion(process.env),
        role: "unknown",
        failed: ["config"],
      }),
    };
  }
  return check();
};
