/**
 * B4 end to end: POST one TEST order to the primary API, watch it land in the DynamoDB table in the
 * primary region and its replica in the secondary region (both read in the same tick, so the delay is
 * reported as an honest range), and, when the VPC is reachable, in the Aurora ledger. Then delete it.
 * Safety (test/integration/support/e2e.ts): opt-in with TAP_E2E_ORDERS=1, refuses production stacks,
 * uses the documented test account prefix, and cleans up what it wrote.
 */
import { DeleteCommand, DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { explainMissingOrder } from "./checks/order-diagnosis";
import { awsCall } from "./support/aws";
import { ClientPool } from "./support/clients";
import { dbTls, parseDbSecret, pgClientConfig } from "./support/db";
import { E2E_ACCOUNT_PREFIX, e2eAccount, e2eDecision, e2eHeaders, refuseProduction } from "./support/e2e";
import { HttpCheckError, httpRequest, snippet } from "./support/http";
import { dbCheckDecision, regionOfArn, type StackOutputs } from "./support/outputs";
import { pollUntil, withDeadline } from "./support/poll";
import { replicationDelayRange, watchBothRegions } from "./support/replication-window";
import { describeLive } from "./support/suite";

const E2E_TIMEOUT_MS = 120_000;
const POLL_INTERVAL_MS = 500;
const POLL_TIMEOUT_MS = 90_000;

interface PlacedOrder {
  readonly orderId: string;
  readonly account: string;
  readonly status: number;
  /** Local clock just before the POST: no write of this order can precede it. */
  readonly sentAt: number;
}

async function placeOrder(o: StackOutputs): Promise<PlacedOrder> {
  refuseProduction(o);
  const orderId = `it-${randomUUID()}`;
  const account = e2eAccount();
  const url = `${o.primaryApiEndpoint.replace(/\/+$/, "")}/orders`;
  const sentAt = Date.now();
  const res = await httpRequest(url, {
    method: "POST",
    timeoutMs: 10_000,
    headers: e2eHeaders(),
    json: {
      orderId,
      account,
      symbol: "TEST",
      side: "BUY",
      quantity: "1",
      orderType: "MARKET",
      clientTimestamp: new Date().toISOString(),
    },
  });
  // Thrown here so the dependent tests fail at once with the API's answer, not after a 90 s poll.
  if (res.status !== 200 && res.status !== 202) {
    throw new HttpCheckError(
      `POST ${url} returned ${res.status}, expected 200 or 202; body: ${snippet(res.body)}`,
    );
  }
  return { orderId, account, status: res.status, sentAt };
}

describeLive("order flow", (outputs) => {
  const e2e = e2eDecision();
  const titled = (title: string) => (e2e.run ? title : `${title} — ${e2e.reason}`);
  const aws = new ClientPool();
  const doc = (region: string) => DynamoDBDocumentClient.from(aws.dynamodb(region));
  let placed: Promise<PlacedOrder> | undefined;
  // Whichever test runs first places the order; the others reuse it (and its failure, if any).
  const order = () => (placed ??= placeOrder(outputs()));

  afterAll(async () => {
    const p = await placed?.catch(() => undefined);
    if (p) await deleteTestItem(outputs(), p);
    aws.destroy();
  });

  async function deleteTestItem(o: StackOutputs, p: PlacedOrder): Promise<void> {
    // Deleted in the primary; the global table replicates the delete. Only a row with the test prefix.
    await awsCall(
      `DynamoDB DeleteItem ${o.dynamoTableName} ${p.orderId} (${o.primaryRegion})`,
      (abortSignal) =>
        doc(o.primaryRegion).send(
          new DeleteCommand({
            TableName: o.dynamoTableName,
            Key: { orderId: p.orderId },
            ConditionExpression: "begins_with(account, :prefix)",
            ExpressionAttributeValues: { ":prefix": E2E_ACCOUNT_PREFIX },
          }),
          { abortSignal },
        ),
    ).catch((err: Error) =>
      console.warn(`B4: test order ${p.orderId} not deleted from DynamoDB: ${err.message}`),
    );
    if (!dbCheckDecision().run) {
      console.warn(
        `B4: test order ${p.orderId} (account ${p.account}) stays in the Aurora ledger: this machine cannot reach the VPC. Rows with account prefix ${E2E_ACCOUNT_PREFIX} are test rows (docs/runbook.md).`,
      );
    }
  }

  (e2e.run ? it : it.skip)(
    titled("POST /orders on the primary API accepts a test order (200 or 202)"),
    async () => {
      expect([200, 202]).toContain((await order()).status);
    },
    30_000,
  );

  (e2e.run ? it : it.skip)(
    titled(
      "the order reaches the table in the primary and its replica in the secondary (delay reported as a range)",
    ),
    async () => {
      const o = outputs();
      const p = await order();
      const seen = (region: string, consistentRead: boolean) => () =>
        awsCall(`DynamoDB GetItem ${o.dynamoTableName} ${p.orderId} (${region})`, (abortSignal) =>
          doc(region).send(
            new GetCommand({
              TableName: o.dynamoTableName,
              Key: { orderId: p.orderId },
              ConsistentRead: consistentRead,
            }),
            { abortSignal },
          ),
        ).then((out) => out.Item?.orderId === p.orderId);
      // The secondary read is eventually consistent, as a reader there would see it.
      const watch = await watchBothRegions(seen(o.primaryRegion, true), seen(o.secondaryRegion, false), {
        intervalMs: POLL_INTERVAL_MS,
        timeoutMs: POLL_TIMEOUT_MS,
      });
      if (!watch.complete)
        throw new Error(await explainMissingOrder(aws, o, p.orderId, watch, POLL_TIMEOUT_MS));
      const range = replicationDelayRange(watch.ticks, p.sentAt);
      console.info(
        `B4 DynamoDB replication (${o.primaryRegion} → ${o.secondaryRegion}) of ${p.orderId}: between ${range?.minMs} ms (exclusive) and ${range?.maxMs} ms, from ${watch.ticks.length} polls every ${POLL_INTERVAL_MS} ms reading both regions at once; a negative lower bound means both were seen in the same poll`,
      );
      expect(range).toBeDefined();
    },
    E2E_TIMEOUT_MS,
  );

  const db = dbCheckDecision();
  const ledgerTitle = "the order is in the primary Aurora ledger (orders.order_id), then deleted";
  const runLedger = e2e.run && db.run;
  (runLedger ? it : it.skip)(
    runLedger ? ledgerTitle : `${ledgerTitle} — ${!e2e.run ? e2e.reason : !db.run ? db.reason : ""}`,
    async () => {
      const o = outputs();
      const p = await order();
      const region = regionOfArn(o.dbSecretArn);
      const out = await awsCall(`SecretsManager GetSecretValue ${o.dbSecretArn}`, (abortSignal) =>
        aws
          .secretsManager(region)
          .send(new GetSecretValueCommand({ SecretId: o.dbSecretArn }), { abortSignal }),
      );
      const secret = parseDbSecret(out.SecretString);
      const tls = dbTls();
      if (!tls.verified)
        console.warn("B4: TLS to Aurora is not verified; set TAP_RDS_CA_FILE to the RDS CA bundle");

      const pg = new Client(pgClientConfig(o.auroraPrimaryEndpoint, secret, tls));
      try {
        await withDeadline(10_000, `connect to ${o.auroraPrimaryEndpoint}:${secret.port}`, () =>
          pg.connect(),
        );
        const seen = await pollUntil(
          async () => {
            const r = await pg.query<{ order_id: string }>(
              "SELECT order_id FROM orders WHERE order_id = $1",
              [p.orderId],
            );
            return r.rows[0];
          },
          { what: `order ${p.orderId} in orders`, intervalMs: POLL_INTERVAL_MS, timeoutMs: POLL_TIMEOUT_MS },
        );
        console.info(
          `B4 Aurora ledger: order ${p.orderId} visible ${Date.now() - p.sentAt} ms after the POST`,
        );
        expect(seen.value.order_id).toBe(p.orderId);
      } finally {
        await withDeadline(5_000, `delete test order ${p.orderId} from orders`, () =>
          pg.query("DELETE FROM orders WHERE order_id = $1 AND account LIKE $2", [
            p.orderId,
            `${E2E_ACCOUNT_PREFIX}%`,
          ]),
        ).catch((err: Error) =>
          console.warn(`B4: test order ${p.orderId} not deleted from the ledger: ${err.message}`),
        );
        await withDeadline(3_000, "close the Aurora connection", () => pg.end()).catch(() => undefined);
      }
    },
    E2E_TIMEOUT_MS,
  );
});
