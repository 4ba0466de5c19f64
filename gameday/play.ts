/**
 * The shape every scenario shares: a steady order stream, a fault at a known time, the recovery the
 * scenario drives, a drain, then counting. Scenarios differ only in the fault and what follows it.
 */
import type { FailoverResult } from "../lambda/failover/orchestrator";
import { countOrders, firstBookedAfter, type Counts } from "./count";
import { OrderStream } from "./order-stream";
import { realismFor } from "./realism";
import type { World } from "./world";

export interface Timing {
  /** Orders per second sent by the clients. */
  readonly ratePerSecond: number;
  /** Steady state before the fault. */
  readonly beforeFaultMs: number;
  /** Load after the fault (the recovery runs inside this window). */
  readonly afterFaultMs: number;
  /** Longest wait for queues to empty after the load stops. */
  readonly drainMs: number;
  /** How long replication stays cut before the Region fails (scenario 3). */
  readonly rpoWindowMs: number;
}

export const CI_TIMING: Timing = {
  ratePerSecond: 20,
  beforeFaultMs: 600,
  afterFaultMs: 1_500,
  drainMs: 4_000,
  rpoWindowMs: 800,
};

export const CLI_TIMING: Timing = {
  ratePerSecond: 40,
  beforeFaultMs: 2_000,
  afterFaultMs: 5_000,
  drainMs: 10_000,
  rpoWindowMs: 3_000,
};

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly counts: Counts;
  /** Fault to first order booked in the new writer Region, ms (undefined: no new writer, or none booked). */
  readonly recoveryMs?: number;
  /** Whether the old writer refuses writes (undefined when the writer never moved). */
  readonly oldWriterFenced?: boolean;
  /** Promotions the control plane started. */
  readonly promotions: number;
  /** X3: orders an old writer booked after the promotion that demoted it (split brain; must be 0). */
  readonly bookedOnOldWriter: number;
  readonly writerRegion: string;
  /** Result codes of every orchestrator run, in order ("not-invoked" when its Region was down). */
  readonly failoverResults: string[];
  readonly recoveredByReconcile: number;
  readonly durationMs: number;
  readonly notes: string[];
}

export interface Ctx {
  readonly world: World;
  readonly timing: Timing;
  readonly stream: OrderStream;
  /** The Region Route 53 sends clients to. */
  apiRegion: string;
  faultAt: number;
  readonly results: FailoverResult[];
  readonly notInvoked: string[];
  readonly notes: string[];
  recoveredByReconcile: number;
  oldWriterFenced?: boolean;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Waits (bounded) until every Region that is up and polling has an empty queue. */
export async function drain(world: World, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const busy = world.regions.some((r) => {
      const p = world.part(r);
      return world.isUp(r) && (p.mapping.enabled || p.forwarding.enabled) && p.queue.size > 0;
    });
    if (!busy) break;
    await sleep(100);
  }
  await world.table.settle(Math.max(0, until - Date.now()) + 1_000);
}

/** Waits (bounded) until the writer has booked `n` orders received at or after `since` (epoch ms). */
export async function bookedSince(
  world: World,
  since: number,
  n: number,
  timeoutMs: number,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await world.aurora
      .writer()
      .server.sql<{ n: string }>(
        "SELECT count(*)::text AS n FROM orders WHERE received_at >= to_timestamp($1 / 1000.0) AND order_id LIKE 'gd-%' AND order_id NOT LIKE 'gd-warmup-%'",
        undefined,
        [since],
      );
    if (Number(row.n) >= n || Date.now() >= until) return Number(row.n);
    await sleep(50);
  }
}

export interface Script {
  readonly id: string;
  readonly title: string;
  /** Injects the fault and drives the recovery; runs while orders keep coming. */
  readonly fault: (ctx: Ctx) => Promise<void>;
  /** After the drain: reconcile, a returning Region, checks. */
  readonly after?: (ctx: Ctx) => Promise<void>;
}

export async function play(world: World, timing: Timing, script: Script): Promise<ScenarioResult> {
  const started = Date.now();
  const ctx: Ctx = {
    world,
    timing,
    stream: undefined as unknown as OrderStream,
    apiRegion: world.primary,
    faultAt: 0,
    results: [],
    notInvoked: [],
    notes: [],
    recoveredByReconcile: 0,
  };
  const stream = new OrderStream(world, () => ctx.apiRegion, realismFor(timing).clientMoveMs);
  (ctx as { stream: OrderStream }).stream = stream;
  const writerBefore = world.aurora.writer();
  const promotionsBefore = world.aurora.promotions;
  stream.start(timing.ratePerSecond);
  try {
    await sleep(timing.beforeFaultMs);
    await bookedSince(world, 0, 3, 10_000); // steady state: the writer's Region is booking the stream
    ctx.faultAt = Date.now();
    await script.fault(ctx);
    await sleep(ctx.faultAt + timing.afterFaultMs - Date.now());
  } finally {
    stream.stop();
  }
  await drain(world, timing.drainMs);
  await script.after?.(ctx);
  const writer = world.aurora.writer();
  const moved = writer.region !== writerBefore.region || world.aurora.promotedAt.length > 0;
  const newRegion = world.aurora.promotedAt[0]?.region;
  return {
    id: script.id,
    title: script.title,
    counts: await countOrders(world, stream),
    recoveryMs: newRegion ? await firstBookedAfter(world, newRegion, ctx.faultAt) : undefined,
    oldWriterFenced:
      ctx.oldWriterFenced ?? (moved ? !(await world.aurora.acceptsWrites(writerBefore)) : undefined),
    promotions: world.aurora.promotions - promotionsBefore,
    bookedOnOldWriter: await world.aurora.bookedOnOldWriter(),
    writerRegion: writer.region,
    failoverResults: [...ctx.results.map((r) => r.result), ...ctx.notInvoked.map(() => "not-invoked")],
    recoveredByReconcile: ctx.recoveredByReconcile,
    durationMs: Date.now() - started,
    notes: ctx.notes,
  };
}
