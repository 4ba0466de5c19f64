/**
 * The ledger migrator: invoked by `pulumi up` (aws.lambda.Invocation in lib/data/ledger-migration.ts) once
 * the writer exists, and again whenever the migrations or the processor's password change. Connects as the
 * master user (the secret in DB_SECRET_ARN) to the global writer endpoint over verified TLS, migrates the
 * schema and sets up the processor's data-only role from the secret in APP_DB_SECRET_ARN. A failure fails
 * the invocation, and so the deployment.
 */
import { POWERTOOLS_ENV } from "../shared/env";
import { Logger } from "@aws-lambda-powertools/logger";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { requiredEnv } from "../shared/env";
import { Database, dbSettingsFromEnv, fetchSecretDocument } from "../order-processor/db";
import { MIGRATOR_DEFAULTS, MIGRATOR_ENV } from "./env";
import { runLedgerMigration, type MigrationResult } from "./migrate";

const logger = new Logger({
  serviceName: process.env[POWERTOOLS_ENV.serviceName] ?? MIGRATOR_DEFAULTS.serviceName,
});
const secrets = new SecretsManagerClient({ maxAttempts: 3 });

export const handler = async (): Promise<MigrationResult> => {
  const db = new Database(dbSettingsFromEnv(process.env), {
    logger,
    secrets,
    applicationName: "tap-ledger-migrator",
  });
  try {
    const doc = await fetchSecretDocument(secrets, requiredEnv(process.env, MIGRATOR_ENV.appSecretArn));
    const { username, password, dbname } = doc;
    if (typeof username !== "string" || typeof password !== "string" || typeof dbname !== "string") {
      throw new Error("the processor's secret lacks username, password or dbname");
    }
    const result = await db.withConnection((client) =>
      runLedgerMigration(client, { username, password }, dbname),
    );
    logger.info("ledger migrated", { ...result });
    return result;
  } finally {
    await db.end();
  }
};
