/**
 * The scenarios' world is built from the program's order path (gameday/wiring.ts), not typed in: the
 * values are the program's, and a change in lib/ that breaks run-time wiring either stops the world as
 * AWS would refuse it or changes what the world runs. One deliberate break per kind of value.
 */
import type { SQSEvent } from "aws-lambda";
import { EventSourceMapping } from "../../gameday/event-source-mapping";
import { Queue } from "../../gameday/sqs";
import { orderPathWiring, siteIn, type OrderPathWiring } from "../../gameday/wiring";
import { World } from "../../gameday/world";
import { ORDER_PROCESSOR_ENV } from "../../lambda/order-processor/env";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { PRODUCTION_CONFIG, runProgram } from "../program";
import { broken } from "./day-one-support";

const QUEUE = "aws:sqs/queue:Queue";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const FUNCTION = "aws:lambda/function:Function";
const primary = (suffix: string) => (r: RecordedResource) => r.name.endsWith(`-primary-service-${suffix}`);
const of = (type: string, suffix: string) => (r: RecordedResource) => r.type === type && primary(suffix)(r);
const env = (r: RecordedResource) =>
  (r.inputs.environment as { variables: Record<string, string> }).variables;

describe.each([
  ["dev", {}],
  ["prod", PRODUCTION_CONFIG],
])("the game day's order path is the program's (%s)", (stack, config) => {
  let resources: RecordedResource[];
  let wiring: OrderPathWiring;
  beforeAll(async () => {
    resources = (await runProgram(config, stack)).resources;
    wiring = orderPathWiring(resources);
  });

  it("D3: each Region's queue, redrive, mappings and functions carry the program's values", () => {
    expect(wiring.sites.map((s) => s.region)).toEqual(["us-east-1", "us-west-2"]);
    for (const s of wiring.sites) {
      expect(s.queue.name).toMatch(new RegExp(`^tap-${stack}-(primary|secondary)-service-orders-`));
      expect([s.queue.visibilityTimeoutSeconds, s.maxReceiveCount]).toEqual([1800, 5]);
      expect([
        s.processor.batchSize,
        s.processor.timeoutSeconds,
        s.processor.reportsBatchItemFailures,
      ]).toEqual([10, 300, true]);
      expect([s.forwarder.batchSize, s.forwarder.timeoutSeconds]).toEqual([10, 30]);
      expect(s.processor.env[ORDER_PROCESSOR_ENV.tableName]).toMatch(
        new RegExp(`^tap-${stack}-orders-table`),
      );
    }
    // The writer's Region processes, the other forwards (tap:processingRegion, M2).
    expect(wiring.sites.map((s) => [s.processor.enabled, s.forwarder.enabled])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(wiring.databaseName).toBe("orders");
  });

  it("D3 break: a queue whose visibility timeout is below its function's timeout is refused, as Lambda refuses the mapping", () => {
    const r = broken(resources, of(QUEUE, "orders"), (q) => void (q.inputs.visibilityTimeoutSeconds = 120));
    expect(() => orderPathWiring(r)).toThrow(/visibility timeout 120 s is less than function timeout 300 s/);
  });

  it("D3 break: a batch size Lambda does not accept is refused", () => {
    const r = broken(resources, of(MAPPING, "processor-sqs"), (m) => void (m.inputs.batchSize = 20_000));
    expect(() => orderPathWiring(r)).toThrow(/batch size 20000 is not an integer from 1 to 10000/);
  });

  it("D3 break: a processor naming another database than the global cluster creates is refused", () => {
    const r = broken(resources, of(FUNCTION, "processor-fn"), (f) => {
      env(f)[ORDER_PROCESSOR_ENV.dbName] = "ledger";
    });
    expect(() => orderPathWiring(r)).toThrow(/database "ledger" is not the global cluster's "orders"/);
  });

  it("D3 break: a forwarder aimed at its own Region's queue is refused", () => {
    const own = siteIn(wiring, "us-east-1").queue.url;
    const r = broken(resources, of(FUNCTION, "forwarder-fn"), (f) => void (env(f).PEER_QUEUE_URL = own));
    expect(() => orderPathWiring(r)).toThrow(/PEER_QUEUE_URL .* is no other Region's order queue/);
  });

  it("D3 break: a queue with no processor mapping is refused", () => {
    const r = broken(resources, of(MAPPING, "processor-sqs"), () => "remove");
    expect(() => orderPathWiring(r)).toThrow(
      /no event source mapping invokes a function of lambda\/order-processor/,
    );
  });
});

describe("the world runs what the program declares (dev)", () => {
  let resources: RecordedResource[];
  beforeAll(async () => {
    resources = (await runProgram()).resources;
  });

  /** One pass of the world's mapping over 12 orders whose processor fails the first of each batch. */
  async function onePass(wiring: OrderPathWiring) {
    const q = new Queue("q", "us-east-1", 60_000);
    for (let i = 0; i < 12; i++) q.send(`order-${i}`);
    const batches: number[] = [];
    const m = new EventSourceMapping({
      region: "us-east-1",
      queue: q,
      wiring: siteIn(wiring, "us-east-1").processor,
      invoke: async (e: SQSEvent) => {
        batches.push(e.Records.length);
        return { result: { batchItemFailures: [{ itemIdentifier: e.Records[0].messageId }] } };
      },
      regionUp: () => true,
      pollIntervalMs: 10,
      enabled: true,
    });
    await m.pollOnce();
    return { batches, left: q.size };
  }

  it("D3: the mapping receives the program's batch size and keeps the failures it reports", async () => {
    expect(await onePass(orderPathWiring(resources))).toEqual({ batches: [10], left: 3 });
  });

  it("D3 break: a batch size changed in the program changes what the world's mapping receives", async () => {
    const r = broken(resources, of(MAPPING, "processor-sqs"), (m) => void (m.inputs.batchSize = 4));
    expect(await onePass(orderPathWiring(r))).toEqual({ batches: [4], left: 9 });
  });

  it("D3 break: without ReportBatchItemFailures the failures a processor reports are deleted (lost)", async () => {
    const r = broken(
      resources,
      of(MAPPING, "processor-sqs"),
      (m) => void delete m.inputs.functionResponseTypes,
    );
    expect(await onePass(orderPathWiring(r))).toEqual({ batches: [10], left: 2 });
  });

  it("D3 break: redrive budget and visibility changed in the program are the world's queue's", async () => {
    let r = broken(resources, of(QUEUE, "orders"), (q) => {
      q.inputs.visibilityTimeoutSeconds = 3600;
      q.inputs.redrivePolicy = String(q.inputs.redrivePolicy).replace(
        '"maxReceiveCount":5',
        '"maxReceiveCount":2',
      );
    });
    r = broken(r, of(MAPPING, "processor-sqs"), (m) => void (m.inputs.enabled = false));
    // The primary's processor mapping disabled in the program: the world's stays disabled too.
    const world = await World.start({ wiring: orderPathWiring(r) });
    try {
      const q = world.part("us-east-1").queue;
      expect(q.visibilityTimeoutMs).toBeCloseTo(1440, 6);
      expect(q.redrive?.maxReceiveCount).toBe(2);
      expect([world.part("us-east-1").mapping.enabled, world.part("us-west-2").mapping.enabled]).toEqual([
        false,
        false,
      ]);
    } finally {
      await world.stop();
    }
  }, 60_000);

  it("D3 break: an environment key renamed in the program stops the world before it books anything", async () => {
    const r = broken(resources, of(FUNCTION, "processor-fn"), (f) => {
      const vars = env(f);
      vars.TABLE = vars[ORDER_PROCESSOR_ENV.tableName];
      delete vars[ORDER_PROCESSOR_ENV.tableName];
    });
    await expect(World.start({ wiring: orderPathWiring(r) })).rejects.toThrow(
      new RegExp(`processor-fn: the program sets no ${ORDER_PROCESSOR_ENV.tableName} in its environment`),
    );
  }, 60_000);
});
