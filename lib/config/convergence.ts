/**
 * The standing-convergence part of the stack configuration (X1/X6), parsed by lib/config/index.ts's parseConfig
 * so that every problem lands in one ConfigError. Defaults are mirrored in Pulumi.yaml.
 */
import { requeuedMessageSeconds } from "../../lambda/order-forwarder/requeue";
import type { Readers } from "./readers";

export interface ConvergenceConfig {
  /** Minutes between the orchestrator's scheduled convergence runs (lambda/failover/converge.ts). */
  readonly convergeMinutes: number;
  /** An order still in a queue after this many minutes raises the oldest-message alarm. */
  readonly strandedOrderMinutes: number;
}

export const CONVERGENCE_DEFAULTS = {
  // Every 5 minutes: as often as the canaries run, so a stranded order waits at most one more tick once
  // its Region answers; each run that finds nothing to do is a few reads and no notification.
  convergeMinutes: 5,
  // Two convergence ticks: an order the next tick could heal does not page anyone; one that two ticks
  // left waiting does. Kept near the alarm's earlier fixed 5 minutes rather than made laxer.
  strandedOrderMinutes: 10,
} as const;

export function parseConvergenceConfig(r: Readers, problems: string[]): ConvergenceConfig {
  const d = CONVERGENCE_DEFAULTS;
  const convergeMinutes = r.int("convergeMinutes", d.convergeMinutes, 1, 60);
  const strandedOrderMinutes = r.int("strandedOrderMinutes", d.strandedOrderMinutes, 2, 1440);
  if (strandedOrderMinutes <= convergeMinutes) {
    problems.push(
      `strandedOrderMinutes: ${strandedOrderMinutes} must exceed convergeMinutes (${convergeMinutes}), or the alarm fires before the convergence run that heals it`,
    );
  }
  // A partition longer than the forwarder's backoff re-queues its orders as new messages, which restarts
  // the queue's oldest-message age: a threshold at or above one message's wait would never fire.
  const requeuedWait = requeuedMessageSeconds(1);
  if (strandedOrderMinutes * 60 >= requeuedWait) {
    problems.push(
      `strandedOrderMinutes: ${strandedOrderMinutes} must be below ${Math.floor(requeuedWait / 60)}, how long an order the forwarder re-queued waits as one message (lambda/order-forwarder/requeue.ts); the queue's oldest-message age restarts with every re-queue, so a higher threshold never fires in a long partition`,
    );
  }
  return { convergeMinutes, strandedOrderMinutes };
}

/**
 * EventBridge's rate expression: the unit is singular for 1 ("rate(1 minute)") and plural above, and
 * a rate cannot be a fraction of a minute.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
 */
export function rateExpression(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new Error(`a schedule rate is a whole number of minutes >= 1, got ${minutes}`);
  return `rate(${minutes} ${minutes === 1 ? "minute" : "minutes"})`;
}
