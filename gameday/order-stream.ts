/**
 * A steady stream of valid orders from clients, sent to the API Region that Route 53 currently answers
 * with (`route()`); a refused send is retried once in the other Region, as a client whose DNS answer
 * changed would. An order counts as acknowledged when a Region's API accepted it (SQS SendMessage
 * succeeded): that is the promise the platform makes to its users.
 *
 * Clients do not all move at once (gameday/realism.ts CLIENT_MOVE_SHARE): each of CLIENTS keeps its cached
 * answer for its own share of `moveSpreadMs` after Route 53's answer changed, and sends there while that
 * Region accepts.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-failover.html
 */
import { randomBytes } from "node:crypto";
import type { World } from "./world";

export interface Acknowledged {
  readonly region: string;
  readonly at: number;
}

/** Clients sending the stream, each with its own DNS cache. */
export const CLIENTS = 10;

interface Client {
  /** The Region its cached answer names. */
  region: string;
  /** How long after an answer changes this client's cache still holds the old one. */
  readonly staleMs: number;
}

export class OrderStream {
  readonly acknowledged = new Map<string, Acknowledged>();
  refused = 0;
  /** Orders sent to a Region other than Route 53's current answer (a client's stale cache). */
  sentOnStaleAnswer = 0;
  private timer?: NodeJS.Timeout;
  private seq = 0;
  private readonly prefix = randomBytes(3).toString("hex");
  private readonly clients: Client[];
  private answer: string;
  private answerSince = 0;

  /** `moveSpreadMs`: the last client follows a new answer this long after it changed (0: all at once). */
  constructor(
    private readonly world: World,
    private readonly route: () => string,
    moveSpreadMs = 0,
  ) {
    this.answer = route();
    // Spread evenly, the first client at once, the last after moveSpreadMs.
    this.clients = Array.from({ length: CLIENTS }, (_, k) => ({
      region: this.answer,
      staleMs: (moveSpreadMs * k) / (CLIENTS - 1),
    }));
  }

  /** The Region client `k` sends to now: its cached answer until that expires. */
  regionOf(k: number, now = Date.now()): string {
    const current = this.route();
    if (current !== this.answer) {
      this.answer = current;
      this.answerSince = now;
    }
    const c = this.clients[k % CLIENTS];
    if (c.region !== current && now - this.answerSince >= c.staleMs) c.region = current;
    return c.region;
  }

  /** Sends `perSecond` orders a second, in ticks of 50 ms, until stop(). */
  start(perSecond: number): void {
    const perTick = perSecond / 20;
    let owed = 0;
    this.timer = setInterval(() => {
      owed += perTick;
      for (; owed >= 1; owed -= 1) this.sendOne();
    }, 50);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sendOne(): void {
    this.send(`gd-${this.prefix}-${++this.seq}`);
  }

  /**
   * Sends one order as a client of the stream would; `overrides` change its fields (X5: another version of
   * an order already sent). Returns the Region that acknowledged it, or undefined when both refused.
   */
  send(orderId: string, overrides: Readonly<Record<string, string>> = {}): string | undefined {
    const body = JSON.stringify({
      orderId,
      account: `acct-${this.seq % 7}`,
      symbol: "AMZN",
      side: this.seq % 2 ? "BUY" : "SELL",
      quantity: String(1 + (this.seq % 100)),
      orderType: "LIMIT",
      limitPrice: (100 + (this.seq % 50) / 4).toFixed(2),
      clientTimestamp: new Date().toISOString(),
      ...overrides,
    });
    const first = this.regionOf(this.seq);
    if (first !== this.answer) this.sentOnStaleAnswer += 1;
    const other = this.world.regions.find((r) => r !== first) ?? first;
    for (const region of [first, other]) {
      try {
        this.world.sendOrder(region, body);
        this.acknowledged.set(orderId, { region, at: Date.now() });
        return region;
      } catch {
        this.refused += 1;
      }
    }
    return undefined;
  }
}
