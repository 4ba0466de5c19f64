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
import { PutCommand, type PutCommandOutput } from "@aws-sdk/lib-dynamodb";
import type { LedgerRow } from "./ledger";

export const ORDER_STATUS_ACCEPTED = "ACCEPTED";

/** What the writer needs from DynamoDB; a DynamoDBDocumentClient satisfies it, and tests wrap one. */
export interface PutSender {
  send(command: PutCommand): Promise<PutCommandOutput>;
}

export type PutOutcome = "created" | "exists";

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
    if (isConditionalCheckFailed(err)) return "exists";
    throw err;
  }
}
