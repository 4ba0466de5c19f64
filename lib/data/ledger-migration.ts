import * as aws from "@pulumi/aws";
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { APP_ROLE_TABLE_PRIVILEGES, CLONE_SUFFIX } from "../../lambda/ledger-migrator/app-role";
import { MIGRATOR_DEFAULTS, MIGRATOR_ENV } from "../../lambda/ledger-migrator/env";
import { DB_ENV } from "../../lambda/order-processor/db-env";
import { ORDER_PROCESSOR_DEFAULTS, ORDER_PROCESSOR_ENV } from "../../lambda/order-processor/env";
import { POWERTOOLS_ENV } from "../../lambda/shared/env";
import { MIGRATIONS } from "../../lambda/order-processor/migrations";
import { NodeFunction } from "../compute/node-function";
import { Region } from "../config";

/** Seconds a migration run may take: schema DDL plus one role; 5 minutes leaves room for a lock wait. */
export const MIGRATOR_TIMEOUT = 300;

export interface LedgerMigrationArgs {
  /** Provider of the primary region, where the writer is at deploy time. */
  readonly provider: aws.Provider;
  /** The primary region (the provider's). */
  readonly region: Region;
  readonly subnetIds: pulumi.Input<string>[];
  /** The Lambda security group Aurora admits. */
  readonly securityGroupId: pulumi.Input<string>;
  /** Master credentials (primary-region secret): the only user allowed DDL. */
  readonly masterSecretArn: pulumi.Input<string>;
  /** The processor role's secret (primary-region copy). */
  readonly appSecretArn: pulumi.Input<string>;
  /** Changes when the processor's password changes, so the role is updated. */
  readonly appSecretVersionId: pulumi.Input<string>;
  /** Key that encrypts both secrets in this region. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** The global writer endpoint, and the names its certificate may carry (see lambda/order-processor/db.ts). */
  readonly dbHost: pulumi.Input<string>;
  readonly dbTlsServerNames: pulumi.Input<string>[];
  readonly dbPort: number;
  readonly dbName: string;
  readonly logRetentionDays: number;
  /** What the run must wait for: the database component (its writer) and the secrets' documents. */
  readonly runAfter: pulumi.Input<pulumi.Resource>[];
}

/** Identity of what a run applies: the migrations' SQL, the roles' grants and the rotation pair's names. */
export function migrationFingerprint(): string {
  const h = createHash("sha256");
  for (const m of MIGRATIONS) h.update(`${m.id}\n${m.sql}\n`);
  h.update(APP_ROLE_TABLE_PRIVILEGES.join(","));
  h.update(CLONE_SUFFIX);
  return h.digest("hex");
}

/**
 * Deploy-time ledger migration (L6): a function that connects as the master user, applies the schema
 * migrations and sets up the processor's data-only role, invoked by `pulumi up` once Aurora exists.
 *
 * aws.lambda.Invocation invokes synchronously (RequestResponse) on create, and again only when its input or
 * `triggers` change; a function error fails the deployment. The triggers are the migrations' fingerprint and
 * the processor secret's version, so a new migration or a new password re-runs it, and an unchanged stack
 * doesn't. The run itself is idempotent, so a re-run is harmless.
 * https://www.pulumi.com/registry/packages/aws/api-docs/lambda/invocation/
 */
export class LedgerMigration extends pulumi.ComponentResource {
  public readonly functionName: pulumi.Output<string>;
  /** The function's answer: {"applied": [...], "role": "..."}. */
  public readonly result: pulumi.Output<string>;

  constructor(name: string, args: LedgerMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:data:LedgerMigration", name, {}, opts);
    const fn = new NodeFunction(
      `${name}-fn`,
      {
        codeName: "ledger-migrator",
        description: "Applies the ledger's schema migrations and the order processor's data-only role",
        provider: args.provider,
        region: args.region,
        timeout: MIGRATOR_TIMEOUT,
        vpc: { subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] },
        environment: {
          [DB_ENV.secretArn]: args.masterSecretArn,
          [DB_ENV.host]: args.dbHost,
          [DB_ENV.port]: String(args.dbPort),
          [DB_ENV.name]: args.dbName,
          [DB_ENV.ssl]: "require",
          [DB_ENV.tlsServerNames]: pulumi.output(args.dbTlsServerNames).apply((names) => names.join(",")),
          [MIGRATOR_ENV.appSecretArn]: args.appSecretArn,
          // The RDS CA bundle, as for the processor whose connection code the migrator shares.
          [ORDER_PROCESSOR_ENV.extraCaCerts]: ORDER_PROCESSOR_DEFAULTS.extraCaCerts,
          [POWERTOOLS_ENV.serviceName]: MIGRATOR_DEFAULTS.serviceName,
        },
        statements: [
          {
            Sid: "ReadSecrets",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: [args.masterSecretArn, args.appSecretArn],
          },
          { Sid: "DecryptSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: args.kmsKeyArn },
        ],
        logKeyArn: args.kmsKeyArn,
        logRetentionDays: args.logRetentionDays,
      },
      { parent: this },
    );
    const fingerprint = migrationFingerprint();
    const invocation = new aws.lambda.Invocation(
      `${name}-run`,
      {
        functionName: fn.functionName,
        input: JSON.stringify({ migrations: fingerprint }),
        triggers: { migrations: fingerprint, appSecretVersion: args.appSecretVersionId },
      },
      // Explicit: a child does not inherit its component's dependsOn.
      { parent: this, provider: args.provider, dependsOn: [fn, ...args.runAfter] },
    );
    this.functionName = fn.functionName;
    this.result = invocation.result;
    this.registerOutputs({ functionName: this.functionName, result: this.result });
  }
}
