/**
 * Every live check of test/integration/checks, fed AWS answers through aws-sdk-client-mock: the healthy
 * answer passes (so the check can pass at all) and each degraded answer fails naming the problem (so it
 * can never pass vacuously). Clients are mocked per region: a check that asks the wrong region gets an
 * error, as AWS would answer "not found" there.
 */
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import {
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
} from "@aws-sdk/client-lambda";
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  type GlobalCluster,
} from "@aws-sdk/client-rds";
import { GetHealthCheckCommand, GetHealthCheckStatusCommand } from "@aws-sdk/client-route-53";
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { GetCanaryCommand, GetCanaryRunsCommand } from "@aws-sdk/client-synthetics";
import { mockClient } from "aws-sdk-client-mock";
import { checkAlarms } from "../integration/checks/alarms";
import { checkAuroraClusters, checkAuroraGlobalCluster } from "../integration/checks/aurora";
import { checkCanaries, scheduleIntervalMs } from "../integration/checks/canaries";
import { checkOrdersTable, checkSecretReplica } from "../integration/checks/data-stores";
import { checkFailoverFunction, invokeFailoverDryRun } from "../integration/checks/failover-function";
import { checkDlqsEmpty, checkRejectsQueues } from "../integration/checks/queues";
import { checkOrderProcessors } from "../integration/checks/processors";
import { PARKED_RETENTION_SECONDS } from "../../lib/orders/order-queue";
import { checkProcessingFollowsWriter } from "../integration/checks/processing";
import { GetEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { checkPrimaryHealthCheck, checkSecondaryHealthCheck } from "../integration/checks/route53";
import { checkS3ObjectReplicates, S3_PROBE_PREFIX } from "../integration/checks/s3-replication";
import { ClientPool } from "../integration/support/clients";
import { fakeOutputs } from "./fixtures";

const o = {
  ...fakeOutputs(),
  failoverFunctionArn: "arn:aws:lambda:us-west-2:123456789012:function:tap-dev-failover",
  primaryHealthUrl: "https://abc.execute-api.us-east-1.amazonaws.com/v1/health",
};
const P = o.primaryRegion;
const S = o.secondaryRegion;
const notFound = () => Object.assign(new Error("not here"), { name: "ResourceNotFoundException" });

interface LooseStub {
  on(
    command: unknown,
    input?: unknown,
  ): { resolves(output: unknown): unknown; rejects(err: unknown): unknown };
}

/** The error a check failed with; fails the test if the check passed. */
async function failureOf(check: Promise<unknown>): Promise<Error> {
  try {
    await check;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the check to fail, but it passed");
}

let pool: ClientPool;
beforeEach(() => {
  pool = new ClientPool();
});
afterEach(() => pool.destroy());

function healthyGlobalCluster(): GlobalCluster {
  return {
    GlobalClusterIdentifier: o.globalClusterId,
    Status: "available",
    GlobalClusterMembers: [
      { DBClusterArn: o.primaryClusterArn, IsWriter: true },
      { DBClusterArn: o.secondaryClusterArn, IsWriter: false, SynchronizationStatus: "connected" },
    ],
  };
}

describe("Aurora global cluster", () => {
  const run = (gc: GlobalCluster) => {
    mockClient(pool.rds(S))
      .on(DescribeGlobalClustersCommand)
      .resolves({ GlobalClusters: [gc] });
    return checkAuroraGlobalCluster(pool, o);
  };

  it("passes on a healthy global cluster and reports the writer", async () => {
    expect((await run(healthyGlobalCluster())).writer).toBe(o.primaryClusterArn);
  });

  it("fails on a cluster failing over with no writer and the secondary pending-resync", async () => {
    const gc = healthyGlobalCluster();
    gc.Status = "failing-over";
    gc.FailoverState = {
      Status: "failing-over",
      FromDbClusterArn: o.primaryClusterArn,
      ToDbClusterArn: o.secondaryClusterArn,
    };
    gc.GlobalClusterMembers = [
      { DBClusterArn: o.primaryClusterArn, IsWriter: false, SynchronizationStatus: "connected" },
      { DBClusterArn: o.secondaryClusterArn, IsWriter: false, SynchronizationStatus: "pending-resync" },
    ];
    const err = await failureOf(run(gc));
    expect(err.message).toMatch(/Status is failing-over, expected available/);
    expect(err.message).toMatch(/FailoverState is active: failing-over/);
    expect(err.message).toMatch(/expected exactly one writer, found 0/);
    expect(err.message).toMatch(
      /tap-dev-secondary SynchronizationStatus is pending-resync, expected connected/,
    );
  });

  it("fails on two writers, naming both", async () => {
    const gc = healthyGlobalCluster();
    gc.GlobalClusterMembers = gc.GlobalClusterMembers!.map((m) => ({ ...m, IsWriter: true }));
    await expect(run(gc)).rejects.toThrow(/found 2: .*tap-dev-primary, .*tap-dev-secondary/);
  });

  it("fails when a member is missing or foreign", async () => {
    const gc = healthyGlobalCluster();
    gc.GlobalClusterMembers![1].DBClusterArn = "arn:aws:rds:us-west-2:123456789012:cluster:other";
    await expect(run(gc)).rejects.toThrow(/members are \[.*other.*\], expected/);
  });

  it("fails when the global cluster is not found", async () => {
    mockClient(pool.rds(S)).on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    await expect(checkAuroraGlobalCluster(pool, o)).rejects.toThrow(/not found/);
  });

  /** A regional cluster answered in `region`, with its DB instances (one available writer by default). */
  function mockCluster(
    region: string,
    arn: string,
    extra = {},
    instances: { DBInstanceIdentifier: string; DBInstanceStatus: string }[] = [
      { DBInstanceIdentifier: `${arn.split(":").pop()}-1`, DBInstanceStatus: "available" },
    ],
  ) {
    const rds = mockClient(pool.rds(region));
    rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        {
          DBClusterArn: arn,
          Status: "available",
          StorageEncrypted: true,
          EngineVersion: o.dbEngineVersion,
          DBClusterMembers: instances.map((i) => ({ DBInstanceIdentifier: i.DBInstanceIdentifier })),
          ...extra,
        },
      ],
    });
    rds.on(DescribeDBInstancesCommand).rejects(notFound());
    rds
      .on(DescribeDBInstancesCommand, { Filters: [{ Name: "db-cluster-id", Values: [arn] }] })
      .resolves({ DBInstances: instances });
  }

  it("regional clusters: each asked in its own region; unencrypted, wrong version or not available fail", async () => {
    mockCluster(P, o.primaryClusterArn);
    mockCluster(S, o.secondaryClusterArn);
    await expect(checkAuroraClusters(pool, o)).resolves.toBeUndefined();

    mockCluster(S, o.secondaryClusterArn, {
      Status: "modifying",
      StorageEncrypted: false,
      EngineVersion: "15.2",
    });
    const err = await failureOf(checkAuroraClusters(pool, o));
    expect(err.message).toMatch(/Status is modifying/);
    expect(err.message).toMatch(/storage is not encrypted/);
    expect(err.message).toMatch(/EngineVersion is 15.2, expected 16.4/);
  });

  it("O1: regional clusters: a secondary cluster with no DB instance fails, though available and encrypted", async () => {
    mockCluster(P, o.primaryClusterArn);
    mockCluster(S, o.secondaryClusterArn, {}, []);
    await expect(checkAuroraClusters(pool, o)).rejects.toThrow(
      /tap-dev-secondary: has no DB instance \(DBClusterMembers is empty\): it cannot serve or be promoted/,
    );
  });

  it("O1: regional clusters: an instance that is not available fails, naming it", async () => {
    mockCluster(P, o.primaryClusterArn);
    mockCluster(S, o.secondaryClusterArn, {}, [
      { DBInstanceIdentifier: "tap-dev-secondary-1", DBInstanceStatus: "stopped" },
    ]);
    await expect(checkAuroraClusters(pool, o)).rejects.toThrow(
      /instance tap-dev-secondary-1 is stopped, expected available/,
    );
  });
});

describe("Route 53 health check", () => {
  const healthyConfig = {
    Type: "HTTPS" as const,
    Port: 443,
    FullyQualifiedDomainName: "abc.execute-api.us-east-1.amazonaws.com",
    ResourcePath: "/v1/health",
    RequestInterval: 30,
    FailureThreshold: 3,
    EnableSNI: true,
  };
  const observations = (ok: number, bad: number) => [
    ...Array.from({ length: ok }, (_, i) => ({
      Region: `r${i}`,
      StatusReport: { Status: "Success: HTTP Status Code 200, OK" },
    })),
    ...Array.from({ length: bad }, (_, i) => ({
      Region: `f${i}`,
      StatusReport: { Status: "Failure: Connection timed out" },
    })),
  ];
  const run = (cfg: object, ok = 8, bad = 0, outputs = o) => {
    const r53 = mockClient(pool.route53());
    r53.on(GetHealthCheckCommand).resolves({
      HealthCheck: {
        Id: "hc",
        CallerReference: "x",
        HealthCheckVersion: 1,
        HealthCheckConfig: { ...healthyConfig, ...cfg },
      },
    });
    r53.on(GetHealthCheckStatusCommand).resolves({ HealthCheckObservations: observations(ok, bad) as never });
    return checkPrimaryHealthCheck(pool, outputs);
  };

  it("passes when enabled, SNI on, configured interval/threshold, and most checkers see success", async () => {
    await expect(run({}, 6, 2)).resolves.toEqual({ checkers: 8, succeeding: 6 });
  });

  it("fails when disabled, inverted and SNI off", async () => {
    const err = await failureOf(run({ Disabled: true, Inverted: true, EnableSNI: false }));
    expect(err.message).toMatch(/Disabled is true, expected false/);
    expect(err.message).toMatch(/Inverted is true, expected false/);
    expect(err.message).toMatch(/EnableSNI is false, expected true/);
  });

  it("compares interval and threshold with the stack's configured outputs, not 30/3", async () => {
    const tuned = { ...o, healthCheckIntervalSeconds: 10, healthCheckFailureThreshold: 2 };
    await expect(run({ RequestInterval: 10, FailureThreshold: 2 }, 8, 0, tuned)).resolves.toBeDefined();
    await expect(run({}, 8, 0, tuned)).rejects.toThrow(
      /RequestInterval is 30, expected 10[\s\S]*FailureThreshold is 3, expected 2/,
    );
  });

  it("fails when half or more of the checkers report failure, or none report", async () => {
    await expect(run({}, 4, 4)).rejects.toThrow(/only 4 of 8 checkers report success \(e\.g\. f0: Failure/);
    await expect(run({}, 0, 0)).rejects.toThrow(/no Route 53 checker reports a status yet/);
  });

  it("O1: the secondary's health check is read by its own id and compared with the secondary's URL", async () => {
    const secondary = {
      ...o,
      secondaryHealthUrl: "https://def.execute-api.us-west-2.amazonaws.com/v1/health",
    };
    const r53 = mockClient(pool.route53());
    r53.on(GetHealthCheckCommand).rejects(notFound());
    r53.on(GetHealthCheckStatusCommand).rejects(notFound());
    const answer = (cfg: object) => {
      r53.on(GetHealthCheckCommand, { HealthCheckId: o.secondaryHealthCheckId }).resolves({
        HealthCheck: {
          Id: o.secondaryHealthCheckId,
          CallerReference: "x",
          HealthCheckVersion: 1,
          HealthCheckConfig: {
            ...healthyConfig,
            FullyQualifiedDomainName: "def.execute-api.us-west-2.amazonaws.com",
            ...cfg,
          },
        },
      });
      r53
        .on(GetHealthCheckStatusCommand, { HealthCheckId: o.secondaryHealthCheckId })
        .resolves({ HealthCheckObservations: observations(8, 0) as never });
    };
    answer({});
    await expect(checkSecondaryHealthCheck(pool, secondary)).resolves.toEqual({ checkers: 8, succeeding: 8 });
    // Broken: disabled, and pointed at the primary's API.
    answer({ Disabled: true, FullyQualifiedDomainName: "abc.execute-api.us-east-1.amazonaws.com" });
    const err = await failureOf(checkSecondaryHealthCheck(pool, secondary));
    expect(err.message).toMatch(/^Route 53 health check 66666666-7777-8888-9999-000000000000: 2 problem/);
    expect(err.message).toMatch(
      /FullyQualifiedDomainName is abc.execute-api.us-east-1.amazonaws.com, expected def.execute-api.us-west-2.amazonaws.com/,
    );
    expect(err.message).toMatch(/Disabled is true, expected false/);
  });
});

describe("Synthetics canaries", () => {
  const at = (iso: string) => new Date(iso);
  /** A minute after the RUNNING run started: everything in runs() is recent. */
  const NOW = at("2026-01-01T00:11:00Z");
  const runs = (latest: "PASSED" | "FAILED") => ({
    CanaryRuns: [
      { Status: { State: "RUNNING" as const }, Timeline: { Started: at("2026-01-01T00:10:00Z") } },
      { Status: { State: "PASSED" as const }, Timeline: { Completed: at("2026-01-01T00:01:00Z") } },
      {
        Status: { State: latest, StateReason: "HTTP 503" },
        Timeline: { Completed: at("2026-01-01T00:06:00Z") },
      },
    ],
  });
  function mockRegion(
    region: string,
    names: string[],
    latest: "PASSED" | "FAILED" = "PASSED",
    state = "RUNNING",
  ) {
    // @aws-sdk/client-synthetics 3.669 (the newest published) predates the smithy types aws-sdk-client-mock
    // is typed against; the runtime is the same, the loose type only bridges the declaration skew.
    const m = mockClient(pool.synthetics(region) as never) as unknown as LooseStub;
    m.on(GetCanaryCommand).rejects(notFound());
    m.on(GetCanaryRunsCommand).rejects(notFound());
    for (const Name of names) {
      m.on(GetCanaryCommand, { Name }).resolves({
        Canary: {
          Name,
          Status: { State: state as never },
          Schedule: { Expression: "rate(5 minutes)" },
          RunConfig: { TimeoutInSeconds: 60 },
        },
      });
      m.on(GetCanaryRunsCommand, { Name }).resolves(runs(latest));
    }
    return m;
  }

  it("passes when every canary runs in its own region and its latest finished run passed", async () => {
    mockRegion(P, [o.primaryCanaryName]);
    mockRegion(S, [o.secondaryCanaryName, o.probeCanaryName]);
    await expect(checkCanaries(pool, o, NOW)).resolves.toEqual({
      [o.primaryCanaryName]: `${P}:RUNNING:PASSED`,
      [o.secondaryCanaryName]: `${S}:RUNNING:PASSED`,
      [o.probeCanaryName]: `${S}:RUNNING:PASSED`,
    });
  });

  it("fails when the latest finished run failed although the canary is RUNNING (older runs passed)", async () => {
    mockRegion(P, [o.primaryCanaryName], "FAILED");
    mockRegion(S, [o.secondaryCanaryName, o.probeCanaryName]);
    await expect(checkCanaries(pool, o, NOW)).rejects.toThrow(
      /tap-dev-p-cnry \(us-east-1\): latest finished run .* FAILED: HTTP 503/,
    );
  });

  it("fails when the probe canary is looked for in the secondary region but lives in the primary", async () => {
    mockRegion(P, [o.primaryCanaryName, o.probeCanaryName]);
    mockRegion(S, [o.secondaryCanaryName]);
    await expect(checkCanaries(pool, o, NOW)).rejects.toThrow(
      /Synthetics GetCanary tap-dev-x-cnry \(us-west-2\) failed: ResourceNotFoundException/,
    );
  });

  it("fails on a stopped canary and on canaryNames that disagree with the names by role", async () => {
    mockRegion(P, [o.primaryCanaryName], "PASSED", "STOPPED");
    mockRegion(S, [o.secondaryCanaryName, o.probeCanaryName]);
    const err = await failureOf(checkCanaries(pool, { ...o, canaryNames: ["a"] }, NOW));
    expect(err.message).toMatch(/canary state is STOPPED, expected RUNNING/);
    expect(err.message).toMatch(/canaryNames \[a\] differ/);
  });

  it("O1: fails when the last pass is two days old and the runs since hang (RUNNING past their timeout)", async () => {
    mockRegion(P, [o.primaryCanaryName]);
    mockRegion(S, [o.secondaryCanaryName, o.probeCanaryName]);
    const err = await failureOf(checkCanaries(pool, o, at("2026-01-03T00:06:00Z")));
    expect(err.message).toMatch(
      /tap-dev-p-cnry \(us-east-1\): latest finished run completed 2880 min ago, though it runs every 5 min: later runs never finished/,
    );
    expect(err.message).toMatch(
      /tap-dev-x-cnry \(us-west-2\): a run started 2026-01-01T00:10:00.000Z is still RUNNING after 2876 min \(timeout 60 s\): it hangs/,
    );
  });

  it("O1: a run still within its timeout is not hung; a canary scheduled to run once is refused", async () => {
    mockRegion(P, [o.primaryCanaryName]);
    mockRegion(S, [o.secondaryCanaryName, o.probeCanaryName]);
    // 00:11:59: the RUNNING run is 119 s old, inside 60 s timeout + the 60 s margin.
    await expect(checkCanaries(pool, o, at("2026-01-01T00:11:59Z"))).resolves.toBeDefined();
    await expect(checkCanaries(pool, o, at("2026-01-01T00:12:01Z"))).rejects.toThrow(/it hangs/);
    expect([scheduleIntervalMs("rate(5 minutes)"), scheduleIntervalMs("rate(1 hour)")]).toEqual([
      300_000, 3_600_000,
    ]);
    expect([scheduleIntervalMs("rate(0 minute)"), scheduleIntervalMs("cron(0 * * * ? *)")]).toEqual([
      undefined,
      undefined,
    ]);
  });
});

describe("failover function", () => {
  /** The whole environment contract, as the stack writes it. */
  const env: Record<string, string> = {
    GLOBAL_CLUSTER_ID: o.globalClusterId,
    TARGET_CLUSTER_ARN: o.secondaryClusterArn,
    ALERT_TOPIC_ARN: o.secondarySnsTopicArn,
    ALARM_ACTION: "notify",
    TIME_BUDGET_MS: "270000",
    MAX_ATTEMPTS: "5",
    POLL_INTERVAL_MS: "15000",
    NOTIFY_TIMEOUT_MS: "2000",
    ALLOWED_ALARMS: o.primaryHealthAlarmName,
    PROCESSING_SITES: o.processingSites,
    RECONCILE_FUNCTION_NAME: "tap-dev-reconcile",
  };
  const run = (variables: Record<string, string>, extra = {}) => {
    mockClient(pool.lambda(S))
      .on(GetFunctionConfigurationCommand)
      .resolves({
        State: "Active",
        LastUpdateStatus: "Successful",
        Environment: { Variables: variables },
        ...extra,
      });
    return checkFailoverFunction(pool, o);
  };

  it("passes when it points at this stack's global cluster, target cluster and topic", async () => {
    await expect(run(env)).resolves.toBeUndefined();
  });

  it("fails when pointed at another cluster and topic", async () => {
    const err = await failureOf(
      run({
        ...env,
        TARGET_CLUSTER_ARN: o.primaryClusterArn,
        ALERT_TOPIC_ARN: o.primarySnsTopicArn,
      }),
    );
    expect(err.message).toMatch(/TARGET_CLUSTER_ARN is .*tap-dev-primary, expected .*tap-dev-secondary/);
    expect(err.message).toMatch(/ALERT_TOPIC_ARN is arn:aws:sns:us-east-1/);
  });

  it("fails when inactive, or deployed outside the secondary region", async () => {
    await expect(run(env, { State: "Failed" })).rejects.toThrow(/State is Failed, expected Active/);
    mockClient(pool.lambda(P))
      .on(GetFunctionConfigurationCommand)
      .resolves({ State: "Active", Environment: { Variables: env } });
    const inPrimary = { ...o, failoverFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f" };
    await expect(checkFailoverFunction(pool, inPrimary)).rejects.toThrow(
      /function is in us-east-1, expected the secondary region us-west-2/,
    );
  });

  it("O1: fails on an empty alarm allowlist and on no processing sites (the rest of the contract intact)", async () => {
    const err = await failureOf(run({ ...env, ALLOWED_ALARMS: "", PROCESSING_SITES: "" }));
    expect(err.message).toMatch(/ALLOWED_ALARMS is empty: no alarm can start a failover/);
    expect(err.message).toMatch(
      /PROCESSING_SITES is empty: a failover would neither move processing to the new writer nor redrive a DLQ/,
    );
  });

  it("O1/X2: fails on an allowlist that lets the probe alarm (one vantage point) start a failover, and on sites that are not the stack's", async () => {
    const oneRegion = JSON.stringify(JSON.parse(o.processingSites).slice(0, 1));
    const err = await failureOf(
      run({
        ...env,
        ALLOWED_ALARMS: `${o.primaryHealthAlarmName},${o.probeAlarmName}`,
        PROCESSING_SITES: oneRegion,
      }),
    );
    expect(err.message).toMatch(
      /ALLOWED_ALARMS is \[tap-dev-health-primary-alarm, tap-dev-x-canary-alarm\], expected the failover triggers \[tap-dev-health-primary-alarm\]/,
    );
    expect(err.message).toMatch(/PROCESSING_SITES differs from the stack's processingSites output/);
  });

  it("O1: fails on any value the function itself would refuse to load", async () => {
    await expect(run({ ...env, MAX_ATTEMPTS: "0", ALARM_ACTION: "promote" })).rejects.toThrow(
      /the function cannot load its environment: ALARM_ACTION: "promote" is not one of notify, failover[\s\S]*the function cannot load its environment: MAX_ATTEMPTS/,
    );
  });

  it("dry-run invoke: passes only on result dry-run, fails on a function error or a real result", async () => {
    const lambda = mockClient(pool.lambda(S));
    const answer = (body: object, FunctionError?: string) =>
      lambda.on(InvokeCommand).resolves({
        StatusCode: 200,
        FunctionError,
        Payload: new TextEncoder().encode(JSON.stringify(body)) as never,
      });
    answer({ ok: true, result: "dry-run", message: "would fail over" });
    await expect(invokeFailoverDryRun(pool, o)).resolves.toMatchObject({ result: "dry-run" });
    expect(
      JSON.parse(
        new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0].args[0].input.Payload as Uint8Array),
      ),
    ).toMatchObject({
      mode: "failover",
      dryRun: true,
    });
    answer({ errorMessage: "AccessDenied: rds:DescribeGlobalClusters" }, "Unhandled");
    await expect(invokeFailoverDryRun(pool, o)).rejects.toThrow(
      /the function failed \(Unhandled\): .*AccessDenied/,
    );
    answer({ ok: false, result: "failed", message: "x" });
    await expect(invokeFailoverDryRun(pool, o)).rejects.toThrow(/expected result "dry-run"/);
  });
});

describe("DynamoDB table and secret replica", () => {
  const table = (status: string, replica: string) => ({
    Table: { TableStatus: status as never, Replicas: [{ RegionName: S, ReplicaStatus: replica as never }] },
  });

  it("table: passes when ACTIVE with an ACTIVE secondary replica; fails on UPDATING or a missing replica", async () => {
    const ddb = mockClient(pool.dynamodb(P));
    ddb.on(DescribeTableCommand).resolves(table("ACTIVE", "ACTIVE"));
    await expect(checkOrdersTable(pool, o)).resolves.toBeUndefined();
    ddb.on(DescribeTableCommand).resolves(table("UPDATING", "ACTIVE"));
    await expect(checkOrdersTable(pool, o)).rejects.toThrow(/TableStatus is UPDATING, expected ACTIVE/);
    ddb.on(DescribeTableCommand).resolves({ Table: { TableStatus: "ACTIVE", Replicas: [] } });
    await expect(checkOrdersTable(pool, o)).rejects.toThrow(/no replica in us-west-2/);
  });

  it("secret: passes on an InSync replica in the secondary region; fails on InProgress, Failed or none", async () => {
    const sm = mockClient(pool.secretsManager(P));
    sm.on(DescribeSecretCommand).resolves({ ReplicationStatus: [{ Region: S, Status: "InSync" }] });
    await expect(checkSecretReplica(pool, o)).resolves.toBeUndefined();
    sm.on(DescribeSecretCommand).resolves({
      ReplicationStatus: [{ Region: S, Status: "Failed", StatusMessage: "KMS denied" }],
    });
    await expect(checkSecretReplica(pool, o)).rejects.toThrow(/replica in us-west-2 is Failed: KMS denied/);
    sm.on(DescribeSecretCommand).resolves({ ReplicationStatus: [{ Region: "eu-west-1", Status: "InSync" }] });
    await expect(checkSecretReplica(pool, o)).rejects.toThrow(/no replica in us-west-2/);
  });
});

describe("CloudWatch alarms", () => {
  /** SNS actions in the alarm's Region, enabled: an alarm that can tell someone. */
  const acting = (region: string) => ({
    ActionsEnabled: true,
    AlarmActions: [`arn:aws:sns:${region}:123456789012:tap-dev-alerts`],
    OKActions: [`arn:aws:sns:${region}:123456789012:tap-dev-alerts`],
  });
  function mockAlarms(
    region: string,
    composite: Record<string, string>,
    metric: Record<string, string>,
    actions: object = acting(region),
  ) {
    const cw = mockClient(pool.cloudwatch(region));
    cw.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[]; AlarmTypes?: string[] }) => {
      const name = input.AlarmNames[0];
      // As documented: without AlarmTypes only metric alarms come back.
      const wantsComposite = input.AlarmTypes?.includes("CompositeAlarm") ?? false;
      const wantsMetric = input.AlarmTypes === undefined || input.AlarmTypes.includes("MetricAlarm");
      return {
        CompositeAlarms:
          wantsComposite && composite[name]
            ? [{ AlarmName: name, StateValue: composite[name], ...actions }]
            : [],
        MetricAlarms:
          wantsMetric && metric[name] ? [{ AlarmName: name, StateValue: metric[name], ...actions }] : [],
      };
    });
  }

  it("passes when the composite (primary), Route 53 alarm (us-east-1) and probe alarm (secondary) are OK", async () => {
    mockAlarms(P, { [o.compositeAlarmName]: "OK" }, { [o.primaryHealthAlarmName]: "OK" });
    mockAlarms(S, {}, { [o.probeAlarmName]: "OK" });
    await expect(checkAlarms(pool, o)).resolves.toEqual({
      [o.compositeAlarmName]: "OK",
      [o.primaryHealthAlarmName]: "OK",
      [o.probeAlarmName]: "OK",
    });
  });

  it("fails on an alarm in ALARM and on one that exists only in another region", async () => {
    mockAlarms(
      P,
      { [o.compositeAlarmName]: "ALARM" },
      { [o.primaryHealthAlarmName]: "OK", [o.probeAlarmName]: "OK" },
    );
    mockAlarms(S, {}, {});
    const err = await failureOf(checkAlarms(pool, o));
    expect(err.message).toMatch(
      /composite alarm tap-dev-monitoring-primary-critical \(us-east-1\): state is ALARM/,
    );
    expect(err.message).toMatch(/probe canary\) alarm tap-dev-x-canary-alarm \(us-west-2\): does not exist/);
  });

  it("O1: fails on an OK alarm whose actions are disabled, or that has none", async () => {
    mockAlarms(
      P,
      { [o.compositeAlarmName]: "OK" },
      { [o.primaryHealthAlarmName]: "OK" },
      {
        ...acting(P),
        ActionsEnabled: false,
      },
    );
    mockAlarms(
      S,
      {},
      { [o.probeAlarmName]: "OK" },
      { ActionsEnabled: true, AlarmActions: [], OKActions: [] },
    );
    const err = await failureOf(checkAlarms(pool, o));
    expect(err.message).toMatch(
      /Route 53\) alarm tap-dev-health-primary-alarm \(us-east-1\): actions are disabled \(ActionsEnabled is not true\)/,
    );
    expect(err.message).toMatch(/composite alarm .*: actions are disabled/);
    expect(err.message).toMatch(
      /probe canary\) alarm tap-dev-x-canary-alarm \(us-west-2\): AlarmActions is empty/,
    );
    expect(err.message).toMatch(/tap-dev-x-canary-alarm \(us-west-2\): OKActions is empty/);
  });

  it("O1: fails on an alarm that notifies a topic of another Region than the stack gave it", async () => {
    mockAlarms(P, { [o.compositeAlarmName]: "OK" }, { [o.primaryHealthAlarmName]: "OK" });
    mockAlarms(S, {}, { [o.probeAlarmName]: "OK" }, acting(P));
    await expect(checkAlarms(pool, o)).rejects.toThrow(
      /tap-dev-x-canary-alarm \(us-west-2\): AlarmActions has arn:aws:sns:us-east-1:123456789012:tap-dev-alerts: not an SNS topic in us-west-2/,
    );
  });
});

describe("dead-letter queues", () => {
  const depth = (region: string, visible: string, inFlight = "0") =>
    mockClient(pool.sqs(region))
      .on(GetQueueAttributesCommand)
      .resolves({
        Attributes: {
          ApproximateNumberOfMessages: visible,
          ApproximateNumberOfMessagesNotVisible: inFlight,
          ApproximateNumberOfMessagesDelayed: "0",
        },
      });

  it("passes when both are empty; fails naming the queue when one holds messages (in flight too)", async () => {
    depth(P, "0");
    depth(S, "0");
    await expect(checkDlqsEmpty(pool, o)).resolves.toBeUndefined();
    depth(S, "0", "2");
    await expect(checkDlqsEmpty(pool, o)).rejects.toThrow(
      /tap-dev-orders-dlq \(us-west-2\) holds 2 message\(s\)/,
    );
  });
});

describe("S3 replication round trip", () => {
  const fast = { intervalMs: 5, timeoutMs: 200 };

  it("passes once the object shows up as a REPLICA, then deletes both versions", async () => {
    const src = mockClient(pool.s3(P));
    const dst = mockClient(pool.s3(S));
    src.on(PutObjectCommand).resolves({ VersionId: "v1" });
    src.on(DeleteObjectCommand).resolves({});
    dst.on(DeleteObjectCommand).resolves({});
    dst
      .on(HeadObjectCommand)
      .rejectsOnce(Object.assign(new Error("nf"), { name: "NotFound" }))
      .resolves({ ReplicationStatus: "REPLICA", VersionId: "r1" });
    const trip = await checkS3ObjectReplicates(pool, o, fast);
    expect(trip.key.startsWith(S3_PROBE_PREFIX)).toBe(true);
    expect(src.commandCalls(DeleteObjectCommand)[0].args[0].input).toMatchObject({
      Key: trip.key,
      VersionId: "v1",
    });
    expect(dst.commandCalls(DeleteObjectCommand)[0].args[0].input).toMatchObject({
      Key: trip.key,
      VersionId: "r1",
    });
  });

  it("fails when the object never arrives (and still deletes what it wrote)", async () => {
    const src = mockClient(pool.s3(P));
    src.on(PutObjectCommand).resolves({ VersionId: "v1" });
    src.on(DeleteObjectCommand).resolves({});
    mockClient(pool.s3(S))
      .on(HeadObjectCommand)
      .rejects(Object.assign(new Error("nf"), { name: "NotFound" }));
    await expect(checkS3ObjectReplicates(pool, o, fast)).rejects.toThrow(/not seen within 200 ms/);
    expect(src.commandCalls(DeleteObjectCommand)).toHaveLength(1);
  });

  it("fails when the object in the replica bucket is not a replica", async () => {
    mockClient(pool.s3(P)).on(PutObjectCommand).resolves({ VersionId: "v1" });
    mockClient(pool.s3(S)).on(HeadObjectCommand).resolves({ ReplicationStatus: "PENDING" });
    await expect(checkS3ObjectReplicates(pool, o, fast)).rejects.toThrow(
      /ReplicationStatus is PENDING, expected REPLICA/,
    );
  });
});

describe("processing follows the writer (F1/F2)", () => {
  const [east, west] = JSON.parse(o.processingSites) as {
    mappingUuid: string;
    forwarderMappingUuid: string;
  }[];
  /** Mapping states per Region, each answered only by that Region's Lambda client. */
  function mockMappings(states: Record<string, Record<string, string>>) {
    for (const [region, byUuid] of Object.entries(states)) {
      const lambda = mockClient(pool.lambda(region));
      lambda.on(GetEventSourceMappingCommand).callsFake((input: { UUID: string }) => {
        if (!byUuid[input.UUID]) throw notFound();
        return { UUID: input.UUID, State: byUuid[input.UUID] };
      });
    }
  }

  it("F1: passes when the writer's Region books and the other forwards, each mapping read in its own Region", async () => {
    mockMappings({
      [P]: { [east.mappingUuid]: "Enabled", [east.forwarderMappingUuid]: "Disabled" },
      [S]: { [west.mappingUuid]: "Disabled", [west.forwarderMappingUuid]: "Enabled" },
    });
    await expect(checkProcessingFollowsWriter(pool, o, P)).resolves.toEqual({
      "us-east-1 processor": "Enabled",
      "us-east-1 forwarder": "Disabled",
      "us-west-2 processor": "Disabled",
      "us-west-2 forwarder": "Enabled",
    });
  });

  it("F2: after a failover left the old Region booking (it was down), the check names both wrong mappings", async () => {
    mockMappings({
      [P]: { [east.mappingUuid]: "Enabled", [east.forwarderMappingUuid]: "Disabled" },
      [S]: { [west.mappingUuid]: "Enabled", [west.forwarderMappingUuid]: "Disabled" },
    });
    const err = await failureOf(checkProcessingFollowsWriter(pool, o, S));
    expect(err.message).toMatch(
      /us-east-1 processor mapping is Enabled, expected Disabled \(a standby forwards\)/,
    );
    expect(err.message).toMatch(/us-east-1 forwarder mapping is Disabled, expected Enabled/);
    expect(err.message).not.toMatch(/us-west-2/);
  });

  it("F2: an update still in flight (Enabling) is reported, not accepted", async () => {
    mockMappings({
      [P]: { [east.mappingUuid]: "Disabling", [east.forwarderMappingUuid]: "Enabled" },
      [S]: { [west.mappingUuid]: "Enabled", [west.forwarderMappingUuid]: "Disabled" },
    });
    const err = await failureOf(checkProcessingFollowsWriter(pool, o, S));
    expect(err.message).toMatch(/us-east-1 processor mapping is Disabling, expected Disabled/);
  });
});

describe("rejects queues", () => {
  /** A rejects queue as the stack builds it, in `region`, with `overrides` applied. */
  const rejects = (region: string, overrides: Record<string, string | undefined> = {}) =>
    mockClient(pool.sqs(region))
      .on(GetQueueAttributesCommand)
      .resolves({
        Attributes: Object.fromEntries(
          Object.entries({
            QueueArn: `arn:aws:sqs:${region}:123456789012:tap-dev-orders-rejects`,
            KmsMasterKeyId: `arn:aws:kms:${region}:123456789012:key/1`,
            MessageRetentionPeriod: String(PARKED_RETENTION_SECONDS),
            ApproximateNumberOfMessages: "0",
            ApproximateNumberOfMessagesNotVisible: "0",
            ApproximateNumberOfMessagesDelayed: "0",
            ...overrides,
          }).filter(([, v]) => v !== undefined),
        ),
      });

  it("O1: passes on an empty, encrypted rejects queue keeping messages 14 days in each region", async () => {
    rejects(P);
    rejects(S);
    await expect(checkRejectsQueues(pool, o)).resolves.toBeUndefined();
  });

  it("O1: fails on parked orders, a queue without its key, a short retention, or one of another region", async () => {
    rejects(P, { ApproximateNumberOfMessages: "3", KmsMasterKeyId: undefined });
    rejects(S, { MessageRetentionPeriod: "345600", QueueArn: "arn:aws:sqs:us-east-1:123456789012:x" });
    const err = await failureOf(checkRejectsQueues(pool, o));
    expect(err.message).toMatch(/tap-dev-orders-rejects \(us-east-1\): holds 3 refused order\(s\)/);
    expect(err.message).toMatch(/\(us-east-1\): not encrypted with a KMS key/);
    expect(err.message).toMatch(
      /\(us-west-2\): MessageRetentionPeriod is 345600 s, expected 1209600 s: parked orders would expire sooner/,
    );
    expect(err.message).toMatch(
      /\(us-west-2\): QueueArn arn:aws:sqs:us-east-1:123456789012:x is not in us-west-2/,
    );
  });
});

describe("order processors", () => {
  /** The processor of `region` answers `cfg` and `concurrency` (any other name: not found). */
  function processor(region: string, name: string, rejectsUrl: string, cfg = {}, concurrency = {}) {
    const lambda = mockClient(pool.lambda(region));
    lambda.on(GetFunctionConfigurationCommand).rejects(notFound());
    lambda.on(GetFunctionConcurrencyCommand).rejects(notFound());
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: name }).resolves({
      State: "Active",
      LastUpdateStatus: "Successful",
      Environment: { Variables: { REJECTS_QUEUE_URL: rejectsUrl } },
      ...cfg,
    });
    lambda.on(GetFunctionConcurrencyCommand, { FunctionName: name }).resolves(concurrency);
  }

  it("O1: passes when both are Active, park in their own region's rejects queue, and may run", async () => {
    processor(P, o.primaryOrderProcessorName, o.primaryRejectsQueueUrl);
    processor(
      S,
      o.secondaryOrderProcessorName,
      o.secondaryRejectsQueueUrl,
      {},
      { ReservedConcurrentExecutions: 10 },
    );
    await expect(checkOrderProcessors(pool, o)).resolves.toBeUndefined();
  });

  it("O1: fails on a processor throttled to 0, one whose update failed, and one parking in the other region", async () => {
    processor(
      P,
      o.primaryOrderProcessorName,
      o.secondaryRejectsQueueUrl,
      {},
      { ReservedConcurrentExecutions: 0 },
    );
    processor(S, o.secondaryOrderProcessorName, o.secondaryRejectsQueueUrl, {
      LastUpdateStatus: "Failed",
      LastUpdateStatusReason: "ENI limit reached",
    });
    const err = await failureOf(checkOrderProcessors(pool, o));
    expect(err.message).toMatch(
      /tap-dev-primary-processor \(us-east-1\): reserved concurrency is 0: every invocation is throttled and no order is booked/,
    );
    expect(err.message).toMatch(
      /tap-dev-primary-processor \(us-east-1\): REJECTS_QUEUE_URL is https:\/\/sqs.us-west-2.amazonaws.com\/123456789012\/tap-dev-orders-rejects, expected https:\/\/sqs.us-east-1/,
    );
    expect(err.message).toMatch(
      /tap-dev-secondary-processor \(us-west-2\): LastUpdateStatus is Failed: ENI limit reached/,
    );
  });

  it("O1: fails on a processor that is not Active", async () => {
    processor(P, o.primaryOrderProcessorName, o.primaryRejectsQueueUrl, { State: "Inactive" });
    processor(S, o.secondaryOrderProcessorName, o.secondaryRejectsQueueUrl);
    await expect(checkOrderProcessors(pool, o)).rejects.toThrow(/State is Inactive, expected Active/);
  });
});
