import { EventEmitter } from "node:events";
import { orderJsonSchema } from "../../../lambda/order-processor/order-schema";
import { OrderSchema } from "../../../lambda/order-processor/order-schema";

type Step = { name: string; request: any; validate: (res: any) => Promise<void>; rest: unknown[] };

function fakeResponse(statusCode: number, body: string) {
  const res = new EventEmitter() as EventEmitter & { statusCode: number };
  res.statusCode = statusCode;
  setImmediate(() => {
    res.emit("data", body);
    res.emit("end");
  });
  return res;
}

/** Loads the canary with a fake Synthetics library under the module name the runtime provides. */
function loadCanary(steps: Step[], moduleName = "@aws/synthetics-puppeteer") {
  jest.resetModules();
  for (const other of ["@aws/synthetics-puppeteer", "Synthetics"].filter((m) => m !== moduleName)) {
    jest.doMock(
      other,
      () => {
        throw new Error(`Cannot find module '${other}'`);
      },
      { virtual: true },
    );
  }
  jest.doMock(
    moduleName,
    () => ({
      executeHttpStep: async (
        name: string,
        request: any,
        validate: (res: any) => Promise<void>,
        ...rest: unknown[]
      ) => {
        steps.push({ name, request, validate, rest });
      },
    }),
    { virtual: true },
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../../../lambda/canary/health-canary.js");
}

describe("health canary script", () => {
  beforeEach(() => {
    process.env.ANONYMOUS_ORDER_STATUS = "403";
  });
  afterEach(() => {
    delete process.env.API_BASE_URL;
    delete process.env.ANONYMOUS_ORDER_STATUS;
  });

  it("D2: checks GET /health, then POSTs a synthetic order with no credentials to the region's API", async () => {
    const steps: Step[] = [];
    const canary = loadCanary(steps);
    process.env.API_BASE_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/v1";
    await canary.handler();
    expect(
      steps.map((s) => [s.name, s.request.method, s.request.hostname, s.request.path, s.request.port]),
    ).toEqual([
      ["health", "GET", "abc123.execute-api.us-east-1.amazonaws.com", "/v1/health", 443],
      ["anonymous-order-refused", "POST", "abc123.execute-api.us-east-1.amazonaws.com", "/v1/orders", 443],
    ]);
    const order = JSON.parse(steps[1].request.body);
    expect(order.synthetic).toBe(true);
    // No credentials of any kind: the canary has no identity to place orders with.
    expect(Object.keys(steps[1].request.headers).sort()).toEqual(["Content-Type", "User-Agent"]);
    // Runtimes from 11.0 reject most per-step overrides, so none are passed.
    expect(steps.map((s) => s.rest)).toEqual([[], []]);
  });

  it("R24: runtimes before 13.1 load the library under its legacy name", async () => {
    const steps: Step[] = [];
    const canary = loadCanary(steps, "Synthetics");
    process.env.API_BASE_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/v1";
    await canary.handler();
    expect(steps.map((s) => s.name)).toEqual(["health", "anonymous-order-refused"]);
  });

  it("R24: the smoke order passes the processor's schema and the API model's required fields", () => {
    const canary = loadCanary([]);
    const order = canary.syntheticOrder(new Date("2026-11-28T12:00:00Z"));
    expect(OrderSchema.safeParse(order).success).toBe(true);
    for (const field of orderJsonSchema.required) expect(order).toHaveProperty(field);
  });

  it("R24: a step fails on an unexpected status, with the body in the message", async () => {
    const steps: Step[] = [];
    const canary = loadCanary(steps);
    process.env.API_BASE_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/v1";
    await canary.handler();
    await expect(steps[0].validate(fakeResponse(503, '{"status":"degraded"}'))).rejects.toThrow(
      'expected HTTP 200, got 503: {"status":"degraded"}',
    );
    await expect(steps[0].validate(fakeResponse(200, "{}"))).resolves.toBeUndefined();
  });

  it("D2: the order step passes on the refusal status it was given and fails on anything else, an accepted order above all", async () => {
    const steps: Step[] = [];
    const canary = loadCanary(steps);
    process.env.API_BASE_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/v1";
    process.env.ANONYMOUS_ORDER_STATUS = "401";
    await canary.handler();
    await expect(steps[1].validate(fakeResponse(401, '{"message":"Unauthorized"}'))).resolves.toBeUndefined();
    await expect(steps[1].validate(fakeResponse(202, '{"status":"accepted"}'))).rejects.toThrow(
      'expected HTTP 401, got 202: {"status":"accepted"}',
    );
    await expect(steps[1].validate(fakeResponse(403, "{}"))).rejects.toThrow("expected HTTP 401, got 403");
  });

  it.each([undefined, "", "202", "abc", "500"])(
    "D2: ANONYMOUS_ORDER_STATUS %p is refused before any step runs",
    async (value) => {
      const steps: Step[] = [];
      const canary = loadCanary(steps);
      process.env.API_BASE_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/v1";
      if (value === undefined) delete process.env.ANONYMOUS_ORDER_STATUS;
      else process.env.ANONYMOUS_ORDER_STATUS = value;
      await expect(canary.handler()).rejects.toThrow(
        `ANONYMOUS_ORDER_STATUS must be a 4xx status, got ${JSON.stringify(value)}`,
      );
      expect(steps).toEqual([]);
    },
  );

  it("R24: a missing API_BASE_URL is a clear error", async () => {
    const canary = loadCanary([]);
    await expect(canary.handler()).rejects.toThrow("API_BASE_URL is not set");
  });
});
