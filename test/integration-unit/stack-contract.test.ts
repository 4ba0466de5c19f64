/**
 * B4 against the real program: the outputs `index.ts` exports satisfy the integration suite's loader,
 * and an outputs file whose endpoints point at nothing makes the live suite fail fast, not hang.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { FAILOVER_ENV, parseProcessingSites } from "../../lambda/failover/config";
import { checkOutputs, OUTPUT_KEYS, OUTPUTS_FILE_ENV } from "../../lib/stack-outputs";
import { REQUIRED_OUTPUT_KEYS as DRILL_KEYS, loadOutputs } from "../../scripts/drill";
import { ORDER_PROCESSOR_ENV } from "../../lambda/order-processor/env";
import { envContractProblems } from "../integration/checks/failover-function";
import { loadStackOutputs, REQUIRED_OUTPUT_KEYS } from "../integration/support/outputs";
import { runProgram, type ProgramRun } from "../program";
import { makeTempDir, removeTempDir } from "../support/temp-dir";

const ROOT = path.join(__dirname, "..", "..");
let dir: string;
let file: string;
let exported: Record<string, unknown>;
let program: ProgramRun;

beforeAll(async () => {
  program = await runProgram();
  const { outputs } = program;
  exported = outputs;
  dir = makeTempDir("outputs-");
  file = path.join(dir, "outputs.json");
  writeFileSync(file, JSON.stringify(outputs, null, 2));
});
afterAll(() => removeTempDir(dir));

it("B4: every key the integration suite needs is a stack output, with the right shape", () => {
  const decision = loadStackOutputs({ env: { [OUTPUTS_FILE_ENV]: file } });
  if (decision.kind !== "run") throw new Error(decision.reason);
  expect(decision.outputs.dbEngineVersion).toBe("15.14");
  expect(decision.outputs.canaryNames).toEqual(["tap-dev-p-cnry", "tap-dev-s-cnry", "tap-dev-x-cnry"]);
  // Issue 16: what the live checks compare against comes from the stack, not from constants in the suite.
  expect({
    interval: decision.outputs.healthCheckIntervalSeconds,
    threshold: decision.outputs.healthCheckFailureThreshold,
    metricsRegion: decision.outputs.metricsRegion,
    canaries: [
      decision.outputs.primaryCanaryName,
      decision.outputs.secondaryCanaryName,
      decision.outputs.probeCanaryName,
    ],
    production: decision.outputs.production,
  }).toEqual({
    interval: 30,
    threshold: 3,
    metricsRegion: "us-east-1",
    canaries: ["tap-dev-p-cnry", "tap-dev-s-cnry", "tap-dev-x-cnry"],
    production: false,
  });
});

it("B4: the program exports exactly the stack-outputs contract, every value of the documented kind", () => {
  // The default stack has the writer lease (X3) and no failover DNS name: those optional outputs only.
  const optional = ["witnessRegion", "witnessTableName", "writerLeaseMs"];
  expect(Object.keys(exported).sort()).toEqual([...OUTPUT_KEYS, ...optional].sort());
  const check = checkOutputs(exported);
  expect([check.missing, check.invalid]).toEqual([[], []]);
  // The drill and the live suite read a subset of the same contract.
  for (const key of [...DRILL_KEYS, ...REQUIRED_OUTPUT_KEYS]) expect(OUTPUT_KEYS).toContain(key);
});

it("F2: the processingSites output is exactly the orchestrator's PROCESSING_SITES, and the drill reads both regions from it", () => {
  const fn = program.named("aws:lambda/function:Function", "tap-dev-failover-fn");
  const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
  expect(exported.processingSites).toBe(env[FAILOVER_ENV.processingSites]);
  const problems: string[] = [];
  const sites = parseProcessingSites(env[FAILOVER_ENV.processingSites], problems);
  expect([problems, sites.map((s) => s.region)]).toEqual([[], ["us-east-1", "us-west-2"]]);
  expect(loadOutputs(file, (p) => readFileSync(p, "utf8")).processingSites).toEqual(sites);
});

it("B4: a fake outputs file that points at nothing fails the live suite with clear errors, within a minute", () => {
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules", "jest", "bin", "jest.js"), "--config", "jest.integration.config.js"],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 90_000,
      env: {
        ...process.env,
        [OUTPUTS_FILE_ENV]: file,
        // Nothing listens there: every AWS call is refused at once instead of leaving the machine.
        AWS_ENDPOINT_URL: "http://127.0.0.1:1",
        AWS_ACCESS_KEY_ID: "AKIDFAKE",
        AWS_SECRET_ACCESS_KEY: "fake",
        AWS_EC2_METADATA_DISABLED: "true",
      },
    },
  );
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.signal).toBeNull();
  expect(result.status).toBe(1);
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(output).toMatch(/jest: 0 passed, \d+ failed/);
  // Each failure names the call and why it failed.
  expect(output).toMatch(
    /RDS DescribeGlobalClusters tap-dev-aurora-global \(us-west-2\) failed: .*ECONNREFUSED 127\.0\.0\.1:1/,
  );
}, 120_000);

/** The environment variables the program gives a function. */
const variablesOf = (fn: { inputs: Record<string, unknown> }) =>
  (fn.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};

it("O1: the program's failover function passes the live suite's whole-environment check", () => {
  const decision = loadStackOutputs({ env: { [OUTPUTS_FILE_ENV]: file } });
  if (decision.kind !== "run") throw new Error(decision.reason);
  const env = variablesOf(program.named("aws:lambda/function:Function", "tap-dev-failover-fn"));
  expect(envContractProblems(env, decision.outputs.secondaryRegion, decision.outputs)).toEqual([]);
});

it("O1: each region's order processor parks in the rejects queue the outputs name for that region", () => {
  const parkedIn = program
    .of("aws:lambda/function:Function")
    .map((fn) => variablesOf(fn)[ORDER_PROCESSOR_ENV.rejectsQueueUrl])
    .filter((url): url is string => url !== undefined);
  expect(parkedIn.sort()).toEqual(
    [exported.primaryRejectsQueueUrl, exported.secondaryRejectsQueueUrl].sort(),
  );
  expect(exported.primaryRejectsQueueUrl).not.toBe(exported.secondaryRejectsQueueUrl);
});
