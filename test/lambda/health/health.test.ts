/**
 * GET /health: SDK calls mocked with aws-sdk-client-mock, the database check against real TCP listeners.
 */
import {
  DescribeTableCommand,
  DynamoDBClient,
  type DescribeTableCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { GetEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { spawn } from "node:child_process";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { createHealthHandler, type HealthBody, type HealthDeps } from "../../../lambda/health/checks";
import { freePort } from "../../../tooling/stores/postgres";

const sqsMock = mockClient(SQSClient);
const ddbMock = mockClient(DynamoDBClient);
const lambdaMock = mockClient(LambdaClient);
const MAPPING = "00000000-1111-2222-3333-444444444444";
const REGION = "us-west-2";
const QUEUE_URL = "https://sqs.us-west-2.amazonaws.com/123456789012/tap-orders-dev";
const TABLE = "tap-orders-dev";

let listener: Server;
let dbPort: number;

const active: DescribeTableCommandOutput = {
  Table: { TableName: TABLE, TableStatus: "ACTIVE" },
  $metadata: {},
};

/** A dependency that answers after `ms`. The mock doesn't see the abort signal, so the timer is unref'd. */
const slow =
  <T>(ms: number, value: T) =>
  () =>
    new Promise<T>((resolve) => setTimeout(() => resolve(value), ms).unref());

/**
 * A listener whose TCP handshake never completes: a child process listens with backlog 1 and then blocks
 * its event loop, so it never accept()s; once two connections fill the accept queue, the kernel drops
 * further SYNs and a connect hangs, which is what an overloaded or black-holed endpoint looks like.
 */
async function stalledListener(): Promise<{ port: number; close(): void }> {
  const child = spawn(process.execPath, [
    "-e",
    "require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function () {" +
      " process.stdout.write(this.address().port + '\\n'); const end = Date.now() + 15000; while (Date.now() < end); })",
  ]);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once("error", reject);
  });
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = connect(port, "127.0.0.1");
    fillers.push(s);
    await new Promise<void>((resolve, reject) => s.once("connect", () => resolve()).once("error", reject));
  }
  return {
    port,
    close() {
      fillers.forEach((s) => s.destroy());
      child.kill("SIGKILL");
    },
  };
}

function deps(overrides: Partial<HealthDeps> = {}): HealthDeps {
  return {
    region: REGION,
    sqs: new SQSClient({ region: REGION }),
    dynamodb: new DynamoDBClient({ region: REGION }),
    lambda: new LambdaClient({ region: REGION }),
    mappingUuid: MAPPING,
    queueUrl: QUEUE_URL,
    tableName: TABLE,
    dbHost: "127.0.0.1",
    dbPort,
    timeoutMs: 2000,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    ...overrides,
  };
}

async function check(
  d: HealthDeps,
): Promise<{ statusCode: number; body: HealthBody; raw: string; ms: number }> {
  const started = Date.now();
  const res = await createHealthHandler(d)();
  return {
    statusCode: res.statusCode,
    body: JSON.parse(res.body) as HealthBody,
    raw: res.body,
    ms: Date.now() - started,
  };
}

beforeAll(async () => {
  listener = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  dbPort = (listener.address() as AddressInfo).port;
});

afterAll(async () => {
  sqsMock.restore();
  ddbMock.restore();
  lambdaMock.restore();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

beforeEach(() => {
  sqsMock.reset();
  ddbMock.reset();
  lambdaMock.reset();
  lambdaMock.on(GetEventSourceMappingCommand).resolves({ UUID: MAPPING, State: "Enabled" });
  sqsMock
    .on(GetQueueAttributesCommand)
    .resolves({ Attributes: { QueueArn: "arn:aws:sqs:us-west-2:123456789012:q" } });
  ddbMock.on(DescribeTableCommand).resolves(active);
});

describe("health endpoint", () => {
  it("P5/F1: all dependencies up -> 200 ok with each check and the role", async () => {
    const { statusCode, body } = await check(deps());
    expect(statusCode).toBe(200);
    expect(body).toEqual({
      status: "ok",
      region: REGION,
      role: "writer",
      checks: {
        queue: { ok: true, ms: expect.any(Number) },
        table: { ok: true, ms: expect.any(Number), status: "ACTIVE" },
        database: { ok: true, ms: expect.any(Number) },
        role: { ok: true, ms: expect.any(Number), status: "Enabled" },
      },
    });
    expect(sqsMock.commandCalls(GetQueueAttributesCommand)[0].args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      AttributeNames: ["QueueArn"],
    });
    expect(ddbMock.commandCalls(DescribeTableCommand)[0].args[0].input).toEqual({ TableName: TABLE });
  });

  it("P5: the database endpoint refusing connections -> 503 naming the database check", async () => {
    const { statusCode, body } = await check(deps({ dbPort: await freePort() }));
    expect(statusCode).toBe(503);
    expect(body).toMatchObject({
      status: "unavailable",
      failed: ["database"],
      checks: { database: { ok: false, error: "ECONNREFUSED" } },
    });
  });

  it("P5: a table that is not ACTIVE -> 503; an UPDATING global table whose local replica is ACTIVE -> 200", async () => {
    ddbMock.on(DescribeTableCommand).resolves({ Table: { TableStatus: "CREATING" }, $metadata: {} });
    const creating = await check(deps());
    expect(creating.statusCode).toBe(503);
    expect(creating.body.checks.table).toMatchObject({ ok: false, error: "table-creating" });

    ddbMock.on(DescribeTableCommand).resolves({
      Table: {
        TableStatus: "UPDATING",
        Replicas: [
          { RegionName: "us-east-1", ReplicaStatus: "UPDATING" },
          { RegionName: REGION, ReplicaStatus: "ACTIVE" },
        ],
      },
      $metadata: {},
    });
    expect((await check(deps())).statusCode).toBe(200);
  });

  it("P5: an AWS error is reported by code only: no ARN, account id, URL or host in the body", async () => {
    const err = new Error(
      `User: arn:aws:sts::123456789012:assumed-role/health is not authorized to perform: sqs:GetQueueAttributes on ${QUEUE_URL}`,
    );
    err.name = "AccessDeniedException";
    sqsMock.on(GetQueueAttributesCommand).rejects(err);
    const { statusCode, body, raw } = await check(deps({ dbHost: "localhost", dbPort: await freePort() }));
    expect(statusCode).toBe(503);
    expect(body.checks.queue).toMatchObject({ ok: false, error: "AccessDeniedException" });
    for (const secretish of ["123456789012", "arn:", QUEUE_URL, TABLE, "localhost"])
      expect(raw).not.toContain(secretish);
  });

  it("P5: a slow dependency hits its own timeout and the answer still comes within the budget", async () => {
    sqsMock.on(GetQueueAttributesCommand).callsFake(slow(10_000, {}));
    const { statusCode, body, ms } = await check(deps({ timeoutMs: 300 }));
    expect(statusCode).toBe(503);
    expect(body.failed).toEqual(["queue"]);
    expect(body.checks.queue).toMatchObject({ ok: false, error: "timeout" });
    expect(body.checks.table.ok).toBe(true);
    expect(ms).toBeLessThan(1000);
  });

  it("P5: a database endpoint that never completes the TCP handshake hits the timeout", async () => {
    const stalled = await stalledListener();
    try {
      const { statusCode, body, ms } = await check(deps({ dbPort: stalled.port, timeoutMs: 300 }));
      expect(statusCode).toBe(503);
      expect(body.failed).toEqual(["database"]);
      expect(body.checks.database).toMatchObject({ ok: false, error: "timeout" });
      expect(ms).toBeLessThan(1000);
    } finally {
      stalled.close();
    }
  });

  it("P5: checks run in parallel: two slow dependencies still answer in about one timeout", async () => {
    sqsMock.on(GetQueueAttributesCommand).callsFake(slow(10_000, {}));
    ddbMock.on(DescribeTableCommand).callsFake(slow(10_000, active));
    const { body, ms } = await check(deps({ timeoutMs: 400 }));
    expect(body.failed).toEqual(["queue", "table"]);
    expect(ms).toBeLessThan(400 * 2);
  });

  it("P5: a missing setting fails its check with not-configured instead of throwing", async () => {
    const { statusCode, body } = await check(deps({ queueUrl: undefined, dbHost: undefined }));
    expect(statusCode).toBe(503);
    expect(body.failed).toEqual(["queue", "database"]);
    expect(body.checks.queue.error).toBe("not-configured");
  });

  it("P5: the Lambda handler reads its settings from the environment", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: REGION,
      QUEUE_URL,
      ORDERS_TABLE_NAME: TABLE,
      DB_HOST: "127.0.0.1",
      DB_PORT: String(dbPort),
      CHECK_TIMEOUT_MS: "500",
      EVENT_SOURCE_MAPPING_UUID: MAPPING,
      POWERTOOLS_LOG_LEVEL: "SILENT",
    });
    try {
      // Not isolateModules: the module must share the SDK classes that aws-sdk-client-mock patched.
      const { handler } = await import("../../../lambda/health/index");
      const res = await handler();
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ status: "ok", region: REGION, role: "writer" });
      expect(res.headers).toMatchObject({ "Content-Type": "application/json", "Cache-Control": "no-store" });
    } finally {
      process.env = saved;
    }
  });

  it("F1: the writer (mapping enabled) needs the database: unreachable -> 503 with role writer", async () => {
    const { statusCode, body } = await check(deps({ dbHost: "127.0.0.1", dbPort: await freePort() }));
    expect(statusCode).toBe(503);
    expect(body).toMatchObject({ role: "writer", failed: ["database"] });
  });

  it("F1: a standby (mapping disabled) holds orders: healthy without reaching the writer's database, and says so", async () => {
    lambdaMock.on(GetEventSourceMappingCommand).resolves({ UUID: MAPPING, State: "Disabled" });
    const { statusCode, body } = await check(deps({ dbPort: await freePort() }));
    expect(statusCode).toBe(200);
    expect(body).toMatchObject({ status: "ok", role: "standby" });
    expect(body.checks.database).toMatchObject({ ok: true, error: "ECONNREFUSED" }); // reported, not failing
  });

  it("F1: a role that cannot be read is unknown and fails the check (the region can't say what it does)", async () => {
    lambdaMock
      .on(GetEventSourceMappingCommand)
      .rejects(Object.assign(new Error("x"), { name: "AccessDeniedException" }));
    const { statusCode, body } = await check(deps());
    expect(statusCode).toBe(503);
    expect(body).toMatchObject({ role: "unknown", failed: ["role"] });
    expect(body.checks.role.error).toBe("AccessDeniedException");
  });

  it("F1: the per-check budget defaults to 1 s and is capped at 1.5 s, inside Route 53's 2 s answer window", async () => {
    const { CHECK_TIMEOUT_MS } = await import("../../../lambda/health/env");
    expect(CHECK_TIMEOUT_MS).toMatchObject({ default: 1_000, max: 1_500 });
    expect(CHECK_TIMEOUT_MS.max).toBeLessThan(2_000);
  });
});
