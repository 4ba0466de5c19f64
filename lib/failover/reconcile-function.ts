import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RECONCILE_DEFAULTS, RECONCILE_ENV, RECONCILE_TIMEOUT_SECONDS } from "../../lambda/reconcile/env";
import { toEnvironment } from "../../lambda/shared/env";
import { NodeFunction } from "../compute/node-function";
import { Region } from "../config";
import { LedgerAccess } from "../data/ledger-access";
import { Statement } from "../policy-documents";
import { AlarmInfo } from "../monitoring/alarm";

export interface ReconcileFunctionArgs {
  readonly provider: aws.Provider;
  /** The region it runs in (the provider's, the ledger's): its error alarm lives there. */
  readonly region: Region;
  readonly ledger: LedgerAccess;
  readonly logRetentionDays: number;
  /** This region's alert topic: the function's error alarm (F4). */
  readonly alarmTopicArn: pulumi.Input<string>;
}

/**
 * Reconciles the ledger and the orders table after a data-losing failover (F2): re-books orders the table
 * holds and the ledger lost, rewrites ledger rows the table lacks (lambda/reconcile). The failover
 * orchestrator invokes it synchronously in the new writer's region; `npm run reconcile` runs the same code.
 */
export class ReconcileFunction extends pulumi.ComponentResource {
  public readonly functionName: pulumi.Output<string>;
  public readonly functionArn: pulumi.Output<string>;
  /** Its role's statements beyond logging and VPC access: what the reconcile code needs. */
  public readonly statements: Statement[];
  /** The function's error alarm, as data. */
  public readonly alarms: AlarmInfo[];

  constructor(name: string, args: ReconcileFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:failover:ReconcileFunction", name, {}, opts);
    const l = args.ledger;
    this.statements = [
      {
        Sid: "ReadDbSecret",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: l.secretArn,
      },
      { Sid: "DecryptSecret", Effect: "Allow", Action: "kms:Decrypt", Resource: l.kmsKeyArn },
      // Scan the window, write back what the table lacks (putOrderState: a put refused by its condition
      // reads the stored item's hash back with GetItem, lambda/order-processor/state.ts): nothing else.
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
      {
        Sid: "ReconcileOrderState",
        Effect: "Allow",
        Action: ["dynamodb:Scan", "dynamodb:PutItem", "dynamodb:GetItem"],
        Resource: l.tableArn,
      },
    ];
    const fn = new NodeFunction(
      `${name}-fn`,
      {
        codeName: "reconcile",
        description: "Reconciles the order ledger and the orders table after a data-losing failover",
        provider: args.provider,
        region: args.region,
        timeout: RECONCILE_TIMEOUT_SECONDS,
        memorySize: 512,
        vpc: { subnetIds: l.subnetIds, securityGroupIds: [l.securityGroupId] },
        environment: toEnvironment(RECONCILE_ENV, {
          serviceName: RECONCILE_DEFAULTS.serviceName,
          tableName: l.tableName,
          dbSecretArn: l.secretArn,
          dbHost: l.dbHost,
          dbPort: String(l.dbPort),
          dbName: l.dbName,
          dbSsl: RECONCILE_DEFAULTS.dbSsl,
          dbTlsServerNames: pulumi.output(l.dbTlsServerNames).apply((names) => names.join(",")),
          extraCaCerts: RECONCILE_DEFAULTS.extraCaCerts,
        }),
        statements: this.statements,
        logKeyArn: l.kmsKeyArn,
        logRetentionDays: args.logRetentionDays,
        errorAlarmTopicArn: args.alarmTopicArn,
      },
      { parent: this },
    );
    this.functionName = fn.functionName;
    this.functionArn = fn.arn;
    this.alarms = fn.alarms;
    this.registerOutputs({ functionName: this.functionName });
  }
}
