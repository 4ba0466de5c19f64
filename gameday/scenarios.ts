/**
 * The seven game-day scenarios of issue 14. Each one injects a regional fault into a running world and
 * drives the real recovery code; play() counts every acknowledged order afterwards.
 */
import { alarmEvent, evaluate, type AlarmState } from "./alarm";
import { CONVERGENCE_SCRIPTS, convergenceSchedule } from "./convergence-scenarios";
import { invokeFailover, type RunnerOptions } from "./failover-runner";
import {
  bookedSince,
  drain,
  play,
  sleep,
  type Ctx,
  type ScenarioResult,
  type Script,
  type Timing,
} from "./play";
import { ConvergeSchedule } from "./schedule";
import { reconcile } from "./seams";
import type { World } from "./world";

/** The alarms a scenario raises, as the program names them (failover-wiring.ts). */
type Which = "primary health" | "primary canary" | "secondary health" | "probe";
function alarmName(ctx: Ctx, which: Which): string {
  const { alarms } = ctx.world.wiring.failover;
  const { primary, secondary } = ctx.world;
  const name = {
    "primary health": alarms.health[primary],
    "primary canary": alarms.canary[primary],
    "secondary health": alarms.health[secondary],
    probe: alarms.probe,
  }[which];
  if (!name) throw new Error(`the program has no ${which} alarm`);
  return name;
}
const PRIMARY_ALARM: Which = "primary health";
const CANARY_ALARM: Which = "primary canary";
const PROBE_ALARM: Which = "probe";

async function orchestrate(
  ctx: Ctx,
  region: string,
  event: unknown,
  opts: RunnerOptions = {},
): Promise<void> {
  const out = await invokeFailover(ctx.world, region, event, opts);
  if (out.invoked) ctx.results.push(out.result);
  else ctx.notInvoked.push(out.reason);
}

/** The primary's database fails after replicating everything; Route 53 sends clients to the secondary. */
async function primaryDatabaseFails(ctx: Ctx): Promise<void> {
  await ctx.world.aurora.failWriter();
  ctx.apiRegion = ctx.world.secondary; // the primary's /health probes its database path
}

async function waitCaughtUp(ctx: Ctx, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && (await ctx.world.aurora.replicationLagBytes()) > 0) await sleep(50);
}

/** Waits (bounded) until a Region's order queue (or DLQ) is empty: forwarded, booked or moved on. */
async function waitEmpty(
  world: World,
  region: string,
  timeoutMs: number,
  which: "queue" | "dlq" = "queue",
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && world.part(region)[which].size > 0) await sleep(100);
}

/** Which consumer each Region's queue has, e.g. "us-east-1 processor on, forwarder off; ...". */
function consumers(world: World): string {
  const onOff = (on: boolean) => (on ? "on" : "off");
  return world.regions
    .map((r) => {
      const p = world.part(r);
      return `${r} processor ${onOff(p.mapping.enabled)}, forwarder ${onOff(p.forwarding.enabled)}`;
    })
    .join("; ");
}

/**
 * Scenario 6's health data, one datapoint per period: healthy, missing (canary restart), one bad minute,
 * then two bad minutes of three around a missing one, then healthy. How the alarm takes it is the
 * program's setting (its trigger alarm's periods, datapoints and missing-data treatment).
 */
export const FLAPPING_SERIES: readonly (number | undefined)[] = [
  1,
  undefined,
  1,
  0,
  1,
  1,
  0,
  undefined,
  0,
  1,
  1,
  1,
];

/** The SNS event of `which` alarm changing to `state`, from the topic the program makes it notify. */
function alarmOf(
  ctx: Ctx,
  which: Which,
  state: AlarmState = "ALARM",
  reason = "Threshold Crossed: 1 datapoint [0.0] was less than the threshold (1.0).",
): object {
  const name = alarmName(ctx, which);
  return alarmEvent(name, ctx.world.wiring.failover.alarms.topic[name], state, reason);
}
const alarm = (ctx: Ctx, which: Which) => alarmOf(ctx, which);

/**
 * The primary's alarm run by the secondary's orchestrator with the reconcile function wired as production
 * deploys it: after a data-losing promotion it reconciles before processing starts
 * (lib/failover/failover-orchestrator.ts); what it re-booked and said go into the run's result and notes.
 */
async function failOverReconciling(ctx: Ctx): Promise<void> {
  await orchestrate(ctx, ctx.world.secondary, alarm(ctx, PRIMARY_ALARM), { reconcile: true });
  const step = ctx.results.at(-1)?.steps?.find((x) => x.step === "reconcile");
  ctx.recoveredByReconcile = Number(step?.data?.rebookedIntoLedger ?? 0);
  ctx.notes.push(`orchestrator's reconcile: ${step?.detail ?? "not run"}`);
}

export const SCRIPTS: Record<string, Script> = {
  "1-switchover": {
    id: "1-switchover",
    title: "Planned switchover under a steady order stream",
    fault: (ctx) =>
      orchestrate(ctx, ctx.world.secondary, {
        mode: "switchover",
        reason: "game day: regional rotation",
        requestedBy: "gameday",
      }),
  },
  "2-failover-caught-up": {
    id: "2-failover-caught-up",
    title: "Unplanned failover with replication caught up",
    fault: async (ctx) => {
      await waitCaughtUp(ctx, 2_000);
      await primaryDatabaseFails(ctx);
      // The reconcile function wired as production deploys it (lib/failover/failover-orchestrator.ts).
      await orchestrate(ctx, ctx.world.secondary, alarm(ctx, PRIMARY_ALARM), { reconcile: true });
    },
  },
  "3-failover-rpo-window": {
    id: "3-failover-rpo-window",
    title: "Unplanned failover after replication was cut (RPO window), then reconcile",
    fault: async (ctx) => {
      const { world } = ctx;
      const cutAt = Date.now();
      world.aurora.setReplication(false);
      await sleep(ctx.timing.rpoWindowMs);
      // Make sure the window holds bookings (a loaded machine can be slow), and that DynamoDB carried them.
      const inWindow = await bookedSince(world, cutAt, 3, 4 * ctx.timing.rpoWindowMs);
      // The Region dies in stages: its processor first, then (after DynamoDB replicated what it booked,
      // typically within a second) everything else. That keeps the window's contents deterministic.
      await world.part(world.primary).mapping.stop();
      await world.table.settle(2_000);
      ctx.notes.push(
        `replication cut for ${Date.now() - cutAt} ms (${inWindow} orders booked in the window)`,
      );
      world.setRegionUp(world.primary, false);
      ctx.apiRegion = world.secondary;
      await failOverReconciling(ctx);
    },
    after: async (ctx) => {
      // The runbook's second pass (npm run reconcile) over the same window: what DynamoDB received late.
      const out = await reconcile(
        ctx.world,
        ctx.world.secondary,
        new Date(ctx.faultAt - ctx.timing.rpoWindowMs - 1_000),
      );
      if (out) ctx.notes.push(`reconcile re-booked ${out.rebooked}, rewrote ${out.rewritten}`);
      ctx.recoveredByReconcile += out?.rebooked ?? 0;
    },
  },
  "4-old-primary-returns": {
    id: "4-old-primary-returns",
    title: "Old primary returns after a failover: fenced, rebuilt, switched back",
    fault: async (ctx) => {
      const { world } = ctx;
      await waitCaughtUp(ctx, 2_000);
      await primaryDatabaseFails(ctx);
      await orchestrate(ctx, world.secondary, alarm(ctx, PRIMARY_ALARM));
      await sleep(ctx.timing.afterFaultMs / 4);
      // The old primary's server comes back: it must not take a single write.
      await world.aurora.restart(world.primary);
      ctx.oldWriterFenced = !(await world.aurora.acceptsWrites(world.aurora.member(world.primary)));
      // Runbook, failing back: rebuild it as a secondary, then the same orchestrator, deployed where
      // production deploys it (the secondary), aimed at the primary's Region (X4).
      await world.aurora.rebuildSecondary(world.primary);
      await waitCaughtUp(ctx, 5_000);
      await orchestrate(ctx, world.secondary, {
        mode: "switchover",
        targetRegion: world.primary,
        reason: "game day: fail back",
        requestedBy: "gameday",
      });
      ctx.notes.push(`after failback: ${consumers(world)}`);
      ctx.apiRegion = world.primary;
    },
  },
  "5-two-triggers": {
    id: "5-two-triggers",
    title: "Two failover triggers at once (two alarms)",
    fault: async (ctx) => {
      await waitCaughtUp(ctx, 2_000);
      await primaryDatabaseFails(ctx);
      // Both with the reconcile function wired as production deploys it.
      await Promise.all([
        orchestrate(ctx, ctx.world.secondary, alarm(ctx, PRIMARY_ALARM), { reconcile: true }),
        orchestrate(ctx, ctx.world.secondary, alarm(ctx, CANARY_ALARM), { reconcile: true }),
      ]);
    },
  },
  "6-flapping-health": {
    id: "6-flapping-health",
    title: "Flapping and missing health data: no failover",
    fault: async (ctx) => {
      const series = FLAPPING_SERIES;
      // CloudWatch's evaluation of the program's trigger alarm (its periods, datapoints, missing data).
      const changes = evaluate(series, ctx.world.wiring.failover.triggerSettings);
      ctx.notes.push(`health alarm state changes: ${changes.join(" -> ") || "none"}`);
      for (const state of changes) {
        await orchestrate(
          ctx,
          ctx.world.secondary,
          alarmOf(ctx, PRIMARY_ALARM, state, "game day health series"),
        );
      }
    },
  },
  "8-partition-false-signal": {
    id: "8-partition-false-signal",
    title: "Partition seen only from the secondary, with false alarms: no failover",
    fault: async (ctx) => {
      const { world } = ctx;
      // The secondary cannot reach the primary's endpoints; the primary is up and keeps booking, and
      // Route 53's checkers elsewhere still see it. Its probe alarm and a health alarm both fire.
      const cutOffFrom = [world.primary];
      await orchestrate(ctx, world.secondary, alarm(ctx, PROBE_ALARM), { cutOffFrom });
      await orchestrate(ctx, world.secondary, alarm(ctx, PRIMARY_ALARM), { cutOffFrom });
      ctx.notes.push(...ctx.results.map((r) => `${r.result}: ${r.message}`));
    },
  },
  "12-notify-decided-late": {
    id: "12-notify-decided-late",
    title: "Notify mode: the primary's database fails, a person fails over ~500 s later",
    fault: async (ctx) => {
      const { world } = ctx;
      // The standing convergence schedule runs all along, as deployed (X1/X6).
      convergenceSchedule.start(ctx, world.secondary);
      await waitCaughtUp(ctx, 2_000);
      await primaryDatabaseFails(ctx);
      // alarmFailoverAction=notify (the default): the alarm only reports.
      await orchestrate(ctx, world.secondary, alarm(ctx, PRIMARY_ALARM), { alarmAction: "notify" });
      await sleep(500 * 1000 * world.backoffScale);
      await orchestrate(ctx, world.secondary, {
        mode: "failover",
        dryRun: false,
        reason: "game day: decided by a person after the notification",
        requestedBy: "gameday",
      });
      ctx.notes.push(`a person failed over ${Date.now() - ctx.faultAt} ms after the fault`);
    },
    after: (ctx) => convergenceSchedule.settle(ctx),
  },
  "13-old-writer-unreachable": {
    id: "13-old-writer-unreachable",
    title: "Old writer alive but unreachable: failover, nothing booked on the old writer (X3)",
    fault: async (ctx) => {
      const { world } = ctx;
      await waitCaughtUp(ctx, 2_000);
      // The primary's Region is cut off from everything outside it, and alive inside: its processor,
      // queue, pooled connections and cached DNS still reach the old writer, which Aurora cannot fence.
      await world.setIsolated(world.primary, true);
      // Route 53's checkers lose it too: the failover has its independent evidence (X2). Meanwhile
      // clients with a cached answer keep sending to the old Region, past the promotion.
      await orchestrate(ctx, world.secondary, alarm(ctx, PRIMARY_ALARM), { cutOffFrom: [world.primary] });
      await sleep(ctx.timing.afterFaultMs / 5);
      ctx.apiRegion = world.secondary;
    },
    after: async (ctx) => {
      // The partition heals: Aurora reaches the old writer and fences it; the scheduled converge runs
      // (X1) swap the old Region's consumers and redrive what it refused to book, once the refused
      // orders' backoff (up to 480 s, scaled) has let them reach its forwarder or its DLQ.
      const { world } = ctx;
      await world.setIsolated(world.primary, false);
      await orchestrate(ctx, world.secondary, { action: "converge" });
      await waitEmpty(world, world.primary, 10_000);
      await orchestrate(ctx, world.secondary, { action: "converge" });
      await waitEmpty(world, world.primary, 10_000, "dlq"); // the redrive is a message move task: async
      await drain(world, ctx.timing.drainMs);
      ctx.notes.push(`after healing: ${consumers(world)}`);
      // What the old writer booked between the cut and the lease's move (the RPO window) is in DynamoDB.
      const out = await reconcile(world, world.secondary, new Date(ctx.faultAt - 1_000));
      ctx.recoveredByReconcile = out?.rebooked ?? 0;
    },
  },
  "7-standby-region-fails": {
    id: "7-standby-region-fails",
    title: "The standby Region fails: no failover, alarms only",
    fault: async (ctx) => {
      const { world } = ctx;
      world.setRegionUp(world.secondary, false);
      // The standby's own health alarm fires; the failover function lives in that Region.
      await orchestrate(ctx, world.secondary, alarmOf(ctx, "secondary health", "ALARM", "standby down"));
    },
  },
};

/**
 * X6, scaled like the orchestrator's budget: the function's least budget (1 s) stands for production's
 * 270 s, so the 5-minute convergence schedule ticks about every second and a 2.5 s promotion stands for
 * one of about eleven minutes, longer than any single run can wait.
 */
export const SLOW = { budgetMs: 1_000, promotionMs: 2_500, convergeEveryMs: 1_000 } as const;
const slowSchedules = new WeakMap<Ctx, ConvergeSchedule>();

/** Waits (bounded) until no queue or DLQ of a Region that is up holds anything. */
async function settledEverywhere(world: World, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  const busy = () =>
    world.regions.some((r) => world.isUp(r) && world.part(r).queue.size + world.part(r).dlq.size > 0);
  while (Date.now() < until && busy()) await sleep(100);
}

SCRIPTS["9-promotion-over-budget"] = {
  id: "9-promotion-over-budget",
  title: "A promotion that outlasts the orchestrator's budget, finished by the scheduled convergence",
  fault: async (ctx) => {
    const { world } = ctx;
    const schedule = new ConvergeSchedule(world, world.secondary, SLOW.convergeEveryMs);
    slowSchedules.set(ctx, schedule);
    schedule.start(); // always running in production; it finds nothing to do until the fault
    await waitCaughtUp(ctx, 2_000);
    world.aurora.promotionMs = SLOW.promotionMs;
    await primaryDatabaseFails(ctx);
    // The run times out while Aurora still promotes; the alarm stays in ALARM and re-invokes nothing.
    await orchestrate(ctx, world.secondary, alarm(ctx, PRIMARY_ALARM), { timeBudgetMs: SLOW.budgetMs });
  },
  after: async (ctx) => {
    const { world } = ctx;
    const schedule = slowSchedules.get(ctx);
    if (!schedule) throw new Error("the convergence schedule never started");
    // No person: only the schedule's runs follow the writer and redrive the DLQs.
    const until = Date.now() + 4 * SLOW.promotionMs;
    while (!schedule.convergedTo(world.secondary) && Date.now() < until) await sleep(100);
    await settledEverywhere(world, 10_000);
    await schedule.stop();
    const converged = schedule.convergedTo(world.secondary);
    if (converged) ctx.results.push(converged);
    ctx.notes.push(`convergence schedule: ${schedule.summary()}`, `after convergence: ${consumers(world)}`);
  },
};

/** X5: the two versions of one order, across the RPO window. */
export const CONFLICT_VERSIONS = { a: { quantity: "111" }, b: { quantity: "222" } } as const;
const conflictIds = new WeakMap<Ctx, string>();

async function inReplica(world: World, region: string, orderId: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await world.table.item(region, orderId)) return true;
    if (Date.now() >= until) return false;
    await sleep(50);
  }
}

SCRIPTS["10-conflict-rpo-window"] = {
  id: "10-conflict-rpo-window",
  title: "Conflicting versions of one order across the RPO window: the later one refused and parked",
  fault: async (ctx) => {
    const { world } = ctx;
    const orderId = `gd-conflict-${Date.now()}`;
    conflictIds.set(ctx, orderId);
    world.aurora.setReplication(false);
    // Version A: booked by the old writer after replication was cut, kept by DynamoDB's replication only.
    ctx.stream.send(orderId, CONFLICT_VERSIONS.a);
    const replicated = await inReplica(world, world.secondary, orderId, 5_000);
    ctx.notes.push(`version A in the standby's DynamoDB replica: ${replicated ? "yes" : "NO"}`);
    await sleep(ctx.timing.rpoWindowMs);
    await world.part(world.primary).mapping.stop();
    await world.table.settle(2_000);
    world.setRegionUp(world.primary, false);
    ctx.apiRegion = world.secondary;
    await failOverReconciling(ctx);
    // Version B: accepted after the failover, by the new writer's Region.
    ctx.notes.push(`version B acknowledged by ${ctx.stream.send(orderId, CONFLICT_VERSIONS.b) ?? "nobody"}`);
  },
  after: async (ctx) => {
    const { world } = ctx;
    const orderId = conflictIds.get(ctx) ?? "(never sent)";
    const writer = world.aurora.writer();
    const rows = await writer.server.sql<{ quantity: string; content_hash: string }>(
      "SELECT quantity::text AS quantity, content_hash FROM orders WHERE order_id = $1",
      undefined,
      [orderId],
    );
    const item = await world.table.item(writer.region, orderId);
    const version = (q: string | undefined) =>
      q === CONFLICT_VERSIONS.a.quantity ? "A" : q === CONFLICT_VERSIONS.b.quantity ? "B" : "none";
    ctx.notes.push(
      `ledger holds version ${rows.map((r) => version(r.quantity)).join(",") || "none"}`,
      `DynamoDB holds version ${version(item?.quantity?.S)}`,
      `stores agree on the content hash: ${rows[0]?.content_hash === item?.contentHash?.S ? "yes" : "NO"}`,
    );
    for (const m of world.part(writer.region).rejects.peek())
      ctx.notes.push(
        `parked ${(JSON.parse(m.body) as { orderId: string }).orderId}: ${m.attributes?.rejectReason?.StringValue ?? ""}`,
      );
  },
};

// X1 (issue 22): partitions and late decisions, in their own module.
Object.assign(SCRIPTS, CONVERGENCE_SCRIPTS);

export const SCENARIO_IDS = Object.keys(SCRIPTS);

export function runScenario(world: World, id: string, timing: Timing): Promise<ScenarioResult> {
  const script = SCRIPTS[id];
  if (!script) throw new Error(`unknown scenario "${id}" (known: ${SCENARIO_IDS.join(", ")})`);
  return play(world, timing, script);
}
