/**
 * B4 end to end: POST one order to the primary API, then watch it land in the DynamoDB replica in the
 * secondary region (reporting the observed delay) and, when the VPC is reachable, in the Aurora ledger.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { awsCall, awsClientConfig } from "./support/aws";
import { dbTls, parseDbSecret, pgClientConfig } from "./support/db";
import { HttpCheckError, httpRequest, snippet } from "./support/http";
import { dbCheckDecision, regionOfArn, type StackOutputs } from "./support/outputs";
import { pollUntil, withDeadline } from "./support/poll";
import { describeLive } from "./support/suite";

const E2E_TIMEOUT_MS = 120_000;
const POLL_INTERVAL_MS = 500;
const POLL_TIMEOUT_MS = 90_000;

interface PlacedOrder {
  readonly orderId: string;
  readonly status: number;
  /** Local clock when the API answered. */
  readonly acceptedAt: number;
}

async function placeOrder(o: StackOutputs): Promise<PlacedOrder> {
  const orderId = `it-${randomUUID()}`;
  const url = `${o.primaryApiEndpoint.replace(/\/+$/, "")}/orders`;
  const res = await httpRequest(url, {
    method: "POST",
    timeoutMs: 10_000,
    json: {
      orderId,
      account: "it-account",
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
  return { orderId, status: res.status, acceptedAt: Date.now() };
}

describeLive("order flow", (outputs) => {
  let placed: Promise<PlacedOrder> | undefined;
  // Whichever test runs first places the order; the others reuse it (and its failure, if any).
  const order = () => (placed ??= placeOrder(outputs()));

  const ddbClients: DynamoDBClient[] = [];
  afterAll(() => ddbClients.forEach((c) => c.destroy()));

  it("POST /orders on the primary API accepts a valid order (200 or 202)", async () => {
    expect([200, 202]).toContain((await order()).status);
  }, 30_000);

  it(
    "the order reaches the DynamoDB replica in the secondary region (reports the observed delay)",
    async () => {
      const o = outputs();
      const placedOrder = await order();
      const probe = (region: string, consistentRead: boolean) => {
        const base = new DynamoDBClient(awsClientConfig(region));
        ddbClients.push(base);
        const doc = DynamoDBDocumentClient.from(base);
        return () =>
          awsCall(`DynamoDB GetItem ${o.dynamoTableName} ${placedOrder.orderId} (${region})`, (abortSignal) =>
            doc.send(
              new GetCommand({
                TableName: o.dynamoTableName,
                Key: { orderId: placedOrder.orderId },
                ConsistentRead: consistentRead,
              }),
              { abortSignal },
            ),
          ).then((out) => (out.Item ? { at: Date.now(), orderId: out.Item.orderId as unknown } : undefined));
      };
      const stop = new AbortController();
      const options = (where: string) => ({
        what: `order ${placedOrder.orderId} in ${where}`,
        intervalMs: POLL_INTERVAL_MS,
        timeoutMs: POLL_TIMEOUT_MS,
        signal: stop.signal,
      });
      // The primary is polled too, so the pipeline (API → SQS → processor) and the cross-region copy can be
      // told apart; the secondary read is eventually consistent, as a reader there would see it.
      const [primary, secondary] = await Promise.all([
        pollUntil(probe(o.primaryRegion, true), options(`${o.primaryRegion} (primary table)`)),
        pollUntil(probe(o.secondaryRegion, false), options(`${o.secondaryRegion} (secondary replica)`)),
      ]).finally(() => stop.abort());

      const report = {
        orderId: placedOrder.orderId,
        acceptedToPrimaryMs: primary.value.at - placedOrder.acceptedAt,
        acceptedToSecondaryMs: secondary.value.at - placedOrder.acceptedAt,
        // Resolution is the poll interval; 0 means both polls saw it in the same round.
        primaryToSecondaryMs: Math.max(0, secondary.value.at - primary.value.at),
        pollIntervalMs: POLL_INTERVAL_MS,
      };
      console.info(
        `B4 DynamoDB replication (${o.primaryRegion} → ${o.secondaryRegion}): ${JSON.stringify(report)}`,
      );
      expect(secondary.value.orderId).toBe(placedOrder.orderId);
    },
    E2E_TIMEOUT_MS,
  );

  const db = dbCheckDecision();
  const ledgerTitle = "the order is in the primary Aurora ledger (orders.order_id)";
  (db.run ? it : it.skip)(
    db.run ? ledgerTitle : `${ledgerTitle} — ${db.reason}`,
    async () => {
      const o = outputs();
      const placedOrder = await order();
      const region = regionOfArn(o.dbSecretArn);
      const sm = new SecretsManagerClient(awsClientConfig(region));
      let secretString: string | undefined;
      try {
        const out = await awsCall(`SecretsManager GetSecretValue ${o.dbSecretArn}`, (abortSignal) =>
          sm.send(new GetSecretValueCommand({ SecretId: o.dbSecretArn }), { abortSignal }),
        );
        secretString = out.SecretString;
      } finally {
        sm.destroy();
      }
      const secret = parseDbSecret(secretString);
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
              [placedOrder.orderId],
            );
            return r.rows[0];
          },
          {
            what: `order ${placedOrder.orderId} in orders`,
            intervalMs: POLL_INTERVAL_MS,
            timeoutMs: POLL_TIMEOUT_MS,
          },
        );
        const seenAfterMs = Date.now() - placedOrder.acceptedAt;
        console.info(
          `B4 Aurora ledger: order ${placedOrder.orderId} visible ${seenAfterMs} ms after acceptance`,
        );
        expect(seen.value.order_id).toBe(placedOrder.orderId);
      } finally {
        await withDeadline(3_000, "close the Aurora connection", () => pg.end()).catch(() => undefined);
      }
    },
    E2E_TIMEOUT_MS,
  );
});
