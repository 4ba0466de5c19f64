/**
 * X3: the runbook's hand commands for the writer lease do what it says, run against a real DynamoDB-
 * compatible store (dynalite): get-item reads the lease the processor reads, and update-item moves it the
 * way the orchestrator does (lambda/failover/lease-transfer.ts), so the named Region's gate opens and the
 * old holder's closes.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { GetItemCommand, UpdateItemCommand, type ReturnValue } from "@aws-sdk/client-dynamodb";
import { createLeaseGate } from "../../lambda/order-processor/lease-gate";
import { readWitness } from "../../lambda/shared/lease-witness";
import { createWitness } from "../../gameday/witness-table";
import { startDynamo, type TestDynamo } from "../../tooling/stores/dynamodb";
import { shellCommands, type ShellCommand } from "./shell-commands";

const runbook = readFileSync(path.join(__dirname, "../../docs/runbook.md"), "utf8");
const dynamoCommand = (verb: string): ShellCommand => {
  const found = shellCommands(runbook).filter(
    (c) => c.words[0] === "aws" && c.words[1] === "dynamodb" && c.words[2] === verb,
  );
  expect(found).toHaveLength(1);
  return found[0];
};
/** An option's value, placeholders filled: the table, and the Region the lease goes to. */
const option = (c: ShellCommand, name: string, fill: Record<string, string>) => {
  const i = c.words.indexOf(name);
  if (i < 0) throw new Error(`${c.text}: no ${name}`);
  return c.words[i + 1].replace(/<([A-Za-z-]+)>/g, (m, p: string) => fill[p] ?? m);
};

let dynamo: TestDynamo;
beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(() => dynamo?.stop());

it("X3: the runbook's get-item reads the lease consistently, and its update-item moves it to the Region it names", async () => {
  const table = "runbook-lease";
  await createWitness(dynamo.client, table, "us-east-1");
  const fill = { witnessTableName: table, "current-writer-region": "us-west-2" };

  const get = dynamoCommand("get-item");
  expect(get.words).toContain("--consistent-read");
  const read = await dynamo.client.send(
    new GetItemCommand({
      TableName: option(get, "--table-name", fill),
      Key: JSON.parse(option(get, "--key", fill)),
      ConsistentRead: true,
    }),
  );
  expect(read.Item?.holder).toEqual({ S: "us-east-1" });

  const update = dynamoCommand("update-item");
  const out = await dynamo.client.send(
    new UpdateItemCommand({
      TableName: option(update, "--table-name", fill),
      Key: JSON.parse(option(update, "--key", fill)),
      UpdateExpression: option(update, "--update-expression", fill),
      ExpressionAttributeNames: JSON.parse(option(update, "--expression-attribute-names", fill)),
      ExpressionAttributeValues: JSON.parse(option(update, "--expression-attribute-values", fill)),
      ReturnValues: option(update, "--return-values", fill) as ReturnValue,
    }),
  );
  expect(out.Attributes).toEqual({ holder: { S: "us-west-2" }, epoch: { N: "2" } });
  expect(await readWitness(dynamo.doc, table)).toEqual({ holder: "us-west-2", epoch: 2 });
  const gate = (region: string) =>
    createLeaseGate({ readLease: () => readWitness(dynamo.doc, table), leaseMs: 30_000, region })();
  await expect(gate("us-west-2")).resolves.toBeUndefined();
  await expect(gate("us-east-1")).rejects.toThrow("the writer lease is held by us-west-2, not us-east-1");
});
