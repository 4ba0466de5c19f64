/**
 * The EventBridge schedule that invokes the failover function with {"action":"converge"} (X1/X6,
 * lib/failover/failover-orchestrator.ts, lambda/failover/converge.ts), run in the game day: one invocation
 * per tick in the function's Region, each run awaited before the next tick (a run is short), until stopped.
 * A Region that is down invokes nothing. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
 */
import { CONVERGE_EVENT } from "../lambda/failover/events";
import type { FailoverResult } from "../lambda/failover/orchestrator";
import { invokeFailover } from "./failover-runner";
import type { World } from "./world";

export class ConvergeSchedule {
  /** Every run's result, in order. */
  readonly runs: FailoverResult[] = [];
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly world: World,
    private readonly region: string,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** The first run that converged with the writer in `region` (undefined: none yet). */
  convergedTo(region: string): FailoverResult | undefined {
    return this.runs.find(
      (r) => r.result === "converged" && r.message.includes(`the writer is in ${region}`),
    );
  }

  /** "in-progress 3, converged 5": how the runs went, for a scenario's notes. */
  summary(): string {
    const n = new Map<string, number>();
    for (const r of this.runs) n.set(r.result, (n.get(r.result) ?? 0) + 1);
    return [...n].map(([k, v]) => `${k} ${v}`).join(", ") || "no runs";
  }

  private async tick(): Promise<void> {
    while (this.running) {
      await new Promise((r) => setTimeout(r, this.everyMs));
      if (!this.running) break;
      const out = await invokeFailover(this.world, this.region, CONVERGE_EVENT);
      if (out.invoked) this.runs.push(out.result);
    }
  }
}
