/**
 * The scenarios' world (gameday/world.ts) is still hand-built: the few values it types in are held here to
 * what the program deploys, so a change in lib/ that the hand-built world would not follow fails a test.
 * (The day-one world, gameday/day-one/, reads everything from the program instead.)
 */
import { BATCH_SIZE } from "../../gameday/event-source-mapping";
import { MAX_RECEIVE_COUNT } from "../../gameday/world";
import { PRODUCTION_CONFIG, runProgram } from "../program";

describe.each([
  ["dev", {}],
  ["prod", PRODUCTION_CONFIG],
])("hand-built game-day world vs the program (%s)", (stack, config) => {
  it("D3: every order queue's redrive maxReceiveCount is the world's", async () => {
    const run = await runProgram(config, stack);
    const orders = run.of("aws:sqs/queue:Queue").filter((q) => q.inputs.redrivePolicy);
    expect(orders.length).toBe(2);
    for (const q of orders) {
      expect(JSON.parse(String(q.inputs.redrivePolicy)).maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
    }
  });

  it("D3: every SQS event source mapping's batch size is the world's", async () => {
    const run = await runProgram(config, stack);
    const mappings = run.of("aws:lambda/eventSourceMapping:EventSourceMapping");
    expect(mappings.length).toBe(4);
    expect(new Set(mappings.map((m) => m.inputs.batchSize))).toEqual(new Set([BATCH_SIZE]));
  });
});
