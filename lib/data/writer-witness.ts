import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DB_DEFAULTS } from "../../lambda/order-processor/db";
import {
  LEASE_ATTR,
  LEASE_KEY,
  revocationWaitMs,
  trustMs,
  WRITER_LEASE_DEFAULTS,
} from "../../lambda/shared/writer-lease";
import { Region } from "../config";
import { RegionalKey } from "../foundation/regional-key";
import { Statement } from "../policy-documents";

export interface WriterWitnessArgs {
  /** The witness Region: a third one, so that losing either order Region leaves the lease readable. */
  readonly region: Region;
  /** Provider for `region`. */
  readonly provider: aws.Provider;
  readonly accountId: pulumi.Input<string>;
  /** The two order Regions; the witness may be neither. */
  readonly orderRegions: readonly Region[];
  /**
   * The Region named holder when the lease item is first created: where the Aurora writer is at deploy
   * time (lib/data/aurora-writer.ts). Never applied again (the item's body is ignored after creation).
   */
  readonly firstHolder: pulumi.Input<string>;
  /** How long a lease outlives its last confirmation, ms. Default WRITER_LEASE_DEFAULTS.leaseMs (30 s). */
  readonly leaseMs?: number;
  /** Deletion protection, a longer key deletion window and Pulumi protect. Default: false. */
  readonly production?: boolean;
}

/**
 * The lease must be long enough that a ledger write started inside the old holder's last trusted
 * confirmation ends (the processor's query timeout) before the orchestrator's wait is over
 * (lambda/shared/writer-lease.ts), and short enough that the wait fits a failover's time budget.
 */
export function checkWriterWitnessArgs(args: WriterWitnessArgs): void {
  if (args.orderRegions.includes(args.region)) {
    throw new Error(`WriterWitness: the witness Region ${args.region} is an order Region; it needs a third`);
  }
  const ms = args.leaseMs ?? WRITER_LEASE_DEFAULTS.leaseMs;
  if (
    !Number.isInteger(ms) ||
    ms > 120_000 ||
    trustMs(ms) + DB_DEFAULTS.queryTimeoutMs >= revocationWaitMs(ms)
  ) {
    throw new Error(
      `WriterWitness: leaseMs ${ms} must be a whole number of ms, at most 120000, with a third of it plus the ` +
        `ledger's ${DB_DEFAULTS.queryTimeoutMs} ms query timeout shorter than the orchestrator's wait`,
    );
  }
}

/**
 * X3: the writer lease's witness. A plain single-Region DynamoDB table in a third Region, holding one item
 * that names the Region whose order processor may book (lambda/shared/writer-lease.ts).
 * - Not a global table: strongly consistent reads and conditional writes hold only within one Region's
 *   table. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
 * - A customer-managed key in the witness Region, like every table of the stack (the dynamodb policy
 *   rule); its policy lets account principals use it through DynamoDB (regional-key.ts), and the reader
 *   and orchestrator roles get kms:Decrypt (and GenerateDataKey for the writer) on it.
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
 * - The lease item is created once with its first holder; afterwards the failover orchestrator owns it
 *   (issue 23's rule), so the item's body is in ignoreChanges and `pulumi up` never moves the lease back.
 *   A TableItem cannot be imported, and deleting it (a destroy, a replacement) leaves no holder: every
 *   processor then refuses to book, which is the safe way to fail.
 *   https://www.pulumi.com/registry/packages/aws/api-docs/dynamodb/tableitem/
 * Orders are never stored here; the only reads are one GetItem per processor per trust window.
 */
export class WriterWitness extends pulumi.ComponentResource {
  public readonly tableName: pulumi.Output<string>;
  public readonly tableArn: pulumi.Output<string>;
  public readonly keyArn: pulumi.Output<string>;
  public readonly region: Region;
  public readonly leaseMs: number;

  constructor(name: string, args: WriterWitnessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:data:WriterWitness", name, {}, opts);
    checkWriterWitnessArgs(args);
    const prod = args.production ?? false;
    const child = { parent: this, provider: args.provider };
    const key = new RegionalKey(
      `${name}-key`,
      {
        region: args.region,
        accountId: args.accountId,
        provider: args.provider,
        deletionWindowInDays: prod ? 30 : 7,
        protect: prod,
      },
      { parent: this },
    );
    // The name ends in "writer-lease": the DR budget finds the witness by it (tooling/plan/dr-budget.ts).
    const table = new aws.dynamodb.Table(
      `${name}-writer-lease`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: LEASE_KEY.name,
        attributes: [{ name: LEASE_KEY.name, type: "S" }],
        serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: prod,
      },
      { ...child, protect: prod },
    );
    new aws.dynamodb.TableItem(
      `${name}-lease`,
      {
        tableName: table.name,
        hashKey: table.hashKey,
        item: pulumi.output(args.firstHolder).apply((holder) => firstLeaseItem(holder)),
      },
      { ...child, ignoreChanges: ["item"] },
    );
    this.tableName = table.name;
    this.tableArn = table.arn;
    this.keyArn = key.arn;
    this.region = args.region;
    this.leaseMs = args.leaseMs ?? WRITER_LEASE_DEFAULTS.leaseMs;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn, keyArn: this.keyArn });
  }

  /** What the lease reader needs: one consistent GetItem on the table, and the key to decrypt it. */
  get readStatements(): Statement[] {
    return [
      { Sid: "ReadWriterLease", Effect: "Allow", Action: "dynamodb:GetItem", Resource: this.tableArn },
      { Sid: "DecryptWriterLease", Effect: "Allow", Action: "kms:Decrypt", Resource: this.keyArn },
    ];
  }

  /**
   * What the failover orchestrator needs to move the lease (UpdateItem, lease-transfer.ts). GetItem too:
   * the drill runs with the operator policy built from these statements, and the runbook reads the lease
   * back with `aws dynamodb get-item`.
   */
  get moveStatements(): Statement[] {
    return [
      {
        Sid: "MoveWriterLease",
        Effect: "Allow",
        Action: ["dynamodb:UpdateItem", "dynamodb:GetItem"],
        Resource: this.tableArn,
      },
      {
        Sid: "EncryptWriterLease",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: this.keyArn,
      },
    ];
  }
}

/** The lease item as first deployed, in DynamoDB JSON: held by `holder`, epoch 1 (gameday/witness-table.ts
 *  seeds the same item for the game day). */
export function firstLeaseItem(holder: string): string {
  return JSON.stringify({
    [LEASE_KEY.name]: { S: LEASE_KEY.value },
    [LEASE_ATTR.holder]: { S: holder },
    [LEASE_ATTR.epoch]: { N: "1" },
  });
}
