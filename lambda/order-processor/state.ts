/**
 * Order state in DynamoDB: one conditional PutItem per order. The condition makes a redelivery a no-op
 * (ConditionalCheckFailed means "already there", which is success); BatchWriteItem can't be conditional,
 * so it would overwrite a later status with ACCEPTED.
 */
import { PutCommand, type PutCommandOutput } from "@aws-sdk/lib-dynamodb";
import type { Order } from "./order-schema";

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
  side: Order["side"];
  quantity: number;
  orderType: Order["orderType"];
  limitPrice?: number;
  clientTimestamp: string;
  status: typeof ORDER_STATUS_ACCEPTED;
  updatedAt: string;
  region: string;
}

export function toItem(order: Order, region: string, now: Date): OrderItem {
  const item: OrderItem = {
    orderId: order.orderId,
    account: order.account,
    symbol: order.symbol,
    side: order.side,
    quantity: order.quantity,
    orderType: order.orderType,
    clientTimestamp: order.clientTimestamp,
    status: ORDER_STATUS_ACCEPTED,
    updatedAt: now.toISOString(),
    region,
  };
  if (order.limitPrice !== undefined) item.limitPrice = order.limitPrice;
  return item;
}

export function isConditionalCheckFailed(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === "ConditionalCheckFailedException";
}

export async function putOrderState(
  ddb: PutSender,
  tableName: string,
  order: Order,
  region: string,
  now: Date,
): Promise<PutOutcome> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: tableName,
        Item: toItem(order, region, now),
        ConditionExpression: "attribute_not_exists(orderId)",
      }),
    );
    return "created";
  } catch (err) {
    if (isConditionalCheckFailed(err)) return "exists";
    throw err;
  }
}
