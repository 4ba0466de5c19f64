import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arnInRegion } from "../arn";
import { Region } from "../config";

/** Key schema shared with lambda/order-processor: one item per order, looked up by id. */
export const ORDERS_HASH_KEY = "orderId";
/** Operators look orders up by account, newest first. */
export const ACCOUNT_INDEX = {
  name: "account-index",
  hashKey: "account",
  rangeKey: "clientTimestamp",
} as const;

export interface OrdersTableArgs {
  /** Provider of the primary region, where the table is created. */
  readonly provider: aws.Provider;
  /** Primary-region customer-managed key. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** The secondary region and its key, for the replica. */
  readonly replica: { readonly region: Region; readonly kmsKeyArn: pulumi.Input<string> };
  /** Deletion protection and `protect`. Default: false. */
  readonly production?: boolean;
}

/**
 * Order state as a DynamoDB global table (R14): on-demand, encrypted with each region's own key,
 * point-in-time recovery on the table and on the replica, replicated to the secondary region.
 */
export class OrdersTable extends pulumi.ComponentResource {
  public readonly tableName: pulumi.Output<string>;
  public readonly tableArn: pulumi.Output<string>;

  constructor(name: string, args: OrdersTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:data:OrdersTable", name, {}, opts);
    const prod = args.production ?? false;
    const table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: ORDERS_HASH_KEY,
        attributes: [
          { name: ORDERS_HASH_KEY, type: "S" },
          { name: ACCOUNT_INDEX.hashKey, type: "S" },
          { name: ACCOUNT_INDEX.rangeKey, type: "S" },
        ],
        globalSecondaryIndexes: [
          {
            name: ACCOUNT_INDEX.name,
            hashKey: ACCOUNT_INDEX.hashKey,
            rangeKey: ACCOUNT_INDEX.rangeKey,
            projectionType: "ALL",
          },
        ],
        // Global tables replicate through streams; NEW_AND_OLD_IMAGES is what they require.
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
        serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
        pointInTimeRecovery: { enabled: true },
        replicas: [
          {
            regionName: args.replica.region,
            kmsKeyArn: args.replica.kmsKeyArn,
            pointInTimeRecovery: true,
            propagateTags: true,
            deletionProtectionEnabled: prod,
          },
        ],
        deletionProtectionEnabled: prod,
      },
      { parent: this, provider: args.provider, protect: prod },
    );
    this.tableName = table.name;
    this.tableArn = table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }

  /** The table's ARN in `region`: the primary table or its replica there. */
  arnIn(region: Region): pulumi.Output<string> {
    return arnInRegion(this.tableArn, region);
  }
}
