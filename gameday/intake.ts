/**
 * What API Gateway adds to each order it queues: the authorizer's entitlement and principal, and the
 * time it accepted the order, as SQS message attributes (lib/orders/order-api-templates.ts). The game day's clients are each entitled to the
 * account they trade, so the processor's entitlement check (S1) passes for every order the stream sends;
 * a message without these attributes would be refused as not sent through the authorized API.
 */
import type { SQSMessageAttributes } from "aws-lambda";
import {
  ACCEPTED_AT_ATTRIBUTE,
  ENTITLEMENT_ATTRIBUTE,
  PRINCIPAL_ATTRIBUTE,
} from "../lambda/order-authorizer/contract";

const text = (stringValue: string) => ({
  stringValue,
  dataType: "String",
  stringListValues: [],
  binaryListValues: [],
});

/** The attributes the order API would set for `body`, whose principal may trade its own account. */
export function intakeAttributes(body: string, acceptedAt: number): SQSMessageAttributes {
  let account = "";
  try {
    account = String((JSON.parse(body) as { account?: unknown }).account ?? "");
  } catch {
    // A malformed body carries no account; the processor rejects it on its own grounds.
  }
  return {
    [ENTITLEMENT_ATTRIBUTE]: text(account || "(none)"),
    [PRINCIPAL_ATTRIBUTE]: text(`gameday-client-${account || "unknown"}`),
    [ACCEPTED_AT_ATTRIBUTE]: text(String(acceptedAt)),
  };
}
