/**
 * The end-to-end order check's safety rails and its honesty about replication delay: opt-in, refuses
 * production, documented test account prefix, auth seam; a delay range from ticks that read both regions
 * at once, never clamped; a timeout that says where the order is.
 */
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { explainMissingOrder } from "../integration/checks/order-diagnosis";
import { ClientPool } from "../integration/support/clients";
import {
  E2E_ACCOUNT_PREFIX,
  e2eAccount,
  e2eDecision,
  e2eHeaders,
  isE2eAccount,
  ProductionStackError,
  refuseProduction,
} from "../integration/support/e2e";
import {
  replicationDelayRange,
  watchBothRegions,
  type Tick,
} from "../integration/support/replication-window";
import { fakeOutputs } from "./fixtures";

describe("end-to-end order check: safety", () => {
  it("O2: is opt-in; without TAP_E2E_ORDERS=1 it skips and says why", () => {
    expect(e2eDecision({})).toEqual({
      run: false,
      reason: expect.stringMatching(/opt in with TAP_E2E_ORDERS=1/),
    });
    expect(e2eDecision({ TAP_E2E_ORDERS: "true" }).run).toBe(false);
    expect(e2eDecision({ TAP_E2E_ORDERS: "1" })).toEqual({ run: true });
  });

  it("O2: refuses a stack whose outputs say production: true", () => {
    expect(() => refuseProduction({ production: true })).toThrow(ProductionStackError);
    expect(() => refuseProduction({ production: false })).not.toThrow();
  });

  it("O2: test accounts carry the documented prefix and fit the order schema's account rule", () => {
    const account = e2eAccount("0f1e2d3c-4b5a-6978-8899-aabbccddeeff");
    expect(account).toBe(`${E2E_ACCOUNT_PREFIX}0f1e2d3c4b5a`);
    expect(account).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(isE2eAccount(account)).toBe(true);
    expect(isE2eAccount("acct-123")).toBe(false);
  });

  it("O2: a token in TAP_E2E_TOKEN is sent as a bearer token (seam for POST /orders auth)", () => {
    expect(e2eHeaders({})).toEqual({});
    expect(e2eHeaders({ TAP_E2E_TOKEN: "abc" })).toEqual({ authorization: "Bearer abc" });
  });
});

describe("end-to-end order check: replication delay", () => {
  const tick = (startedAt: number, endedAt: number, primary: boolean, secondary: boolean): Tick => ({
    startedAt,
    endedAt,
    primary,
    secondary,
  });

  it("O2: reports the range the polls support, bounded by the last miss and the first sighting in each region", () => {
    const ticks = [
      tick(1000, 1040, false, false),
      tick(1500, 1550, true, false),
      tick(2000, 2060, true, true),
    ];
    // primary write in (1000, 1550]; secondary in (1500, 2060]  =>  delay in (1500-1550, 2060-1000]
    expect(replicationDelayRange(ticks, 900)).toEqual({ minMs: -50, maxMs: 1060 });
  });

  it("O2: never clamps: both seen in the same first tick gives a negative lower bound from notBefore", () => {
    expect(replicationDelayRange([tick(1000, 1030, true, true)], 800)).toEqual({ minMs: -230, maxMs: 230 });
  });

  it("reads both regions in the same tick and stops once each has been seen", async () => {
    let t = 0;
    const calls: string[] = [];
    const seq = (name: string, answers: boolean[]) => async () => {
      calls.push(`${name}@${t}`);
      return answers.shift() ?? true;
    };
    const watch = await watchBothRegions(seq("p", [false, true]), seq("s", [false, false, true]), {
      intervalMs: 100,
      timeoutMs: 10_000,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    expect(watch.complete).toBe(true);
    expect(calls).toEqual(["p@0", "s@0", "p@100", "s@100", "p@200", "s@200"]);
  });

  it("gives up at the timeout and says so", async () => {
    let t = 0;
    const watch = await watchBothRegions(
      async () => false,
      async () => false,
      {
        intervalMs: 100,
        timeoutMs: 350,
        now: () => t,
        sleep: async (ms) => {
          t += ms;
        },
      },
    );
    expect(watch).toMatchObject({ complete: false });
    expect(watch.ticks.map((t) => t.startedAt)).toEqual([0, 100, 200, 300]);
  });
});

describe("end-to-end order check: why it timed out", () => {
  const o = fakeOutputs();
  let pool: ClientPool;
  beforeEach(() => {
    pool = new ClientPool();
  });
  afterEach(() => pool.destroy());

  it("O2: never written in the primary: reports the order queue and DLQ depths", async () => {
    mockClient(pool.sqs(o.primaryRegion))
      .on(GetQueueAttributesCommand, { QueueUrl: o.primaryQueueUrl })
      .resolves({
        Attributes: {
          ApproximateNumberOfMessages: "0",
          ApproximateNumberOfMessagesNotVisible: "1",
          ApproximateNumberOfMessagesDelayed: "0",
        },
      })
      .on(GetQueueAttributesCommand, { QueueUrl: o.primaryDlqUrl })
      .resolves({
        Attributes: {
          ApproximateNumberOfMessages: "3",
          ApproximateNumberOfMessagesNotVisible: "0",
          ApproximateNumberOfMessagesDelayed: "0",
        },
      });
    const ticks = [{ startedAt: 0, endedAt: 1, primary: false, secondary: false }];
    const why = await explainMissingOrder(pool, o, "it-1", { ticks, complete: false }, 90_000);
    expect(why).toMatch(/never reached tap-dev-orders in us-east-1 within 90000 ms \(1 polls\)/);
    expect(why).toMatch(/order queue holds 0 waiting, 1 in flight, 0 delayed; its DLQ holds 3 waiting/);
  });

  it("O2: written in the primary but not replicated: points at ReplicationLatency, no queue lookup", async () => {
    const ticks = [{ startedAt: 0, endedAt: 1, primary: true, secondary: false }];
    const why = await explainMissingOrder(pool, o, "it-1", { ticks, complete: false }, 90_000);
    expect(why).toMatch(
      /reached tap-dev-orders in us-east-1 but not the replica in us-west-2.*ReplicationLatency/,
    );
  });
});
