/**
 * Every live check of test/integration/checks, fed AWS answers through aws-sdk-client-mock: the healthy
 * answer passes (so the check can pass at all) and each degraded answer fails naming the problem (so it
 * can never pass vacuously). Clients are mocked per region: a check that asks the wrong region gets an
 * error, as AWS would answer "not found" there.
 */
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { GetFunctionConfigurationCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import {
  DescribeDBClustersCommand,
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
import { checkCanaries } from "../integration/checks/canaries";
import { checkOrdersTable, checkSecretReplica } from "../integration/checks/data-stores";
import { checkFailoverFunction, invokeFailoverDryRun } from "../integration/checks/failover-function";
import { checkDlqsEmpty } from "../integration/checks/queues";
import { checkProcessingFollowsWriter } from "../integration/checks/processing";
import { GetEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { checkPrimaryHealthCheck } from "../integration/checks/route53";
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

  it("regional clusters: each asked in its own region; unencrypted, wrong version or not available fail", async () => {
    const cluster = (arn: string, extra = {}) => ({
      DBClusters: [
        {
          DBClusterArn: arn,
          Status: "available",
          StorageEncrypted: true,
          EngineVersion: o.dbEngineVersion,
          ...extra,
        },
      ],
    });
    mockClient(pool.rds(P)).on(DescribeDBClustersCommand).resolves(cluster(o.primaryClusterArn));
    mockClient(pool.rds(S)).on(DescribeDBClustersCommand).resolves(cluster(o.secondaryClusterArn));
    await expect(checkAuroraClusters(pool, o)).resolves.toBeUndefined();

    mockClient(pool.rds(S))
      .on(DescribeDBClustersCommand)
      .resolves(
        cluster(o.secondaryClusterArn, {
          Status: "modifying",
          StorageEncrypted: false,
          EngineVersion: "15.2",
        }),
      );
    const err = await failureOf(checkAuroraClusters(pool, o));
    expect(err.message).toMatch(/Status is modifying/);
    expect(err.message).toMatch(/storage is not encrypted/);
    expect(err.message).toMatch(/EngineVersion is 15.2, expected 16.4/);
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
});

describe("Synthetics canaries", () => {
  const at = (iso: string) => new Date(iso);
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
      m.on(GetCanaryCommand, { Name }).resolves({ Canary: { Name, Status: { State: state as never } } });
      m.on(GetCanaryRunsCommand, { Name }).resolves(runs(latest));
    }
    return m;
  }

  it("passes when every canary runs in its own region and its latest finished run passed", async () => {
    mockRegion(P, [o.primaryCanaryName]);
    mockRegion(S, [o.secondaryCanaryName, o.probeCanaryName]);
    await expect(checkCanaries(pool, o)).resolves.toEqual({
      [o.primaryCanaryName]: `${P}:RUNNING:PASSED`,
      [o.secondaryCanaryName]: `${S}:RUNNING:PASSED`,
      [o.probeCanaryName]: `${S}:RUNNING:PASSED`,
    });
  });

  it("fails when the latest finished run failed although the canary is RUNNING (older runs passed)", async () => {
    mockRegion(P, [o.primaryCanaryName], "FAILED");
    mockRegion(S, [o.secondaryCanaryName, o.probeCanaryName]);
    await expect(checkCanaries(pool, o)).rejects.toThrow(
      /tap-dev-p-cnry \(us-east-1\): latest finished run .* FAILED: HTTP 503/,
    );
  });

  it("fails when the probe canary is looked for in the secondary region but lives in the primary", async () => {
    mockRegion(P, [o.primaryCanaryName, o.probeCanaryName]);
    mockRegion(S, [o.secondaryCanaryName]);
    await expect(checkCanaries(pool, o)).rejects.toThrow(
      /Synthetics GetCanary tap-dev-x-cnry \(us-west-2\) failed: ResourceNotFoundException/,
    );
  });

  it("fails on a stopped canary and on canaryNames that disagree with the names by role", async () => {
    mockRegion(P, [o.primaryCanaryName], "PASSED", "STOPPED");
    mockRegion(S, [o.secondaryCanaryName, o.probeCanaryName]);
    const err = await failureOf(checkCanaries(pool, { ...o, canaryNames: ["a"] }));
    expect(err.message).toMatch(/canary state is STOPPED, expected RUNNING/);
    expect(err.message).toMatch(/canaryNames \[a\] differ/);
  });
});

describe("failover function", () => {
  const env = {
    GLOBAL_CLUSTER_ID: o.globalClusterId,
    TARGET_CLUSTER_ARN: o.secondaryClusterArn,
    ALERT_TOPIC_ARN: o.secondarySnsTopicArn,
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
  function mockAlarms(region: string, composite: Record<string, string>, metric: Record<string, string>) {
    const cw = mockClient(pool.cloudwatch(region));
    cw.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[]; AlarmTypes?: string[] }) => {
      const name = input.AlarmNames[0];
      // As documented: without AlarmTypes only metric alarms come back.
      const wantsComposite = input.AlarmTypes?.includes("CompositeAlarm") ?? false;
      const wantsMetric = input.AlarmTypes === undefined || input.AlarmTypes.includes("MetricAlarm");
      return {
        CompositeAlarms:
          wantsComposite && composite[name] ? [{ AlarmName: name, StateValue: composite[name] }] : [],
        MetricAlarms: wantsMetric && metric[name] ? [{ AlarmName: name, StateValue: metric[name] }] : [],
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
