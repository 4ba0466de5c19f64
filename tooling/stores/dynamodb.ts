/**
 * A real DynamoDB-compatible server for tests and benchmarks: dynalite (pure JS, in-memory) in this
 * process on 127.0.0.1 and a random port, with the orders table created with the real key schema and GSI.
 */
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type { AddressInfo, Server } from "node:net";
import { ordersTableInput } from "../../gameday/orders-table";

type Dynalite = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
// dynalite ships no types; load it through createRequire rather than add a declaration file.
const dynalite = createRequire(__filename)("dynalite") as Dynalite;

export interface TestDynamo {
  readonly endpoint: string;
  readonly region: string;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  /** Creates an orders table with a unique name and waits until it is ACTIVE. */
  createOrdersTable(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

export const DUMMY_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export async function startDynamo(): Promise<TestDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const region = "us-east-1";
  const client = new DynamoDBClient({ endpoint, region, credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
  const doc = DynamoDBDocumentClient.from(client);
  return {
    endpoint,
    region,
    client,
    doc,
    async createOrdersTable(prefix = "orders") {
      const name = `${prefix}-${randomBytes(4).toString("hex")}`;
      await client.send(new CreateTableCommand(ordersTableInput(name)));
      await waitUntilTableExists({ client, maxWaitTime: 20, minDelay: 1, maxDelay: 1 }, { TableName: name });
      return name;
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
