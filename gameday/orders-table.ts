/**
 * The orders table as the infra creates it (lib/data/orders-table.ts), for the DynamoDB-compatible
 * servers of the tests and the game day.
 */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** Same key schema and GSI as the infra's orders table (orderId hash key; account-index GSI). */
export function ordersTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "orderId", AttributeType: "S" },
      { AttributeName: "account", AttributeType: "S" },
      { AttributeName: "clientTimestamp", AttributeType: "S" },
    ],
    KeySchema: [{ AttributeName: "orderId", KeyType: "HASH" }],
    GlobalSecondaryIndexes: [
      {
        IndexName: "account-index",
        KeySchema: [
          { AttributeName: "account", KeyType: "HASH" },
          { AttributeName: "clientTimestamp", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ],
  };
}
