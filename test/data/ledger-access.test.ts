/**
 * Issue 12 infrastructure (L1, L6) through the Pulumi program with mocks: the deploy-time migration,
 * the processor's own replicated secret, the TLS names and the conflict alarm.
 */
import { MIGRATOR_ENV } from "../../lambda/ledger-migrator/env";
import { DB_ENV } from "../../lambda/order-processor/db-env";
import { migrationFingerprint } from "../../lib/data/ledger-migration";
import { SecretValue } from "../../tooling/mocks/recorded";
import { ProgramRun, runProgram } from "../program";

let run: ProgramRun;
const named = (type: string, name: string) => run.named(type, name);
const of = (type: string) => run.of(type);
const policyOf = (fn: string) =>
  JSON.parse(String(named("aws:iam/rolePolicy:RolePolicy", `${fn}-policy`).inputs.policy)).Statement as any[];
const SECRET = "aws:secretsmanager/secret:Secret";
const FN = "aws:lambda/function:Function";

beforeAll(async () => {
  run = await runProgram();
});

describe("ledger access infrastructure", () => {
  it("L6: pulumi up invokes the migrator once Aurora exists, re-running when the migrations or the password change", () => {
    const fn = named(FN, "tap-dev-ledger-migration-fn");
    expect(fn.region).toBe("us-east-1");
    const invocation = named("aws:lambda/invocation:Invocation", "tap-dev-ledger-migration-run");
    expect(invocation.inputs.functionName).toBe(
      fn.state.name ?? fn.inputs.name ?? invocation.inputs.functionName,
    );
    expect(invocation.inputs.triggers).toEqual({
      migrations: migrationFingerprint(),
      appSecretVersion: expect.any(String),
    });
    expect(JSON.parse(String(invocation.inputs.input))).toEqual({ migrations: migrationFingerprint() });
    const aurora = run.resources.find((r) => r.type === "tap:data:AuroraGlobalDatabase")!;
    expect(run.waitsFor(invocation, aurora)).toBe(true);
    // The processors start after the migration.
    const migration = run.resources.find((r) => r.type === "tap:data:LedgerMigration")!;
    for (const p of of("tap:orders:OrderProcessor"))
      expect([p.name, run.waitsFor(p, migration)]).toEqual([p.name, true]);
  });

  it("L6: the migrator connects with the master secret over verified TLS and reads the processor's secret", () => {
    const env = (named(FN, "tap-dev-ledger-migration-fn").inputs.environment as any).variables;
    const master = named(SECRET, "tap-dev-db-credentials-secret");
    const app = named(SECRET, "tap-dev-db-app-credentials-creds-secret");
    expect(env).toMatchObject({
      [DB_ENV.secretArn]: master.state.arn,
      [MIGRATOR_ENV.appSecretArn]: app.state.arn,
      [DB_ENV.ssl]: "require",
    });
    const read = policyOf("tap-dev-ledger-migration-fn").filter((s) =>
      [s.Action].flat().includes("secretsmanager:GetSecretValue"),
    );
    expect(read.flatMap((s) => [s.Resource].flat()).sort()).toEqual([master.state.arn, app.state.arn].sort());
  });

  it("L6: the processor's secret is its own, encrypted with the primary key and replicated to the secondary", () => {
    const app = named(SECRET, "tap-dev-db-app-credentials-creds-secret");
    const master = named(SECRET, "tap-dev-db-credentials-secret");
    const secondaryKey = of("aws:kms/key:Key").find((k) => k.region === "us-west-2")!;
    expect(app.inputs.replicas).toEqual([{ region: "us-west-2", kmsKeyId: secondaryKey.state.arn }]);
    expect(app.inputs.replicas).toEqual(master.inputs.replicas);
    const doc = of("aws:secretsmanager/secretVersion:SecretVersion").find(
      (v) => v.inputs.secretId === app.state.arn,
    )!;
    expect(doc.inputs.secretString).toBeInstanceOf(SecretValue); // the password never in plain state
    expect(JSON.parse(String((doc.inputs.secretString as SecretValue).value))).toMatchObject({
      username: "tap_order_processor",
      port: 5432,
      dbname: "orders",
    });
  });

  it.each([
    ["primary", "us-east-1"],
    ["secondary", "us-west-2"],
  ])("L6: the %s processor accepts a certificate naming either cluster's writer endpoint", (role) => {
    const env = (named(FN, `tap-dev-${role}-service-processor-fn`).inputs.environment as any).variables;
    const clusters = of("aws:rds/cluster:Cluster").map((c) => String(c.state.endpoint));
    expect(String(env[DB_ENV.tlsServerNames]).split(",").sort()).toEqual(clusters.sort());
    expect(env[DB_ENV.ssl]).toBe("require");
  });

  it.each([
    ["primary", "us-east-1"],
    ["secondary", "us-west-2"],
  ])("L1: the %s region alarms on any conflicting duplicate, to its own topic", (role, region) => {
    const alarm = named(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      `tap-dev-${role}-service-processor-conflicts`,
    );
    const topic = of("aws:sns/topic:Topic").find((t) => t.region === region && t.name.includes(`${role}`))!;
    expect(alarm.region).toBe(region);
    expect(alarm.inputs).toMatchObject({
      namespace: "Tap/Orders",
      metricName: "OrdersConflicting",
      dimensions: { service: "order-processor" },
      statistic: "Sum",
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      alarmActions: [topic.state.arn],
    });
  });
});
