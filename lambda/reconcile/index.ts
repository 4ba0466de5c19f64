/**
 * Reconcile Lambda: invoked synchronously by the failover orchestrator after a data-losing failover, in
 * the new writer Region, inside the VPC, with the order processor's database path and role. Environment:
 * env.ts.
 * Event: event.ts ({ "sinceIso": "<ISO-8601>", "dryRun"?: boolean }). Returns the ReconcileReport.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Database, dbSettingsFromEnv } from "../order-processor/db";
import { parseReconcileEnv, reconcileServiceName } from "./env";
import { parseReconcileEvent } from "./event";
import { reconcileStores, type ReconcileReport } from "./reconcile";

const logger = new Logger({ serviceName: reconcileServiceName(process.env) });
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }));
const secrets = new SecretsManagerClient({ maxAttempts: 3 });
let db: Database | undefined;

export const handler = async (event: unknown): Promise<ReconcileReport> => {
  const request = parseReconcileEvent(event);
  db ??= new Database(dbSettingsFromEnv(process.env), { logger, secrets, applicationName: "tap-reconcile" });
  return reconcileStores(
    {
      db,
      ddb,
      ...parseReconcileEnv(process.env),
      logger,
    },
    request,
  );
};
