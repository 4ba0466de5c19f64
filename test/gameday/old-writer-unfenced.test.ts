/**
 * Game day, scenario 13 (X3) without the writer lease: the code before X3. Its own file so that Jest runs
 * it beside the scenario with the lease (old-writer.test.ts): both wait on simulated time, not the CPU.
 */
import { CI_TIMING } from "../../gameday/play";
import { PgTemplate } from "../../gameday/postgres-server";
import { runScenario } from "../../gameday/scenarios";
import { orderPathWiring } from "../../gameday/wiring";
import { World } from "../../gameday/world";
import { runProgram } from "../program";

const ID = "13-old-writer-unreachable";

describe("game day: the old writer alive but unreachable, without the lease", () => {
  // The same scenario without the lease (the code before X3): the fake is no kinder than AWS, so the
  // old writer books after the promotion. This is what the lease prevents.
  it("X3: without the writer lease the same partition books orders on the old writer after the promotion", async () => {
    const world = await World.start({
      template: await PgTemplate.cached(),
      writerLeaseMs: false,
      wiring: orderPathWiring((await runProgram()).resources),
    });
    try {
      const r = await runScenario(world, ID, CI_TIMING);
      expect(r.promotions).toBe(1);
      expect(r.bookedOnOldWriter).toBeGreaterThan(0);
    } finally {
      await world.stop();
    }
  }, 60_000);
});
