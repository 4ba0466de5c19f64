/**
 * The deployable artifacts: each function bundled with scripts/bundle.mjs (same esbuild options as
 * `npm run bundle`, into a temporary folder so a concurrent `npm test` reading dist/ is never disturbed),
 * then loaded and run in a fresh Node process with nothing but environment variables, as Lambda would.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { TestDynamo } from "../../../tooling/stores/dynamodb";
import { freePort, type TestDatabase } from "../../../tooling/stores/postgres";
import { ledgerRows, order, startStores, stateItem, stopStores, uid } from "./helpers";
import type { Database } from "../../../lambda/order-processor/db";
import { makeTempDir, removeTempDir } from "../../support/temp-dir";

const ROOT = join(__dirname, "../../..");
const FUNCTIONS = ["order-processor", "health"];
let out: string;

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** A clean Lambda-like environment: no credentials or settings leak in from the test process. */
function lambdaEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_EC2_METADATA_DISABLED: "true",
    POWERTOOLS_METRICS_DISABLED: "true",
    ...extra,
  };
}

// Reads an event from stdin, calls the bundled handler, prints the result as the last line.
const INVOKE = `
const { handler } = require(process.argv[1]);
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", async () => {
  const context = { functionName: "test", functionVersion: "1", awsRequestId: "req-1", memoryLimitInMB: "256",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:test", getRemainingTimeInMillis: () => 30000 };
  try {
    const result = await handler(JSON.parse(input), context);
    console.log("RESULT " + JSON.stringify(result));
  } catch (e) {
    console.log("ERROR " + (e && e.name) + ": " + (e && e.message));
  }
  process.exit(0);
});
`;

const resultOf = (stdout: string): unknown => {
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT ") || l.startsWith("ERROR "));
  if (!line?.startsWith("RESULT ")) throw new Error(`handler failed: ${line ?? stdout}`);
  return JSON.parse(line.slice(7));
};

beforeAll(async () => {
  out = makeTempDir("bundle-");
  const script = `
    const { bundle } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "scripts/bundle.mjs")).href)});
    for (const name of ${JSON.stringify(FUNCTIONS)}) await bundle(name, { outdir: ${JSON.stringify(out)} + "/" + name });`;
  const res = await run(["--input-type=module", "-e", script], { ...process.env });
  if (res.code !== 0) throw new Error(`bundling failed: ${res.stderr}`);
});

afterAll(() => {
  removeTempDir(out);
});

describe("bundled Lambda artifacts", () => {
  it.each(FUNCTIONS)(
    "P9: the bundled %s/index.js loads without any environment and exports handler",
    async (name) => {
      const file = join(out, name, "index.js");
      expect(statSync(file).size).toBeGreaterThan(0);
      const res = await run(["-e", "process.stdout.write(typeof require(process.argv[1]).handler)", file], {
        PATH: process.env.PATH,
      });
      expect([res.stdout, res.stderr]).toEqual(["function", ""]);
    },
  );

  describe("run end to end from environment variables alone", () => {
    let pg: TestDatabase;
    let dynamo: TestDynamo;
    let table: string;
    let db: Database;

    beforeAll(async () => {
      ({ pg, dynamo, table, db } = await startStores());
    });
    afterAll(() => stopStores({ pg, dynamo, db }));

    /** The bundled processor on `event`, its stores these, its SQS endpoint one nothing listens on. */
    const runProcessor = async (event: unknown, extra: Record<string, string> = {}) =>
      run(
        ["-e", INVOKE, join(out, "order-processor", "index.js")],
        lambdaEnv({
          DATABASE_URL: pg.url,
          ORDERS_TABLE_NAME: table,
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${await freePort()}`,
          ...extra,
        }),
        JSON.stringify(event),
      );

    it("P9/S1: the bundled order processor books a valid order and rejects a malformed one and a foreign account", async () => {
      const o = order();
      // As API Gateway's integration sends them: the principal may trade acct_1 (S1).
      const entitled = (accounts: string) => ({
        entitledAccounts: { stringValue: accounts, dataType: "String" },
        principal: { stringValue: "trader-7", dataType: "String" },
      });
      const foreign = order({ account: "acct_2" });
      const ev = {
        Records: [
          {
            messageId: `m-${uid()}`,
            body: JSON.stringify(o),
            attributes: { ApproximateReceiveCount: "1" },
            messageAttributes: entitled("acct_1"),
            eventSource: "aws:sqs",
          },
          {
            messageId: "m-foreign",
            body: JSON.stringify(foreign),
            receiptHandle: "rh-foreign",
            attributes: { ApproximateReceiveCount: "1" },
            messageAttributes: entitled("acct_1"),
            eventSource: "aws:sqs",
            eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders",
          },
          {
            messageId: "m-bad",
            body: "{",
            receiptHandle: "rh-bad",
            attributes: { ApproximateReceiveCount: "1" },
            eventSource: "aws:sqs",
            eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders",
          },
          {
            messageId: `m-${uid()}`,
            body: JSON.stringify(order({ synthetic: true })),
            attributes: {},
            messageAttributes: entitled("acct_1"),
            eventSource: "aws:sqs",
          },
        ],
      };
      // Nothing listens on the SQS endpoint: expediting the rejected message fails, which must not matter.
      const res = await runProcessor(ev);
      // The deployed wiring includes the entitlement check: the foreign account is refused (S1).
      expect(resultOf(res.stdout)).toEqual({
        batchItemFailures: [{ itemIdentifier: "m-foreign" }, { itemIdentifier: "m-bad" }],
      });
      expect(await ledgerRows(db, [o.orderId as string])).toHaveLength(1);
      expect(await ledgerRows(db, [foreign.orderId as string])).toEqual([]);
      expect(await stateItem(dynamo.doc, table, o.orderId as string)).toMatchObject({
        status: "ACCEPTED",
        region: "us-east-1",
      });
      // Structured JSON logs carry the reason for the rejected message.
      const rejected = `${res.stdout}\n${res.stderr}`
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.messageId === "m-bad");
      expect(rejected).toMatchObject({ level: "ERROR", reason: expect.stringMatching(/Invalid JSON/) });
      expect(`${res.stdout}${res.stderr}`).toMatch(/could not change the visibility of failed messages/);
    });

    it("X3: the bundled processor confirms the lease by invoking its reader (Lambda's REST Invoke); a reader naming another Region, or none answering, refuses and counts LeaseRefusals", async () => {
      const invoked: string[] = [];
      let holder = "us-east-1";
      const lambda = createServer((req, res) => {
        invoked.push(`${req.method} ${req.url}`);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ holder, epoch: 3 }));
      });
      await new Promise<void>((r) => lambda.listen(0, "127.0.0.1", r));
      const lambdaUrl = `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`;
      const book = async (endpoint: string) => {
        const o = order();
        const ev = {
          Records: [
            {
              messageId: `m-${uid()}`,
              body: JSON.stringify(o),
              attributes: { ApproximateReceiveCount: "1" },
              // As API Gateway's integration sends them: the principal may trade acct_1 (S1).
              messageAttributes: {
                entitledAccounts: { stringValue: "acct_1", dataType: "String" },
                principal: { stringValue: "trader-7", dataType: "String" },
              },
              eventSource: "aws:sqs",
            },
          ],
        };
        const res = await runProcessor(ev, {
          AWS_ENDPOINT_URL_LAMBDA: endpoint,
          WRITER_LEASE_READER: "tap-dev-primary-service-processor-lease-reader-fn-1234567",
          WRITER_LEASE_MS: "30000",
          POWERTOOLS_METRICS_DISABLED: "false",
        });
        const booked = (await ledgerRows(db, [o.orderId as string])).length;
        const refusals = /"LeaseRefusals"/.test(res.stdout);
        return { booked, refusals, output: `${res.stdout}${res.stderr}` };
      };
      try {
        expect(await book(lambdaUrl)).toMatchObject({ booked: 1, refusals: false });
        expect(invoked).toEqual([
          "POST /2015-03-31/functions/tap-dev-primary-service-processor-lease-reader-fn-1234567/invocations",
        ]);
        holder = "us-west-2";
        const moved = await book(lambdaUrl);
        expect(moved).toMatchObject({ booked: 0, refusals: true });
        expect(moved.output).toMatch(/the writer lease is held by us-west-2, not us-east-1: not booking/);
        const silent = await book(`http://127.0.0.1:${await freePort()}`);
        expect(silent).toMatchObject({ booked: 0, refusals: true });
        expect(silent.output).toMatch(/the writer lease could not be confirmed for us-east-1/);
      } finally {
        await new Promise<void>((r) => lambda.close(() => r()));
      }
    });

    it("P5: the bundled health handler reports each real dependency and answers 503 when one is down", async () => {
      const closed = await freePort();
      const started = Date.now();
      const res = await run(
        ["-e", INVOKE, join(out, "health", "index.js")],
        lambdaEnv({
          QUEUE_URL: `http://127.0.0.1:${closed}/123456789012/orders`,
          AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${closed}`,
          ORDERS_TABLE_NAME: table,
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          DB_HOST: pg.host,
          DB_PORT: String(pg.port),
          CHECK_TIMEOUT_MS: "1500",
        }),
        "{}",
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      const result = resultOf(res.stdout) as { statusCode: number; body: string };
      expect(result.statusCode).toBe(503);
      expect(JSON.parse(result.body)).toMatchObject({
        status: "unavailable",
        region: "us-east-1",
        // No event source mapping configured here: the role can't be read, and the answer says so (F1).
        role: "unknown",
        failed: ["queue", "role"],
        checks: {
          queue: { ok: false },
          table: { ok: true, status: "ACTIVE" },
          database: { ok: true },
          role: { ok: false, error: "not-configured" },
        },
      });
    });
  });
});
