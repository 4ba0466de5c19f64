/**
 * Every AWS call the functions and the drill make is bounded by a request timeout that fails the call
 * (lambda/shared/http-timeouts.ts). The SDK's Node handler only warns when requestTimeout passes unless
 * throwOnRequestTimeout is set: the forwarder and the RDS clients of the failover function and the drill
 * had the warning only, so a Region that accepted the connection and never answered held them to their
 * own timeouts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SQSClient, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { httpTimeouts } from "../../../lambda/shared/http-timeouts";

const ROOT = join(__dirname, "../../..");

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return sources(rel);
    return rel.endsWith(".ts") ? [rel] : [];
  });
}

/** A server that accepts every request and never answers (a Region that hangs). */
async function silentServer(): Promise<{ server: Server; url: string }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const outcomeWithin = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p.then(
      () => "answered",
      (err: Error) => `failed: ${err.name}`,
    ),
    new Promise<string>((resolve) => setTimeout(() => resolve("still waiting"), ms)),
  ]);

describe("AWS SDK request timeouts", () => {
  let silent: { server: Server; url: string };
  beforeAll(async () => {
    silent = await silentServer();
  });
  afterAll(async () => {
    silent.server.closeAllConnections();
    await new Promise((resolve) => silent.server.close(resolve));
  });

  const client = (requestHandler: object) =>
    new SQSClient({
      region: "us-east-1",
      endpoint: silent.url,
      maxAttempts: 1,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
      requestHandler,
    });
  const call = (c: SQSClient) =>
    c.send(
      new GetQueueAttributesCommand({ QueueUrl: `${silent.url}/123456789012/q`, AttributeNames: ["All"] }),
    );

  it("a call bounded by httpTimeouts fails once the request timeout passes", async () => {
    const c = client(httpTimeouts(200, 300));
    expect(await outcomeWithin(call(c), 3_000)).toBe("failed: TimeoutError");
    c.destroy();
  });

  it("the SDK's own requestTimeout alone does not end the call (why the flag exists)", async () => {
    const c = client({ connectionTimeout: 200, requestTimeout: 300 });
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(await outcomeWithin(call(c), 1_500)).toBe("still waiting");
    warn.mockRestore();
    c.destroy();
  });

  it("no function or script sets a request timeout except through httpTimeouts", () => {
    const literal = [...sources("lambda"), ...sources("scripts")]
      .filter((f) => !f.endsWith("http-timeouts.ts"))
      .filter((f) => /requestTimeout\s*:\s*\d/.test(readFileSync(join(ROOT, f), "utf8")));
    expect(literal).toEqual([]);
  });
});
