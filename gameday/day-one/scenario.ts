/**
 * Scenario "day one" as `npm run gameday -- --scenario day-one` runs it: the day-one world built from a
 * program run of each stack, 30 simulated minutes with no fault, then the promises of a healthy deploy
 * (D2, D3): every Route 53 check answered 200, every canary run passed, no alarm in ALARM, the failover
 * function never reached; an order without credentials refused with API Gateway's status and nothing
 * queued, one with a client's credentials accepted and queued.
 */
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { DayOneWorld, type DayOneReport, type Signer } from "./world";

export const DAY_ONE_ID = "day-one";
export const DAY_ONE_MINUTES = 30;

/**
 * An IAM client of an AWS_IAM POST /orders (the program leaves client identities to you). Its resource
 * is the account's APIs: @cloud-copilot/iam-simulate 0.1.173 did not match a `*` standing for the API id
 * followed by "/v1/POST/orders", which AWS does.
 */
export const DAY_ONE_CLIENT: Signer = {
  accessKeyId: "AKIADAYONECLIENT",
  arn: "arn:aws:iam::123456789012:role/order-client",
  policies: [
    {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:*:123456789012:*" },
      ],
    },
  ],
};

/** A SigV4 Authorization header of `s` (the day-one API checks the key's identity, not the signature). */
export const signedBy = (s: Signer) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=${s.accessKeyId}/20261207/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00`,
});

export interface DayOneOutcome {
  readonly stack: string;
  readonly checks: number;
  readonly unhealthyAnswers: number;
  readonly canaryRuns: number;
  readonly failedCanaryRuns: number;
  readonly alarmsRaised: readonly string[];
  readonly failoverDeliveries: number;
  /** Alarm notifications SNS refused (topic or key policy). */
  readonly undeliveredNotifications: number;
  /** Status of an order without credentials, and whether anything was queued for it. */
  readonly anonymous: { readonly status: number; readonly queued: boolean };
  /** Status of an order with a client's credentials, and whether it was queued. */
  readonly client: { readonly status: number; readonly queued: boolean };
}

const ORDER = {
  account: "ACC-1",
  symbol: "AAPL",
  side: "BUY",
  quantity: "10",
  orderType: "MARKET",
  clientTimestamp: "2026-12-07T00:00:00Z",
};

/** Builds the day-one world of `resources` (a program run of `stack`), runs it, and reports. */
export async function runDayOne(
  stack: string,
  resources: readonly RecordedResource[],
): Promise<DayOneOutcome> {
  const world = await DayOneWorld.build(resources, [DAY_ONE_CLIENT]);
  try {
    const report = await world.run(DAY_ONE_MINUTES);
    const jwt = world.model.apis.some((a) => Object.keys(a.authorizers).length > 0);
    const credentials = jwt
      ? { authorization: `Bearer ${await world.token("day-one-client", [ORDER.account])}` }
      : signedBy(DAY_ONE_CLIENT);
    return {
      stack,
      ...detection(report),
      anonymous: await placeOrder(world, "day-one-anonymous", {}),
      client: await placeOrder(world, "day-one-client", credentials),
    };
  } finally {
    await world.stop();
  }
}

function detection(report: DayOneReport) {
  return {
    checks: report.health.length,
    unhealthyAnswers: report.health.filter((h) => h.status !== 200).length,
    canaryRuns: report.canaryRuns.length,
    failedCanaryRuns: report.canaryRuns.filter((r) => !r.passed).length,
    alarmsRaised: [...new Set(report.alarmChanges.filter((c) => c.to === "ALARM").map((c) => c.alarm))],
    failoverDeliveries: report.delivered.filter((d) => d.bundle === "failover").length,
    undeliveredNotifications: report.undelivered.length,
  };
}

/** POST /v1/orders to the first API with `headers`: its status, and whether a message was queued. */
async function placeOrder(world: DayOneWorld, orderId: string, headers: Record<string, string>) {
  const before = world.queued.length;
  const api = world.model.apis[0];
  const body = JSON.stringify({ orderId, ...ORDER });
  const r = await world.request(api.host, { method: "POST", path: `/${api.stage}/orders`, headers, body });
  return { status: r.status, queued: world.queued.length > before };
}

/** What broke a healthy day one, one line each; empty when it held. */
export function dayOneProblems(o: DayOneOutcome): string[] {
  const p: string[] = [];
  if (o.checks === 0) p.push("no Route 53 check ran");
  if (o.unhealthyAnswers) p.push(`${o.unhealthyAnswers} of ${o.checks} health answers were not 200`);
  if (o.canaryRuns === 0) p.push("no canary ran");
  if (o.failedCanaryRuns) p.push(`${o.failedCanaryRuns} of ${o.canaryRuns} canary runs failed`);
  if (o.alarmsRaised.length) p.push(`alarms raised: ${o.alarmsRaised.join(", ")}`);
  if (o.failoverDeliveries) p.push(`the failover function was reached ${o.failoverDeliveries} time(s)`);
  if (o.undeliveredNotifications)
    p.push(`${o.undeliveredNotifications} alarm notification(s) refused by a topic or key policy`);
  if (![401, 403].includes(o.anonymous.status) || o.anonymous.queued)
    p.push(
      `an order without credentials got ${o.anonymous.status}${o.anonymous.queued ? " and was queued" : ""}`,
    );
  if (o.client.status !== 202 || !o.client.queued)
    p.push(`a client's order got ${o.client.status}${o.client.queued ? "" : " and was not queued"}`);
  return p;
}

export function dayOneLine(o: DayOneOutcome): string {
  return [
    `day-one ${o.stack.padEnd(4)}`,
    `health ${o.checks - o.unhealthyAnswers}/${o.checks} 200`,
    `canary ${o.canaryRuns - o.failedCanaryRuns}/${o.canaryRuns} passed`,
    `alarms ${o.alarmsRaised.length ? o.alarmsRaised.join(",") : "none"}`,
    `failover reached ${o.failoverDeliveries}`,
    `no credentials ${o.anonymous.status}`,
    `client ${o.client.status}`,
  ].join(" | ");
}
