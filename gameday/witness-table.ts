/**
 * The writer lease's witness table (X3, lambda/shared/writer-lease.ts) as the game day and the tests
 * create it: one string hash key, on-demand, and the lease's first item naming its first holder.
 */
import {
  CreateTableCommand,
  PutItemCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type PutItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { LEASE_ATTR, LEASE_KEY } from "../lambda/shared/writer-lease";

export function witnessTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: LEASE_KEY.name, AttributeType: "S" }],
    KeySchema: [{ AttributeName: LEASE_KEY.name, KeyType: "HASH" }],
  };
}

/** The lease item as first deployed: held by the processing Region, epoch 1. */
export function firstLease(tableName: string, holder: string): PutItemCommandInput {
  return {
    TableName: tableName,
    Item: {
      [LEASE_KEY.name]: { S: LEASE_KEY.value },
      [LEASE_ATTR.holder]: { S: holder },
      [LEASE_ATTR.epoch]: { N: "1" },
    },
  };
}

/** Creates the witness table, waits until it is ACTIVE (even dynalite creates asynchronously), seeds it. */
export async function createWitness(
  client: DynamoDBClient,
  tableName: string,
  holder: string,
): Promise<void> {
  await client.send(new CreateTableCommand(witnessTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
  await client.send(new PutItemCommand(firstLease(tableName, holder)));
}
