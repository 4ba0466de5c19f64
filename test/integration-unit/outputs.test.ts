/**
 * Unit tests (normal `npm test`) for the B4 outputs loader, its skip decision, and the HTTP health check
 * the live tests use; no AWS and no deployed stack needed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { checkHealth, HttpCheckError } from "../integration/support/http";
import { makeTempDir, removeTempDir } from "../support/temp-dir";
import {
  dbCheckDecision,
  DEFAULT_OUTPUTS_FILE,
  loadStackOutputs,
  PRODUCE_OUTPUTS_COMMAND,
  regionOfArn,
  REQUIRED_OUTPUT_KEYS,
  StackOutputsError,
} from "../integration/support/outputs";
import { fakeOutputs } from "./fixtures";

/** The exact output names the stack exports (B4); a rename on either side must break this test. */
const EXPECTED_KEYS = [
  "primaryRegion",
  "secondaryRegion",
  "globalClusterId",
  "globalWriterEndpoint",
  "auroraPrimaryEndpoint",
  "auroraSecondaryEndpoint",
  "primaryClusterArn",
  "secondaryClusterArn",
  "dbSecretArn",
  "dynamoTableName",
  "primaryBucketName",
  "secondaryBucketName",
  "primarySnsTopicArn",
  "secondarySnsTopicArn",
  "primaryApiEndpoint",
  "secondaryApiEndpoint",
  "primaryHealthUrl",
  "secondaryHealthUrl",
  "primaryQueueUrl",
  "secondaryQueueUrl",
  "primaryHealthCheckId",
  "canaryNames",
  "failoverFunctionArn",
  "dashboardName",
  "dbEngineVersion",
  "healthCheckIntervalSeconds",
  "healthCheckFailureThreshold",
  "metricsRegion",
  "primaryCanaryName",
  "secondaryCanaryName",
  "probeCanaryName",
  "processingSites",
  "compositeAlarmName",
  "primaryHealthAlarmName",
  "probeAlarmName",
  "primaryDlqUrl",
  "secondaryDlqUrl",
  "production",
  "secondaryHealthCheckId",
  "primaryOrderProcessorName",
  "secondaryOrderProcessorName",
  "primaryRejectsQueueUrl",
  "secondaryRejectsQueueUrl",
];

let dir: string;
beforeEach(() => {
  dir = makeTempDir("b4-outputs-");
});
afterEach(() => removeTempDir(dir));

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** Loads with an isolated env and default path, so the developer's real outputs.json can't leak in. */
function load(env: NodeJS.ProcessEnv = {}, defaultFile = path.join(dir, "outputs.json")) {
  return loadStackOutputs({ env, cwd: dir, defaultFile });
}

function loadError(env: NodeJS.ProcessEnv = {}, defaultFile?: string): StackOutputsError {
  try {
    load(env, defaultFile);
  } catch (err) {
    expect(err).toBeInstanceOf(StackOutputsError);
    return err as StackOutputsError;
  }
  throw new Error("expected loadStackOutputs to throw");
}

describe("REQUIRED_OUTPUT_KEYS", () => {
  it("is exactly the set of output names the stack exports", () => {
    expect([...REQUIRED_OUTPUT_KEYS].sort()).toEqual([...EXPECTED_KEYS].sort());
  });

  it("defaults to outputs.json at the repo root", () => {
    expect(DEFAULT_OUTPUTS_FILE).toBe(path.resolve(__dirname, "../../outputs.json"));
  });
});

describe("loadStackOutputs: skip decision", () => {
  it("skips when the default file is missing, naming the file and the command that produces it", () => {
    const decision = load();
    expect(decision.kind).toBe("skip");
    if (decision.kind !== "skip") return;
    expect(decision.file).toBe(path.join(dir, "outputs.json"));
    expect(decision.reason).toContain(path.join(dir, "outputs.json"));
    expect(decision.reason).toContain(PRODUCE_OUTPUTS_COMMAND);
    expect(decision.reason).toContain("TAP_OUTPUTS_FILE");
    expect(decision.reason).toMatch(/^B4: skipped — no stack outputs at /);
  });

  it("reads TAP_OUTPUTS_FILE (relative to cwd) in preference to the default file", () => {
    write("outputs.json", "not even json");
    write("custom.json", JSON.stringify(fakeOutputs()));
    const decision = load({ TAP_OUTPUTS_FILE: "custom.json" });
    expect(decision).toEqual({ kind: "run", file: path.join(dir, "custom.json"), outputs: fakeOutputs() });
  });

  it("treats an empty TAP_OUTPUTS_FILE as unset", () => {
    expect(load({ TAP_OUTPUTS_FILE: "  " }).kind).toBe("skip");
  });

  it("fails, not skips, when TAP_OUTPUTS_FILE names a missing file", () => {
    const err = loadError({ TAP_OUTPUTS_FILE: "nowhere.json" });
    expect(err.message).toContain(path.join(dir, "nowhere.json"));
    expect(err.message).toContain("TAP_OUTPUTS_FILE names a file that does not exist");
  });

  it("fails when the path exists but can't be read as a file", () => {
    mkdirSync(path.join(dir, "outputs.json"));
    expect(loadError().message).toContain("cannot be read");
  });
});

describe("loadStackOutputs: broken files fail", () => {
  it("rejects invalid JSON with the file name and the command to regenerate it", () => {
    write("outputs.json", "{ primaryRegion: us-east-1");
    const err = loadError();
    expect(err.message).toContain(path.join(dir, "outputs.json"));
    expect(err.message).toContain("invalid JSON");
    expect(err.message).toContain(PRODUCE_OUTPUTS_COMMAND);
  });

  it.each([
    ["an empty file", ""],
    ["an array", "[]"],
    ["null", "null"],
  ])("rejects %s", (_label, content) => {
    write("outputs.json", content);
    expect(() => load()).toThrow(StackOutputsError);
  });

  it("lists every missing key, not just the first", () => {
    write("outputs.json", "{}");
    const err = loadError();
    expect([...err.missingKeys].sort()).toEqual([...EXPECTED_KEYS].sort());
    for (const key of EXPECTED_KEYS) expect(err.message).toContain(key);
    expect(err.message).toContain(`missing keys (${EXPECTED_KEYS.length})`);
  });

  it("lists exactly the keys that are missing when only some are", () => {
    const partial: Record<string, unknown> = { ...fakeOutputs() };
    delete partial.canaryNames;
    delete partial.dbEngineVersion;
    partial.failoverFunctionArn = null;
    write("outputs.json", JSON.stringify(partial));
    expect(loadError().missingKeys).toEqual(["canaryNames", "failoverFunctionArn", "dbEngineVersion"]);
  });

  it("reports every wrong-typed value in one error", () => {
    write(
      "outputs.json",
      JSON.stringify({
        ...fakeOutputs(),
        primaryRegion: "nowhere",
        auroraPrimaryEndpoint: "https://db.example.com:5432",
        dbSecretArn: "my-secret",
        primaryApiEndpoint: "not a url",
        canaryNames: [],
        secondaryCanaries: "ignored: not a required key",
        dashboardName: 42,
      }),
    );
    const err = loadError();
    expect(err.missingKeys).toEqual([]);
    expect(err.problems).toEqual([
      expect.stringContaining("primaryRegion: expected an AWS region"),
      expect.stringContaining("auroraPrimaryEndpoint: expected a host name"),
      expect.stringContaining("dbSecretArn: expected an ARN"),
      expect.stringContaining("primaryApiEndpoint: expected an absolute http(s) URL"),
      expect.stringContaining("canaryNames: expected at least one name"),
      expect.stringContaining("dashboardName: expected a non-empty string"),
    ]);
  });

  it("tuning values must be positive integers and production a boolean, not strings", () => {
    write(
      "outputs.json",
      JSON.stringify({
        ...fakeOutputs(),
        healthCheckIntervalSeconds: "30",
        healthCheckFailureThreshold: 0,
        production: "false",
      }),
    );
    expect(loadError().problems).toEqual([
      expect.stringContaining("healthCheckIntervalSeconds: expected a positive integer"),
      expect.stringContaining("healthCheckFailureThreshold: expected a positive integer"),
      expect.stringContaining("production: expected true or false"),
    ]);
  });

  it("says so when secrets were exported without --show-secrets", () => {
    write("outputs.json", JSON.stringify({ ...fakeOutputs(), dbSecretArn: "[secret]" }));
    expect(loadError().message).toContain("without --show-secrets");
  });
});

describe("loadStackOutputs: valid file", () => {
  it("returns the typed outputs, without keys the tests don't use", () => {
    write("outputs.json", JSON.stringify({ ...fakeOutputs(), primaryVpcId: "vpc-123" }));
    const decision = load();
    expect(decision.kind).toBe("run");
    if (decision.kind !== "run") return;
    const names: readonly string[] = decision.outputs.canaryNames;
    expect(names).toEqual(["tap-dev-p-cnry", "tap-dev-s-cnry", "tap-dev-x-cnry"]);
    expect(decision.outputs).toEqual(fakeOutputs());
    expect(decision.outputs).not.toHaveProperty("primaryVpcId");
  });
});

describe("helpers", () => {
  it("regionOfArn reads the region field", () => {
    expect(regionOfArn("arn:aws:rds:eu-west-1:123456789012:cluster:x")).toBe("eu-west-1");
    expect(() => regionOfArn("arn:aws:s3:::bucket")).toThrow("ARN has no region");
  });

  it("dbCheckDecision runs the ledger check only with TAP_DB_REACHABLE=1, and says why otherwise", () => {
    expect(dbCheckDecision({ TAP_DB_REACHABLE: "1" })).toEqual({ run: true });
    for (const env of [{}, { TAP_DB_REACHABLE: "0" }, { TAP_DB_REACHABLE: "true" }]) {
      const decision = dbCheckDecision(env);
      expect(decision.run).toBe(false);
      if (!decision.run) expect(decision.reason).toContain("TAP_DB_REACHABLE=1");
    }
  });
});

describe("checkHealth", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  }

  async function rejection(promise: Promise<unknown>): Promise<{ error: Error; ms: number }> {
    const started = Date.now();
    try {
      await promise;
    } catch (error) {
      return { error: error as Error, ms: Date.now() - started };
    }
    throw new Error("expected a rejection");
  }

  it("fails fast, with the URL in the error, for a fake outputs file whose health URL points at nothing", async () => {
    write("outputs.json", JSON.stringify(fakeOutputs()));
    const decision = load();
    if (decision.kind !== "run") throw new Error("fixture should load");
    const { error, ms } = await rejection(checkHealth(decision.outputs.primaryHealthUrl));
    expect(ms).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(HttpCheckError);
    expect(error.message).toContain("GET http://127.0.0.1:1/health failed");
  });

  it("names the cause when the connection is refused", async () => {
    const url = await serve((_req, res) => res.end());
    servers[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const { error, ms } = await rejection(checkHealth(url));
    expect(ms).toBeLessThan(5_000);
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("gives up on a server that never answers at the timeout", async () => {
    const url = await serve(() => undefined);
    const { error, ms } = await rejection(checkHealth(url, 300));
    expect(error.message).toBe(`GET ${url} timed out after 300 ms`);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2_000);
  });

  it("rejects a non-200 answer, quoting the status and body", async () => {
    const url = await serve((_req, res) => {
      res.statusCode = 503;
      res.end('{"status":"unavailable","failed":["db"]}');
    });
    await expect(checkHealth(url)).rejects.toThrow(
      `GET ${url} returned 503, expected 200; body: {"status":"unavailable","failed":["db"]}`,
    );
  });

  it("resolves on 200", async () => {
    const url = await serve((_req, res) => res.end('{"status":"ok"}'));
    await expect(checkHealth(url)).resolves.toMatchObject({ status: 200, body: '{"status":"ok"}' });
  });
});
