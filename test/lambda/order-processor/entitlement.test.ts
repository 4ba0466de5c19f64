/**
 * S1: the processor refuses an order for an account the sending principal may not trade, against the
 * real stores (PostgreSQL and dynalite): nothing is booked, the message fails towards the DLQ with its
 * reason, and OrdersNotEntitled counts it.
 */
import type { SQSRecord } from "aws-lambda";
import { ENTITLEMENT_ATTRIBUTE, PRINCIPAL_ATTRIBUTE } from "../../../lambda/order-authorizer/contract";
import type { Database } from "../../../lambda/order-processor/db";
import { createEntitlementCheck, NOT_ENTITLED_METRIC } from "../../../lambda/order-processor/entitlement";
import type { TestDynamo } from "../../../tooling/stores/dynamodb";
import {
  event,
  failedIds,
  ledgerRows,
  order,
  processor,
  record,
  recordingLogger,
  startStores,
  stateItem,
  stopStores,
  uid,
  type Stores,
} from "./helpers";

let stores: Stores;
let db: Database;
let dynamo: TestDynamo;

beforeAll(async () => {
  stores = await startStores();
  ({ db, dynamo } = stores);
});
afterAll(() => stopStores(stores));

/** A message as API Gateway's SQS integration sends it for an authorized principal. */
function sent(body: Record<string, unknown>, accounts?: string, principal = "trader-7"): SQSRecord {
  const r = record(body);
  const attr = (stringValue: string) => ({
    stringValue,
    dataType: "String",
    stringListValues: [],
    binaryListValues: [],
  });
  r.messageAttributes =
    accounts === undefined
      ? {}
      : { [ENTITLEMENT_ATTRIBUTE]: attr(accounts), [PRINCIPAL_ATTRIBUTE]: attr(principal) };
  return r;
}

function harness() {
  const { logger, entries } = recordingLogger();
  const counted: Record<string, number> = {};
  const checkEntitlement = createEntitlementCheck({
    logger,
    metrics: { count: (name, value) => void (counted[name] = (counted[name] ?? 0) + value) },
  });
  const h = processor(db, dynamo.doc, stores.table, { checkEntitlement, logger });
  return { ...h, entries, counted };
}

describe("entitlement (S1)", () => {
  it("S1: an order for a foreign account is refused, not booked, reasoned and counted", async () => {
    const { handler, entries, counted, metrics } = harness();
    const own = order({ account: `own-${uid()}` });
    const foreign = order({ account: `foreign-${uid()}` });
    const ownMsg = sent(own, `other,${own.account as string}`);
    const foreignMsg = sent(foreign, `${own.account as string}`);

    expect(await failedIds(handler, event(ownMsg, foreignMsg))).toEqual([foreignMsg.messageId]);

    const rows = await ledgerRows(db, [own.orderId as string, foreign.orderId as string]);
    expect(rows.map((r) => r.order_id)).toEqual([own.orderId]);
    expect(await stateItem(dynamo.doc, stores.table, foreign.orderId as string)).toBeUndefined();
    expect(counted).toEqual({ [NOT_ENTITLED_METRIC]: 1 });
    expect(metrics).toMatchObject({ OrdersRejected: 1, OrdersProcessed: 1 });
    const refusal = entries.find((e) => e.message.startsWith("order rejected: principal not entitled"));
    expect(refusal?.extra).toMatchObject({
      orderId: foreign.orderId,
      account: foreign.account,
      principal: "trader-7",
      reason: `not entitled: trader-7 may not trade account ${foreign.account as string}`,
    });
  });

  it("S1: a message without the entitlement attribute (sent around the API) is refused", async () => {
    const { handler, counted } = harness();
    const o = order();
    const msg = sent(o);
    expect(await failedIds(handler, event(msg))).toEqual([msg.messageId]);
    expect(await ledgerRows(db, [o.orderId as string])).toEqual([]);
    expect(counted[NOT_ENTITLED_METRIC]).toBe(1);
  });

  it("S1: a prefix of an entitled account is not the account", async () => {
    const { handler } = harness();
    const o = order({ account: "acct_12" });
    const msg = sent(o, "acct_1,acct_123");
    expect(await failedIds(handler, event(msg))).toEqual([msg.messageId]);
  });
});
