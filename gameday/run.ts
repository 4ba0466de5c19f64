/**
 * Runs scenarios, each in a fresh world, a few at a time (they mostly wait, so two worlds share two
 * cores well), with one initialised PostgreSQL template for all of them (kept between runs).
 */
import { PgTemplate } from "./postgres-server";
import { type ScenarioResult, type Timing } from "./play";
import { realismFor } from "./realism";
import { runScenario } from "./scenarios";
import { World } from "./world";

export interface RunOptions {
  readonly timing: Timing;
  /** Worlds alive at once. */
  readonly concurrency?: number;
  readonly onResult?: (r: ScenarioResult, run: number) => void;
}

/** Runs every (run, scenario) pair; results in the order of `jobs`. */
export async function runAll(
  jobs: readonly { readonly id: string; readonly run: number }[],
  opts: RunOptions,
): Promise<ScenarioResult[]> {
  const template = await PgTemplate.cached();
  const results: ScenarioResult[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) {
      const { promotionMs, mappingTransitionMs } = realismFor(opts.timing);
      const world = await World.start({ template, promotionMs, mappingTransitionMs });
      try {
        results[i] = await runScenario(world, jobs[i].id, opts.timing);
        opts.onResult?.(results[i], jobs[i].run);
      } finally {
        await world.stop();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
  return results;
}
