/**
 * X3: the one read of the writer lease's witness item (lambda/shared/writer-lease.ts), shared by the lease
 * reader (lambda/lease-reader, what a deployed processor asks) and the processor's direct source (the
 * game day). Strongly consistent: an eventually consistent read may return the item as it was before the
 * orchestrator moved the lease.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
 */
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { LEASE_ATTR, LEASE_KEY, type LeaseReading } from "./writer-lease";

export async function readWitness(
  ddb: Pick<DynamoDBDocumentClient, "send">,
  table: string,
): Promise<LeaseReading> {
  const out = await ddb.send(
    new GetCommand({ TableName: table, Key: { [LEASE_KEY.name]: LEASE_KEY.value }, ConsistentRead: true }),
  );
  const holder: unknown = out.Item?.[LEASE_ATTR.holder];
  const epoch: unknown = out.Item?.[LEASE_ATTR.epoch];
  return {
    holder: typeof holder === "string" ? holder : null,
    epoch: typeof epoch === "number" ? epoch : null,
  };
}
