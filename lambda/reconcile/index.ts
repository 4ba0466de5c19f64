/**
 * Reconcile Lambda: invoked synchronously by the failover orchestrator after a data-losing failover, in
 * the new writer Region, inside the VPC and with the same database path and environment keys as the
 * order processor (DB_SECRET_ARN, DB_HOST, DB_PORT, DB_NAME, DB_SSL, ORDERS_TABLE_NAME).
 * Event: { "sinceIso": "<ISO-8601>", "dryRun"?: boolean }. Returns the ReconcileReport.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { requiredEnv } from "../shared/env";
import { Database, dbSettingsFromEnv } from "../order-processor/db";
import { reconcileStores, type ReconcileReport } from "./reconcile";

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "reconcile" });
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }));
const secrets = new SecretsManagerClient({ maxAttempts: 3 });
let db: Database | undefined;

export const handler = async (event: { sinceIso?: unknown; dryRun?: unknown }): Promise<ReconcileReport> => {
  if (typeof event?.sinceIso !== "string") throw new Error("event.sinceIso: expected an ISO-8601 string");
  if (event.dryRun !== undefined && typeof event.dryRun !== "boolean")
    throw new Error("event.dryRun: expected a boolean");
  db ??= new Database(dbSettingsFromEnv(process.env), { logger, secrets, applicationName: "tap-reconcile" });
  return reconcileStores(
    {
      db,
      ddb,
      tableName: requiredEnv(process.env, "ORDERS_TABLE_NAME"),
      region: process.env.AWS_REGION ?? "unknown",
      logger,
    },
    { sinceIso: event.sinceIso, dryRun: event.dryRun ?? false },
  );
};
