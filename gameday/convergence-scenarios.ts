/**
 * X1's game-day scenarios (issue 22): faults that are partial or decided late, after which every
 * acknowledged order must be booked without a person.
 */
import { CONVERGE_EVENT } from "../lambda/failover/events";
import { backoffSeconds } from "../lambda/order-forwarder/requeue";
import { MAX_RECEIVE_COUNT } from "../lambda/shared/order-queue-contract";
import { CONVERGENCE_DEFAULTS } from "../lib/config/convergence";
import { invokeFailover } from "./failover-runner";
import { sleep, type Ctx, type Script } from "./play";
import type { World } from "./world";

/** How long the forwarder keeps retrying in place before its last receive: the backoff of receives 1..4. */
export function forwarderBudgetMs(world: World): number {
  let seconds = 0;
  for (let receive = 1; receive < MAX_RECEIVE_COUNT; receive++) seconds += backoffSeconds(receive);
  return seconds * 1000 * world.backoffScale;
}

/** Waits (bounded) until `region`'s order queue is empty, delayed messages included. */
async function queueEmptied(world: World, region: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (world.part(region).queue.size > 0 && Date.now() < until) await sleep(100);
  return world.part(region).queue.size === 0;
}

/**
 * The orchestrator's scheduled convergence run (lib/failover: an EventBridge rule every convergeMinutes,
 * {"action":"converge"}), at the world's time scale, for as long as a scenario lasts.
 */
export const convergenceSchedule = {
  runs: new WeakMap<Ctx, { stop: () => Promise<void>; ticks: number }>(),

  /**
   * Runs the schedule in `region` (where the orchestrator is deployed). Its runs are background: one
   * that fails joins the scenario's orchestrator results (and fails the verdict); the rest are counted.
   */
  start(ctx: Ctx, region: string): void {
    const invoke = async (event: typeof CONVERGE_EVENT) => {
      const out = await invokeFailover(ctx.world, region, event);
      if (out.invoked && !out.result.ok) ctx.results.push(out.result);
    };
    const periodMs = CONVERGENCE_DEFAULTS.convergeMinutes * 60_000 * ctx.world.backoffScale;
    let timer: NodeJS.Timeout | undefined;
    let inFlight: Promise<void> = Promise.resolve();
    const state = {
      ticks: 0,
      stop: async () => {
        clearTimeout(timer);
        timer = undefined;
        await inFlight; // never leave a run going into a world that is stopping
      },
    };
    const tick = () => {
      state.ticks += 1;
      inFlight = invoke(CONVERGE_EVENT).finally(() => {
        if (timer) timer = setTimeout(tick, periodMs);
      });
    };
    timer = setTimeout(tick, periodMs);
    this.runs.set(ctx, state);
  },

  /** Lets the schedule run until every queue and DLQ of a Region that is up is empty (bounded), then stops it. */
  async settle(ctx: Ctx): Promise<void> {
    const { world } = ctx;
    const until = Date.now() + 2 * CONVERGENCE_DEFAULTS.convergeMinutes * 60_000 * world.backoffScale;
    const busy = () =>
      world.regions.some((r) => world.isUp(r) && world.part(r).queue.size + world.part(r).dlq.size > 0);
    while (busy() && Date.now() < until) await sleep(100);
    const state = this.runs.get(ctx);
    await state?.stop();
    ctx.notes.push(`convergence schedule: ${state?.ticks ?? 0} run(s); queues ${busy() ? "NOT " : ""}empty`);
    await world.table.settle(2_000);
  },
};

export const CONVERGENCE_SCRIPTS: Record<string, Script> = {
  "11-partition-heals": {
    id: "11-partition-heals",
    title: "Partition between the Regions, both up, no false signal: it heals, nothing stranded",
    fault: async (ctx: Ctx) => {
      const { world } = ctx;
      // Clients near the secondary send there (latency routing); its forwarder cannot reach the writer's
      // queue for longer than its whole in-place backoff, then the network heals. Nothing is alarmed.
      const cutMs = Math.round(forwarderBudgetMs(world) * 1.25);
      world.setLinkCut(true);
      ctx.apiRegion = world.secondary;
      await sleep(cutMs);
      world.setLinkCut(false);
      ctx.notes.push(
        `link cut for ${cutMs} ms, longer than the forwarder's ${forwarderBudgetMs(world)} ms of backoff before its last receive`,
      );
    },
    after: async (ctx: Ctx) => {
      // Orders put back on their last receive come back after one more backoff step (at most 900 s,
      // scaled), then are forwarded.
      const waitMs = 2 * 900 * 1000 * ctx.world.backoffScale;
      const emptied = await queueEmptied(ctx.world, ctx.world.secondary, waitMs);
      ctx.notes.push(`the secondary's queue ${emptied ? "emptied" : "still held orders"} after the heal`);
      await ctx.world.table.settle(2_000);
    },
  },
};
