/**
 * S1: a principal may only trade the accounts it is entitled to. The authorizer reads them from the
 * token, API Gateway's SQS integration copies them into the message attribute ENTITLEMENT_ATTRIBUTE
 * (with the principal in PRINCIPAL_ATTRIBUTE), and this check refuses an order whose `account` is not
 * among them. A message without the attribute did not come through the authorized API (someone with
 * sqs:SendMessage wrote it directly) and is refused too. Refused orders are `rejected`: they reach the
 * DLQ through the queue's redrive policy with the reason logged, and `OrdersNotEntitled` counts them.
 */
import type { SQSRecord } from "aws-lambda";
import { ENTITLEMENT_ATTRIBUTE, PRINCIPAL_ATTRIBUTE } from "../order-authorizer/contract";
import type { Log } from "../shared/log";
import type { Order } from "./order-schema";

export const NOT_ENTITLED_METRIC = "OrdersNotEntitled";

export interface EntitlementDeps {
  readonly logger: Log;
  readonly metrics: { count(name: typeof NOT_ENTITLED_METRIC, value: number): void };
}

/** Returns why the order is refused, or undefined when its account is one the principal may trade. */
export type EntitlementCheck = (record: SQSRecord, order: Order) => string | undefined;

export function createEntitlementCheck(deps: EntitlementDeps): EntitlementCheck {
  return (record, order) => {
    const reason = refusal(record, order);
    if (reason === undefined) return undefined;
    deps.metrics.count(NOT_ENTITLED_METRIC, 1);
    deps.logger.error("order rejected: principal not entitled to the account", {
      messageId: record.messageId,
      orderId: order.orderId,
      account: order.account,
      principal: attribute(record, PRINCIPAL_ATTRIBUTE),
      reason,
    });
    return reason;
  };
}

function refusal(record: SQSRecord, order: Order): string | undefined {
  const raw = attribute(record, ENTITLEMENT_ATTRIBUTE);
  if (raw === undefined) {
    return `not entitled: message has no ${ENTITLEMENT_ATTRIBUTE} attribute (not sent through the authorized API)`;
  }
  const accounts = raw.split(",").map((a) => a.trim());
  if (accounts.includes(order.account)) return undefined;
  const principal = attribute(record, PRINCIPAL_ATTRIBUTE) ?? "unknown principal";
  return `not entitled: ${principal} may not trade account ${order.account}`;
}

function attribute(record: SQSRecord, name: string): string | undefined {
  const value = record.messageAttributes?.[name]?.stringValue?.trim();
  return value ? value : undefined;
}
