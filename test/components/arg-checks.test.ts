/**
 * Each component with argument checks, built alone under the mock runtime (no whole-program run):
 * every check rejects a bad value with its own message before any child is declared, and a good
 * set of arguments builds.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { NodeFunction, NodeFunctionArgs } from "../../lib/compute/node-function";
import { AuroraGlobalDatabase, AuroraGlobalDatabaseArgs } from "../../lib/data/aurora-global-database";
import { HealthCanary, HealthCanaryArgs } from "../../lib/detection/health-canary";
import { HealthCheck, HealthCheckArgs } from "../../lib/detection/health-check";
import { Network, NetworkArgs } from "../../lib/foundation/network";
import { RegionalKey, RegionalKeyArgs } from "../../lib/foundation/regional-key";
import { OrderForwarder, OrderForwarderArgs } from "../../lib/orders/order-forwarder";
import { FailoverOrchestrator, FailoverOrchestratorArgs } from "../../lib/failover/failover-orchestrator";
import { installMocks, promiseOf, recorded, settle } from "../../tooling/mocks/recorder";

let provider: aws.Provider;
let west: aws.Provider;
let rnd: random.Provider;
beforeAll(async () => {
  await installMocks();
  provider = new aws.Provider("p", { region: "us-east-1" });
  west = new aws.Provider("w", { region: "us-west-2" });
  rnd = new random.Provider("r");
  await settle();
});

/** Builds the component and reports what it threw, and whether it declared any child. */
async function build(make: () => pulumi.ComponentResource) {
  const before = recorded().length;
  let error: string | undefined;
  try {
    make();
  } catch (e) {
    error = (e as Error).message;
  }
  await settle();
  return { error, declared: recorded().length - before };
}

describe("RegionalKey alone", () => {
  const args = (over: Partial<RegionalKeyArgs> = {}): RegionalKeyArgs => ({
    region: "us-east-1",
    accountId: "123456789012",
    provider,
    ...over,
  });
  it("P4: deletionWindowInDays must be an integer 7..30", async () => {
    for (const w of [6, 31, 7.5]) {
      const r = await build(() => new RegionalKey(`k${w}`, args({ deletionWindowInDays: w })));
      expect(r).toEqual({ error: `RegionalKey: deletionWindowInDays must be 7..30, got ${w}`, declared: 1 });
    }
    expect(
      (await build(() => new RegionalKey("ok", args({ deletionWindowInDays: 7 })))).error,
    ).toBeUndefined();
  });
});

describe("NodeFunction alone", () => {
  const args = (over: Partial<NodeFunctionArgs> = {}): NodeFunctionArgs => ({
    codeName: "health",
    provider,
    region: "us-east-1",
    statements: [],
    logKeyArn: "arn:aws:kms:us-east-1:123456789012:key/x",
    logRetentionDays: 7,
    ...over,
  });
  it("P9: timeout must be 1..900 s and memorySize 128..10240 MB", async () => {
    for (const timeout of [0, 901]) {
      expect((await build(() => new NodeFunction(`t${timeout}`, args({ timeout })))).error).toBe(
        `NodeFunction: timeout must be 1..900 s, got ${timeout}`,
      );
    }
    for (const memorySize of [127, 10241]) {
      expect((await build(() => new NodeFunction(`m${memorySize}`, args({ memorySize })))).error).toBe(
        "NodeFunction: memorySize must be 128..10240 MB",
      );
    }
    expect((await build(() => new NodeFunction("fn-ok", args()))).error).toBeUndefined();
  });
  it("F4: an error alarm role without a topic is refused: there would be no alarm for it to describe", async () => {
    expect(await build(() => new NodeFunction("fn-role", args({ errorAlarmRole: { id: "x" } })))).toEqual({
      error: "NodeFunction: errorAlarmRole needs errorAlarmTopicArn (no topic, no error alarm)",
      declared: 1,
    });
  });
  it("F4: with a topic it exposes its Errors alarm as data: name, region, topic, role (default not critical)", async () => {
    const topicArn = "arn:aws:sns:us-west-2:123456789012:t";
    const plain = new NodeFunction("fn-alarmed", args({ errorAlarmTopicArn: topicArn }));
    const critical = new NodeFunction(
      "fn-critical",
      args({ errorAlarmTopicArn: topicArn, errorAlarmRole: { id: "primary-x-errors", critical: true } }),
    );
    const west2 = new NodeFunction(
      "fn-west",
      args({ provider: west, region: "us-west-2", errorAlarmTopicArn: topicArn }),
    );
    const silent = new NodeFunction("fn-silent", args());
    await settle();
    const alarm = (n: string) => recorded().find((r) => r.name === n && r.type.includes("MetricAlarm"))!;
    const seen = async (fn: NodeFunction) =>
      Promise.all(
        fn.alarms.map(async (a) => ({
          name: await promiseOf(a.name),
          region: a.region,
          topicArn: a.topicArn,
          provider: a.provider,
          id: a.id,
          critical: a.critical,
          failoverTrigger: a.failoverTrigger,
        })),
      );
    expect(await seen(plain)).toEqual([
      {
        name: alarm("fn-alarmed-errors").state.name,
        region: "us-east-1",
        topicArn,
        provider,
        id: "fn-alarmed-errors",
        critical: false,
        failoverTrigger: false,
      },
    ]);
    expect(await seen(critical)).toMatchObject([
      { name: alarm("fn-critical-errors").state.name, id: "primary-x-errors", critical: true },
    ]);
    expect((await seen(west2)).map((a) => [a.name, a.region, a.provider])).toEqual([
      [alarm("fn-west-errors").state.name, "us-west-2", west],
    ]);
    expect(alarm("fn-west-errors").region).toBe("us-west-2");
    expect(silent.alarms).toEqual([]);
  });
});

describe("Network alone", () => {
  const args = (over: Partial<NetworkArgs> = {}): NetworkArgs => ({
    region: "us-east-1",
    provider,
    cidrBlock: "10.0.0.0/16",
    logKeyArn: "arn:aws:kms:us-east-1:123456789012:key/x",
    logRetentionDays: 7,
    accountId: "123456789012",
    ...over,
  });
  it("P4: the CIDR block must parse and the AZ count be 2..6", async () => {
    expect((await build(() => new Network("n1", args({ cidrBlock: "10.0.0.0/33" })))).error).toBe(
      'Network: cidrBlock "10.0.0.0/33" is not a CIDR block',
    );
    for (const azCount of [1, 7]) {
      expect((await build(() => new Network(`n-az${azCount}`, args({ azCount })))).error).toBe(
        `Network: azCount must be 2..6 (Aurora needs subnets in two AZs), got ${azCount}`,
      );
    }
  });
});

describe("HealthCheck alone", () => {
  const args = (over: Partial<HealthCheckArgs> = {}): HealthCheckArgs => ({
    host: "abc.execute-api.us-east-1.amazonaws.com",
    path: "/v1/health",
    requestIntervalSeconds: 30,
    failureThreshold: 3,
    metricsProvider: provider,
    metricsRegion: "us-east-1",
    alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:t",
    alarmRole: { id: "x", critical: true, failoverTrigger: true },
    ...over,
  });
  it("R5: request interval must be 10 or 30 s and the failure threshold 1..10", async () => {
    expect((await build(() => new HealthCheck("h1", args({ requestIntervalSeconds: 20 })))).error).toBe(
      "HealthCheck: requestIntervalSeconds must be 10 or 30, got 20",
    );
    for (const failureThreshold of [0, 11]) {
      expect(
        (await build(() => new HealthCheck(`h-t${failureThreshold}`, args({ failureThreshold })))).error,
      ).toBe(`HealthCheck: failureThreshold must be 1..10, got ${failureThreshold}`);
    }
  });
  it("R6: exposes its alarm as data, with the role the caller gave it", async () => {
    const hc = new HealthCheck("h-ok", args());
    await settle();
    const [alarm] = hc.alarms;
    expect({ ...alarm, name: undefined, provider: undefined, topicArn: undefined }).toEqual({
      id: "x",
      critical: true,
      failoverTrigger: true,
      region: "us-east-1",
      name: undefined,
      provider: undefined,
      topicArn: undefined,
    });
    expect(await new Promise((r) => alarm.name.apply(r))).toBe(
      recorded().find((x) => x.name === "h-ok-alarm")!.state.name,
    );
  });
});

describe("HealthCanary alone", () => {
  const args = (over: Partial<HealthCanaryArgs> = {}): HealthCanaryArgs => ({
    canaryName: "tap-dev-p-cnry",
    region: "us-west-2",
    provider: west,
    accountId: "123456789012",
    kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/x",
    apiBaseUrl: "https://abc.execute-api.us-west-2.amazonaws.com/v1",
    anonymousOrderStatus: 403,
    runtimeVersion: "syn-nodejs-puppeteer-9.1",
    scheduleMinutes: 5,
    alarmTopicArn: "arn:aws:sns:us-west-2:123456789012:t",
    alarmRole: { id: "c" },
    ...over,
  });
  it("R24: name, runtime and schedule are checked", async () => {
    expect((await build(() => new HealthCanary("c1", args({ canaryName: "Tap-Dev" })))).error).toBe(
      'HealthCanary: name "Tap-Dev" must be 1-21 characters of 0-9, a-z, _ and -',
    );
    expect(
      (await build(() => new HealthCanary("c2", args({ runtimeVersion: "syn-python-1.0" })))).error,
    ).toBe("HealthCanary: syn-python-1.0 is not a Node.js Puppeteer runtime");
    for (const scheduleMinutes of [0, 61]) {
      expect(
        (await build(() => new HealthCanary(`c-s${scheduleMinutes}`, args({ scheduleMinutes })))).error,
      ).toBe("HealthCanary: scheduleMinutes must be 1..60");
    }
  });

  it("D2: the status expected for an anonymous order must be a 4xx (a 2xx would mean the gate is open)", async () => {
    for (const anonymousOrderStatus of [202, 500, 401.5]) {
      expect(
        (await build(() => new HealthCanary(`c-a${anonymousOrderStatus}`, args({ anonymousOrderStatus }))))
          .error,
      ).toBe(`HealthCanary: anonymousOrderStatus must be a 4xx status, got ${anonymousOrderStatus}`);
    }
    expect(
      (await build(() => new HealthCanary("c-a401", args({ anonymousOrderStatus: 401 })))).error,
    ).toBeUndefined();
  });
});

describe("AuroraGlobalDatabase alone", () => {
  const side = (region: "us-east-1" | "us-west-2", p: aws.Provider) => ({
    region,
    provider: p,
    vpcId: "vpc-1",
    subnetIds: ["subnet-1", "subnet-2"],
    clientSecurityGroupId: "sg-1",
    kmsKeyArn: `arn:aws:kms:${region}:123456789012:key/x`,
  });
  const args = (over: Partial<AuroraGlobalDatabaseArgs> = {}): AuroraGlobalDatabaseArgs => ({
    primary: side("us-east-1", provider),
    secondary: side("us-west-2", west),
    engineVersion: "15.14",
    instanceClass: "db.r6g.large",
    databaseName: "orders",
    masterUsername: "tapadmin",
    masterPassword: pulumi.secret("pw"),
    credentialsSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
    backupRetentionDays: 7,
    secondaryAlarmTopicArn: "arn:aws:sns:us-west-2:123456789012:t",
    primaryAlarmTopicArn: "arn:aws:sns:us-east-1:123456789012:t",
    randomProvider: rnd,
    replicationLagAlarmMs: 1000,
    logRetentionDays: 7,
    ...over,
  });
  it("R7/R9: every problem is reported at once, before anything is declared", async () => {
    const r = await build(
      () =>
        new AuroraGlobalDatabase(
          "a1",
          args({
            engineVersion: "16.1",
            secondary: side("us-east-1", provider),
            backupRetentionDays: 36,
            primary: { ...side("us-east-1", provider), instanceCount: 1 },
            databaseName: "Orders",
          }),
        ),
    );
    expect(r.error).toBe(
      "AuroraGlobalDatabase: engineVersion 16.1 is not 15.x; primary and secondary must be different regions; " +
        "backupRetentionDays must be 1..35; the primary needs a writer and at least one reader; " +
        "databaseName Orders is invalid",
    );
    expect(r.declared).toBe(1);
    const zero = await build(
      () =>
        new AuroraGlobalDatabase("a2", args({ secondary: { ...side("us-west-2", west), instanceCount: 0 } })),
    );
    expect(zero.error).toBe("AuroraGlobalDatabase: the secondary needs at least one instance");
  });
});

describe("OrderForwarder alone", () => {
  const args = (over: Partial<OrderForwarderArgs> = {}): OrderForwarderArgs => ({
    provider,
    region: "us-east-1",
    queueArn: "arn:aws:sqs:us-east-1:123456789012:q",
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/a",
    peer: {
      region: "us-west-2",
      url: "https://sqs.us-west-2.amazonaws.com/123456789012/p",
      arn: "arn:aws:sqs:us-west-2:123456789012:p",
      kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/b",
    },
    forwardingEnabled: true,
    logRetentionDays: 7,
    alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:t",
    ...over,
  });
  it("F1: the peer queue must be in another region, and failedForwardMinutes 1..60", async () => {
    const same = { ...args().peer, region: "us-east-1" as const };
    expect(await build(() => new OrderForwarder("f-same", args({ peer: same })))).toEqual({
      error: "OrderForwarder: the peer queue must be in another region than us-east-1",
      declared: 1,
    });
    for (const m of [0, 61, 2.5]) {
      expect((await build(() => new OrderForwarder(`f${m}`, args({ failedForwardMinutes: m })))).error).toBe(
        `OrderForwarder: failedForwardMinutes must be 1..60, got ${m}`,
      );
    }
    expect((await build(() => new OrderForwarder("f-ok", args()))).error).toBeUndefined();
  });
});

describe("FailoverOrchestrator alone", () => {
  const args = (over: Partial<FailoverOrchestratorArgs> = {}): FailoverOrchestratorArgs => ({
    region: "us-west-2",
    provider: west,
    globalClusterId: "g",
    globalClusterArn: "arn:aws:rds::123456789012:global-cluster:g",
    primaryClusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:p",
    secondaryClusterArn: "arn:aws:rds:us-west-2:123456789012:cluster:s",
    alertTopicArn: "arn:aws:sns:us-west-2:123456789012:t",
    publishTopicArns: ["arn:aws:sns:us-west-2:123456789012:t"],
    kmsKeyArns: ["arn:aws:kms:us-west-2:123456789012:key/a"],
    alarmAction: "notify",
    processingSites: [],
    logKeyArn: "arn:aws:kms:us-west-2:123456789012:key/a",
    logRetentionDays: 7,
    ...over,
  });
  it("X1/X6: convergeMinutes must be a whole 1..60 (an EventBridge rate is whole minutes)", async () => {
    for (const m of [0, 61, 2.5]) {
      expect(await build(() => new FailoverOrchestrator(`o${m}`, args({ convergeMinutes: m })))).toEqual({
        error: `FailoverOrchestrator: convergeMinutes must be 1..60, got ${m}`,
        declared: 1,
      });
    }
    expect((await build(() => new FailoverOrchestrator("o-ok", args({ convergeMinutes: 1 })))).error).toBe(
      undefined,
    );
  });
});
