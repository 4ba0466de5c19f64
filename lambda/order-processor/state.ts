/**
 * Order state in DynamoDB, written from the booked ledger row (L2), never from the message: a retry, a
 * redelivery or a conflicting body can't make the two stores disagree. One conditional PutItem per order:
 * the condition makes a redelivery a no-op (ConditionalCheckFailed means "already there", which is
 * success); BatchWriteItem can't be conditional, so it would overwrite a later status with ACCEPTED.
 *
 * The item holds the full canonical contents and the content hash, so the ledger can be rebuilt from it
 * (issue 13's reconcile re-books items through the same path). Quantity and price are strings: DynamoDB
 * numbers are exact (38 digits), but the document client reads them back as JavaScript numbers unless
 * every reader remembers `wrapNumbers`; a string can't be rounded by any reader.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
 */
import { GetCommand, PutCommand, type GetCommandOutput, type PutCommandOutput } from "@aws-sdk/lib-dynamodb";
import type { LedgerRow } from "./ledger";

export const ORDER_STATUS_ACCEPTED = "ACCEPTED";

/** What the writer needs from DynamoDB; a DynamoDBDocumentClient satisfies it, and tests wrap one. */
export interface PutSender {
  send(command: PutCommand): Promise<PutCommandOutput>;
  send(command: GetCommand): Promise<GetCommandOutput>;
}

/**
 * created: written now. exists: an item with the same content hash was there (a redelivery).
 * conflict: an item with ANOTHER content hash holds this orderId (X5): e.g. version A booked before an
 * unplanned failover, lost from Aurora but replicated in DynamoDB, and version B offered after it.
 */
export type PutOutcome = "created" | "exists" | { readonly conflict: string };

export interface OrderItem {
  orderId: string;
  account: string;
  symbol: string;
  side: LedgerRow["side"];
  quantity: string;
  orderType: LedgerRow["orderType"];
  limitPrice?: string;
  /** UTC, fixed width: the account index's sort key. */
  clientTimestamp: string;
  contentHash: string;
  status: typeof ORDER_STATUS_ACCEPTED;
  updatedAt: string;
  /** Region whose processor booked the order in the ledger. */
  region: string;
}

export function toItem(row: LedgerRow, now: Date): OrderItem {
  const item: OrderItem = {
    orderId: row.orderId,
    account: row.account,
    symbol: row.symbol,
    side: row.side,
    quantity: row.quantity,
    orderType: row.orderType,
    clientTimestamp: row.clientTimestamp,
    contentHash: row.contentHash,
    status: ORDER_STATUS_ACCEPTED,
    updatedAt: now.toISOString(),
    region: row.region,
  };
  if (row.limitPrice !== undefined) item.limitPrice = row.limitPrice;
  return item;
}

export function isConditionalCheckFailed(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === "ConditionalCheckFailedException";
}

/** DynamoDB refused the request itself (item shape, size, a number it can't hold): retrying can't help. */
export function isValidationError(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === "ValidationException";
}

export async function putOrderState(
  ddb: PutSender,
  tableName: string,
  row: LedgerRow,
  now: Date,
): Promise<PutOutcome> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: tableName,
        Item: toItem(row, now),
        ConditionExpression: "attribute_not_exists(orderId)",
      }),
    );
    return "created";
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  const stored = await storedContentHash(ddb, tableName, row.orderId);
  return stored === row.contentHash ? "exists" : { conflict: stored ?? "(item without a content hash)" };
}

/**
 * The hash of the item that made the condition fail. A strongly consistent read of this Region's replica
 * (it holds every write the condition saw). PutItem's ReturnValuesOnConditionCheckFailure=ALL_OLD would
 * save the round trip, but dynalite (the local store the tests run against) does not return the item
 * (https://github.com/architect/dynalite/issues/182); this path runs only when the item already exists.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
 */
async function storedContentHash(ddb: PutSender, tableName: string, orderId: string) {
  const out = await ddb.send(
    new GetCommand({
      TableName: tableName,
      Key: { orderId },
      ConsistentRead: true,
      ProjectionExpression: "contentHash",
    }),
  );
  const hash = out.Item?.contentHash;
  return typeof hash === "string" ? hash : undefined;
}
