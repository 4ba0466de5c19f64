/**
 * P9: every deployed function's handler string names an export of the bundle its code points at.
 * The bundles are loaded in a fresh Node process, as Lambda would, so module-level clients start clean.
 */
import {
  ORCHESTRATOR_LEASE_ENV,
  parseLeaseSource,
  parseWriterLease,
  PROCESSOR_LEASE_ENV,
} from "../../lambda/shared/writer-lease";
import { ORDER_FORWARDER_ENV, parseOrderForwarderEnv } from "../../lambda/order-forwarder/env";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { ALERT_RELAY_ENV, parseAlertRelayEnv } from "../../lambda/alert-relay/env";
import { CANARY_ENV } from "../../lambda/canary/health-canary";
import {
  DEFAULTS,
  FAILOVER_ENV,
  FAILOVER_TIMEOUT_SECONDS,
  loadFailoverConfig,
} from "../../lambda/failover/config";
import { HEALTH_DEFAULTS, HEALTH_ENV, parseHealthEnv } from "../../lambda/health/env";
import {
  ORDER_PROCESSOR_DEFAULTS,
  ORDER_PROCESSOR_ENV,
  orderProcessorService,
  parseOrderProcessorEnv,
} from "../../lambda/order-processor/env";
import { ProgramRun, runProgram } from "../program";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram();
});

it("P9: each Lambda's code is a bundle under dist/lambda whose file exports the configured handler", () => {
  const functions = run.of("aws:lambda/function:Function");
  expect(functions.map((f) => f.name).sort()).toEqual(
    [
      "tap-dev-alert-relay-fn",
      "tap-dev-failover-fn",
      "tap-dev-failover-reconcile-fn",
      "tap-dev-ledger-migration-fn",
      "tap-dev-primary-service-api-health",
      "tap-dev-primary-service-forwarder-fn",
      "tap-dev-primary-service-processor-fn",
      "tap-dev-primary-service-processor-lease-reader-fn",
      "tap-dev-secondary-service-api-health",
      "tap-dev-secondary-service-forwarder-fn",
      "tap-dev-secondary-service-processor-fn",
      "tap-dev-secondary-service-processor-lease-reader-fn",
    ].sort(),
  );
  for (const fn of functions) {
    const dir = String((fn.inputs.code as { path?: string }).path);
    const [file, exportName] = String(fn.inputs.handler).split(".");
    const bundle = path.join(dir, `${file}.js`);
    expect([
      fn.name,
      path
        .relative(path.join(__dirname, "..", ".."), dir)
        .split(path.sep)
        .slice(0, 2),
    ]).toEqual([fn.name, ["dist", "lambda"]]);
    expect([fn.name, existsSync(bundle)]).toEqual([fn.name, true]);
    const probe = probeExport(bundle, exportName);
    expect([fn.name, probe.stdout, probe.status]).toEqual([fn.name, "function", 0]);
  }
});

// Both regions deploy the same bundle and handler: each distinct pair is loaded once (a fresh process each).
const probes = new Map<string, { stdout: string; status: number | null }>();
function probeExport(bundle: string, exportName: string): { stdout: string; status: number | null } {
  const key = `${bundle}#${exportName}`;
  let found = probes.get(key);
  if (!found) {
    const r = spawnSync(
      process.execPath,
      ["-e", `process.stdout.write(typeof require(process.argv[1])[process.argv[2]])`, bundle, exportName],
      { encoding: "utf8", env: { PATH: process.env.PATH, AWS_REGION: "us-east-1" }, timeout: 30_000 },
    );
    found = { stdout: r.stdout, status: r.status };
    probes.set(key, found);
  }
  return found;
}

/** The deployed environment of the function whose logical name ends with `suffix`. */
function deployedEnv(suffix: string): Record<string, string> {
  const [fn] = run.of("aws:lambda/function:Function").filter((f) => f.name.endsWith(suffix));
  return (fn.inputs.environment as { variables: Record<string, string> }).variables;
}

describe("P9: each function's environment is written and read through one contract module", () => {
  it("order processor: lib writes exactly the contract's keys and the Lambda parses them back", () => {
    const env = deployedEnv("primary-service-processor-fn");
    // X3: plus the lease keys, from their own contract (lambda/shared/writer-lease.ts).
    expect(Object.keys(env).sort()).toEqual(
      [...Object.values(ORDER_PROCESSOR_ENV), ...Object.values(PROCESSOR_LEASE_ENV)].sort(),
    );
    expect(parseLeaseSource(env)).toMatchObject({ kind: "reader", leaseMs: 30_000 });
    const parsed = parseOrderProcessorEnv({ ...env, AWS_REGION: "us-east-1" });
    expect(parsed).toMatchObject({
      region: "us-east-1",
      tableName: run.outputs.dynamoTableName,
      db: { host: run.outputs.globalWriterEndpoint, port: 5432, database: "orders", ssl: "require" },
    });
    expect(orderProcessorService(env)).toEqual({
      serviceName: ORDER_PROCESSOR_DEFAULTS.serviceName,
      namespace: ORDER_PROCESSOR_DEFAULTS.metricsNamespace,
    });
  });

  it("order forwarder: lib writes exactly the contract's keys and the Lambda parses them back", () => {
    const env = deployedEnv("primary-service-forwarder-fn");
    expect(Object.keys(env).sort()).toEqual(Object.values(ORDER_FORWARDER_ENV).sort());
    expect(parseOrderForwarderEnv({ ...env, AWS_REGION: "us-east-1" })).toEqual({
      region: "us-east-1",
      peerQueueUrl: run.outputs.secondaryQueueUrl,
      peerRegion: "us-west-2",
    });
  });

  it("health: the deployed timeout and port are the contract's defaults", () => {
    const env = deployedEnv("primary-service-api-health");
    expect(Object.keys(env).sort()).toEqual(Object.values(HEALTH_ENV).sort());
    expect(parseHealthEnv(env)).toMatchObject({
      dbPort: HEALTH_DEFAULTS.dbPort,
      timeoutMs: HEALTH_DEFAULTS.checkTimeoutMs,
      tableName: run.outputs.dynamoTableName,
    });
  });

  it("alert relay: the target topic is the secondary region's", () => {
    const env = deployedEnv("alert-relay-fn");
    expect(Object.keys(env)).toEqual(Object.values(ALERT_RELAY_ENV));
    expect(parseAlertRelayEnv(env).targetTopicArn).toBe(run.outputs.secondarySnsTopicArn);
  });

  it("failover: the deployed tuning equals the parser's defaults and passes its own validation", () => {
    const env = deployedEnv("failover-fn");
    // X3: plus the witness, from its own contract (lambda/shared/writer-lease.ts).
    expect(Object.keys(env).sort()).toEqual(
      [...Object.values(FAILOVER_ENV), ...Object.values(ORCHESTRATOR_LEASE_ENV)].sort(),
    );
    expect(parseWriterLease(env)).toEqual({
      table: run.outputs.witnessTableName,
      region: "us-east-2",
      leaseMs: 30_000,
    });
    const config = loadFailoverConfig({ ...env, AWS_REGION: String(run.outputs.secondaryRegion) });
    expect(config).toMatchObject({
      timeBudgetMs: DEFAULTS.timeBudgetMs,
      maxAttempts: DEFAULTS.maxAttempts,
      pollIntervalMs: DEFAULTS.pollIntervalMs,
      alarmAction: "notify",
      targetClusterArn: run.outputs.secondaryClusterArn,
    });
    const fn = run.of("aws:lambda/function:Function").find((f) => f.name.endsWith("failover-fn"))!;
    expect(fn.inputs.timeout).toBe(FAILOVER_TIMEOUT_SECONDS);
    expect(DEFAULTS.timeBudgetMs).toBeLessThan(FAILOVER_TIMEOUT_SECONDS * 1000);
  });

  it("canary: the key the infrastructure sets is the one the canary script reads", () => {
    for (const canary of run.of("aws:synthetics/canary:Canary")) {
      const vars = (canary.inputs.runConfig as { environmentVariables: Record<string, string> })
        .environmentVariables;
      expect(Object.keys(vars).sort()).toEqual(Object.values(CANARY_ENV).sort());
    }
  });
});
