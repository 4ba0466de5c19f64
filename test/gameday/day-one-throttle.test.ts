/**
 * API Gateway throttling in the day-one world, from the stage's method settings the program declares
 * (R18's API_THROTTLE): what exceeds the stage's token bucket is refused 429 with API Gateway's body
 * before authorization, and the bucket refills at the rate.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
import { programModel } from "../../gameday/day-one/model";
import { DayOneWorld } from "../../gameday/day-one/world";
import { API_THROTTLE } from "../../lib/config/api-limits";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { PRODUCTION_CONFIG, runProgram } from "../program";
import { broken, order } from "./day-one-support";

const SETTINGS = "aws:apigateway/methodSettings:MethodSettings";

it.each([
  ["dev", {}],
  ["prod", PRODUCTION_CONFIG],
])("D3: each API's stage throttle in the %s world is the program's", async (stack, config) => {
  const model = programModel((await runProgram(config, stack)).resources);
  expect(model.apis.map((a) => a.throttle)).toEqual([API_THROTTLE, API_THROTTLE]);
});

describe("D3: throttling as API Gateway answers it (dev)", () => {
  let resources: RecordedResource[];
  /** The stage throttling of the primary Region's API. */
  let primaryThrottling: (r: RecordedResource) => boolean;
  beforeAll(async () => {
    resources = (await runProgram()).resources;
    const api = programModel(resources).apis.find((a) => a.region === "us-east-1")!;
    primaryThrottling = (r) => r.type === SETTINGS && r.inputs.restApi === api.restApiId;
  });

  /** `n` anonymous orders at one instant to the primary API, and one more after `wait` minutes. */
  async function burst(r: readonly RecordedResource[], n: number, wait: number) {
    const world = await DayOneWorld.build(r);
    try {
      const api = world.model.apis.find((a) => a.region === "us-east-1")!;
      const post = () =>
        world.request(api.host, { method: "POST", path: "/v1/orders", headers: {}, body: order("t-1") });
      const now = await Promise.all(Array.from({ length: n }, post));
      await world.run(wait);
      return { now: now.map((x) => x.status), later: await post(), queued: world.queued.length };
    } finally {
      await world.stop();
    }
  }

  it("D3: the program's burst admits 50 requests at one instant (refused by IAM, not throttled)", async () => {
    const r = await burst(resources, 50, 0);
    expect(new Set(r.now)).toEqual(new Set([403]));
  }, 60_000);

  it("D3 break: a stage throttle of burst 3, rate 1 per second refuses the 4th request at one instant 429, and admits again after the refill", async () => {
    expect(resources.filter(primaryThrottling)).toHaveLength(1);
    const r0 = broken(resources, primaryThrottling, (m) => {
      m.inputs.settings = {
        ...(m.inputs.settings as object),
        throttlingBurstLimit: 3,
        throttlingRateLimit: 1,
      };
    });
    const r = await burst(r0, 5, 0.5);
    expect(r.now).toEqual([403, 403, 403, 429, 429]);
    expect(r.later).toEqual({ status: 403, body: '{"message":"Missing Authentication Token"}' });
    expect(r.queued).toBe(0);
  }, 60_000);

  it("D3 break: the 429 carries API Gateway's THROTTLED body", async () => {
    const r0 = broken(resources, primaryThrottling, (m) => {
      m.inputs.settings = {
        ...(m.inputs.settings as object),
        throttlingBurstLimit: 1,
        throttlingRateLimit: 1,
      };
    });
    const world = await DayOneWorld.build(r0);
    try {
      const api = world.model.apis.find((a) => a.region === "us-east-1")!;
      const req = { method: "POST", path: "/v1/orders", headers: {}, body: order("t-2") };
      await world.request(api.host, req);
      expect(await world.request(api.host, req)).toEqual({
        status: 429,
        body: '{"message":"Too Many Requests"}',
      });
    } finally {
      await world.stop();
    }
  }, 60_000);
});
