/**
 * A steady stream of valid orders from clients, sent to the API Region that Route 53 currently answers
 * with (`route()`); a refused send is retried once in the other Region, as a client whose DNS answer
 * changed would. An order counts as acknowledged when a Region's API accepted it (SQS SendMessage
 * succeeded): that is the promise the platform makes to its users.
 */
import { randomBytes } from "node:crypto";
import type { World } from "./world";

export interface Acknowledged {
  readonly region: string;
  readonly at: number;
}

export class OrderStream {
  readonly acknowledged = new Map<string, Acknowledged>();
  refused = 0;
  private timer?: NodeJS.Timeout;
  private seq = 0;
  private readonly prefix = randomBytes(3).toString("hex");

  constructor(
    private readonly world: World,
    private readonly route: () => string,
  ) {}

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
    const orderId = `gd-${this.prefix}-${++this.seq}`;
    const body = JSON.stringify({
      orderId,
      account: `acct-${this.seq % 7}`,
      symbol: "AMZN",
      side: this.seq % 2 ? "BUY" : "SELL",
      quantity: String(1 + (this.seq % 100)),
      orderType: "LIMIT",
      limitPrice: (100 + (this.seq % 50) / 4).toFixed(2),
      clientTimestamp: new Date().toISOString(),
    });
    const first = this.route();
    const other = this.world.regions.find((r) => r !== first) ?? first;
    for (const region of [first, other]) {
      try {
        this.world.sendOrder(region, body);
        this.acknowledged.set(orderId, { region, at: Date.now() });
        return;
      } catch {
        this.refused += 1;
      }
    }
  }
}
