/**
 * Every rule of the pack with a passing and a failing (deliberately broken) fixture, run through the
 * same adapter the offline plan uses.
 */
import * as policySdk from "@pulumi/policy";
import type { PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import {
  dynamodbPitr,
  prodDeletionProtection,
  s3BucketPublicAccessBlock,
  s3BucketVersioning,
  s3ReplicationTimeControl,
} from "../../policy/rules/data-protection";
import {
  dynamodbEncryption,
  logGroupEncryption,
  rdsClusterEncryption,
  rdsGlobalClusterEncryption,
  s3BucketEncryption,
  secretEncryption,
  snsEncryption,
  sqsCustomerManagedKey,
  sqsEncryption,
} from "../../policy/rules/encryption";
import { iamNoWildcardActions, iamWildcardResourceOnlyWhereNeeded } from "../../policy/rules/iam";
import { noOpenIngress } from "../../policy/rules/network";
import {
  alarmActions,
  lambdaTimeouts,
  logRetention,
  route53HealthCheckStandard,
  route53HealthCheckTiming,
} from "../../policy/rules/operations";
import { policies } from "../../policy/policies";
import { bucketWith, check, KEY, res } from "./fixtures";

const doc = (...statements: Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });
const messages = (vs: { message: string }[]) => vs.map((v) => v.message);

describe("encryption at rest", () => {
  const cluster = (inputs: Record<string, unknown>) => res("aws:rds/cluster:Cluster", "db", inputs);

  it("rds clusters: storageEncrypted and a CMK", async () => {
    expect(await check(rdsClusterEncryption, [cluster({ storageEncrypted: true, kmsKeyId: KEY })])).toEqual(
      [],
    );
    expect(messages(await check(rdsClusterEncryption, [cluster({ storageEncrypted: false })]))).toEqual([
      "storageEncrypted must be true",
      "kmsKeyId must name the region's customer-managed key",
    ]);
  });

  it("global clusters are encrypted", async () => {
    const global = (inputs: Record<string, unknown>) =>
      res("aws:rds/globalCluster:GlobalCluster", "g", inputs);
    expect(await check(rdsGlobalClusterEncryption, [global({ storageEncrypted: true })])).toEqual([]);
    expect(await check(rdsGlobalClusterEncryption, [global({})])).toHaveLength(1);
  });

  it("dynamodb: table and every replica use a CMK", async () => {
    const table = (replicaKey?: string) =>
      res("aws:dynamodb/table:Table", "t", {
        serverSideEncryption: { enabled: true, kmsKeyArn: KEY },
        replicas: [{ regionName: "us-west-2", kmsKeyArn: replicaKey }],
      });
    expect(await check(dynamodbEncryption, [table(KEY)])).toEqual([]);
    expect(messages(await check(dynamodbEncryption, [table(undefined)]))).toEqual([
      'replica "us-west-2" (#0) has no kmsKeyArn',
    ]);
  });

  it("sns topics use a CMK", async () => {
    expect(await check(snsEncryption, [res("aws:sns/topic:Topic", "t", { kmsMasterKeyId: KEY })])).toEqual(
      [],
    );
    expect(await check(snsEncryption, [res("aws:sns/topic:Topic", "t", {})])).toHaveLength(1);
  });

  it("sqs: encrypted is mandatory, a CMK is expected (advisory)", async () => {
    const q = (inputs: Record<string, unknown>) => res("aws:sqs/queue:Queue", "q", inputs);
    expect(await check(sqsEncryption, [q({ kmsMasterKeyId: KEY })])).toEqual([]);
    expect(await check(sqsEncryption, [q({ sqsManagedSseEnabled: true })])).toEqual([]);
    expect(await check(sqsEncryption, [q({})])).toHaveLength(1);
    expect(await check(sqsCustomerManagedKey, [q({ kmsMasterKeyId: KEY })])).toEqual([]);
    const advisory = await check(sqsCustomerManagedKey, [q({ sqsManagedSseEnabled: true })]);
    expect(advisory.map((v) => v.enforcementLevel)).toEqual(["advisory"]);
  });

  it("log groups and secrets use a CMK", async () => {
    expect(
      await check(logGroupEncryption, [res("aws:cloudwatch/logGroup:LogGroup", "l", { kmsKeyId: KEY })]),
    ).toEqual([]);
    expect(await check(logGroupEncryption, [res("aws:cloudwatch/logGroup:LogGroup", "l", {})])).toHaveLength(
      1,
    );
    const secret = (replicaKey?: string) =>
      res("aws:secretsmanager/secret:Secret", "s", {
        kmsKeyId: KEY,
        replicas: [{ region: "us-west-2", kmsKeyId: replicaKey }],
      });
    expect(await check(secretEncryption, [secret(KEY)])).toEqual([]);
    expect(await check(secretEncryption, [secret()])).toHaveLength(1);
  });

  it("s3 (stack-level): every bucket has SSE-KMS with a key", async () => {
    expect(await check(s3BucketEncryption, bucketWith("b"))).toEqual([]);
    expect(await check(s3BucketEncryption, bucketWith("b", { omit: ["sse"] }))).toHaveLength(1);
    const aes = bucketWith("b", {
      patch: { sse: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] } },
    });
    const [v] = await check(s3BucketEncryption, aes);
    expect(v.urn).toBe(aes[0].urn);
  });
});

describe("network", () => {
  const sg = (cidr: string, direction: "ingress" | "egress" = "ingress") =>
    res("aws:ec2/securityGroup:SecurityGroup", "sg", {
      [direction]: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [cidr] }],
    });

  it("no ingress from 0.0.0.0/0 or ::/0", async () => {
    expect(await check(noOpenIngress, [sg("10.0.0.0/16"), sg("0.0.0.0/0", "egress")])).toEqual([]);
    expect(messages(await check(noOpenIngress, [sg("0.0.0.0/0")]))).toEqual([
      "ingress #0 (ports 443-443) open to 0.0.0.0/0",
    ]);
    const rule = res("aws:ec2/securityGroupRule:SecurityGroupRule", "r", {
      type: "ingress",
      ipv6CidrBlocks: ["::/0"],
    });
    const vpcRule = res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "v", {
      cidrIpv4: "0.0.0.0/0",
    });
    expect(await check(noOpenIngress, [rule, vpcRule])).toHaveLength(2);
  });
});

describe("iam", () => {
  const rolePolicy = (...statements: Record<string, unknown>[]) =>
    res("aws:iam/rolePolicy:RolePolicy", "p", { role: "r", policy: doc(...statements) });

  it('no "*" or "service:*" action in an Allow', async () => {
    const scoped = rolePolicy({
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage"],
      Resource: "arn:aws:sqs:us-east-1:1:q",
    });
    // A Deny may be broad: the TLS-only bucket statement denies s3:* on purpose.
    const deny = rolePolicy({ Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::b" });
    expect(await check(iamNoWildcardActions, [scoped, deny])).toEqual([]);

    const wild = rolePolicy(
      { Sid: "All", Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" },
      { Effect: "Allow", Action: ["s3:GetObject", "s3:*"], Resource: "arn:aws:s3:::b/*" },
    );
    expect(messages(await check(iamNoWildcardActions, [wild]))).toEqual([
      'policy, statement All: action "*" grants a whole service',
      'policy, statement #1: action "s3:*" grants a whole service',
    ]);
    const inline = res("aws:iam/role:Role", "role", {
      inlinePolicies: [
        { name: "inline", policy: doc({ Effect: "Allow", Action: "dynamodb:*", Resource: "arn:x" }) },
      ],
    });
    const managed = res("aws:iam/policy:Policy", "pol", {
      policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] },
    });
    expect(await check(iamNoWildcardActions, [inline, managed])).toHaveLength(2);
  });

  it('"Resource": "*" only for actions without resource-level permissions', async () => {
    const ok = rolePolicy({
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: "*",
    });
    // Key policies are out of scope: "*" there means the key itself.
    const key = res("aws:kms/key:Key", "k", {
      policy: doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }),
    });
    expect(await check(iamWildcardResourceOnlyWhereNeeded, [ok, key])).toEqual([]);

    const bad = rolePolicy({
      Effect: "Allow",
      Action: ["cloudwatch:PutMetricData", "s3:GetObject"],
      Resource: ["*"],
    });
    expect(messages(await check(iamWildcardResourceOnlyWhereNeeded, [bad]))).toEqual([
      'policy, statement #0: Resource "*" for s3:GetObject, which support resource-level permissions',
    ]);
  });
});

describe("data protection", () => {
  it("dynamodb PITR on the table and every replica", async () => {
    const table = (replicaPitr: boolean) =>
      res("aws:dynamodb/table:Table", "t", {
        pointInTimeRecovery: { enabled: true },
        replicas: [{ regionName: "us-west-2", pointInTimeRecovery: replicaPitr }],
      });
    expect(await check(dynamodbPitr, [table(true)])).toEqual([]);
    expect(await check(dynamodbPitr, [table(false)])).toHaveLength(1);
    expect(await check(dynamodbPitr, [res("aws:dynamodb/table:Table", "t", {})])).toHaveLength(1);
  });

  it("s3 (stack-level): versioning Enabled on every bucket", async () => {
    expect(await check(s3BucketVersioning, bucketWith("b"))).toEqual([]);
    expect(await check(s3BucketVersioning, bucketWith("b", { omit: ["versioning"] }))).toHaveLength(1);
    const suspended = bucketWith("b", {
      patch: { versioning: { versioningConfiguration: { status: "Suspended" } } },
    });
    expect(await check(s3BucketVersioning, suspended)).toHaveLength(1);
  });

  it("s3 (stack-level): public access block with all four flags", async () => {
    expect(await check(s3BucketPublicAccessBlock, bucketWith("b"))).toEqual([]);
    expect(await check(s3BucketPublicAccessBlock, bucketWith("b", { omit: ["pab"] }))).toHaveLength(1);
    const leaky = bucketWith("b", { patch: { pab: { ignorePublicAcls: false } } });
    expect(messages(await check(s3BucketPublicAccessBlock, leaky))).toEqual([
      "bucket b: public access block leaves ignorePublicAcls off",
    ]);
  });

  it("s3 (stack-level): matches by property dependency when the bucket id is unknown (preview)", () => {
    const bucket = {
      type: "aws:s3/bucket:Bucket",
      name: "b",
      urn: "urn:b",
      props: {},
    } as unknown as PolicyResource;
    const versioning = {
      type: "aws:s3/bucketVersioning:BucketVersioning",
      name: "v",
      urn: "urn:v",
      props: { versioningConfiguration: { status: "Enabled" } },
      propertyDependencies: { bucket: [bucket] },
    } as unknown as PolicyResource;
    const report = jest.fn();
    void s3BucketVersioning.validateStack(
      {
        resources: [bucket, versioning],
        stackTags: new Map(),
        getConfig: () => ({}) as never,
        notApplicable: () => undefined as never,
      },
      report,
    );
    expect(report).not.toHaveBeenCalled();
  });

  it("s3 replication uses RTC 15 min with metrics", async () => {
    const replication = (destination: Record<string, unknown>) =>
      res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "r", {
        rules: [{ id: "all", status: "Enabled", destination: { bucket: "arn:aws:s3:::x", ...destination } }],
      });
    const rtc = {
      replicationTime: { status: "Enabled", time: { minutes: 15 } },
      metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
    };
    expect(await check(s3ReplicationTimeControl, [replication(rtc)])).toEqual([]);
    expect(
      messages(
        await check(s3ReplicationTimeControl, [replication({ replicationTime: rtc.replicationTime })]),
      ),
    ).toEqual([
      'rule "all" (#0): destination.metrics.status must be Enabled',
      'rule "all" (#0): metrics.eventThreshold.minutes must be 15, got unset',
    ]);
    expect(await check(s3ReplicationTimeControl, [replication({})])).toHaveLength(4);
  });

  it("deletion protection only in production (stack name or policy config)", async () => {
    const cluster = (stack: string, deletionProtection: boolean) =>
      res("aws:rds/cluster:Cluster", "db", { deletionProtection }, { stack });
    const table = res(
      "aws:dynamodb/table:Table",
      "t",
      { deletionProtectionEnabled: false },
      { stack: "prod" },
    );
    const global = res(
      "aws:rds/globalCluster:GlobalCluster",
      "g",
      { deletionProtection: true },
      { stack: "prod" },
    );
    expect(
      await check(prodDeletionProtection, [cluster("dev", false), cluster("prod", true), global]),
    ).toEqual([]);
    expect(messages(await check(prodDeletionProtection, [cluster("prod", false), table]))).toEqual([
      "deletionProtection must be true in production",
      "deletionProtectionEnabled must be true in production",
    ]);
    const config = { "prod-deletion-protection": { production: true } };
    expect(await check(prodDeletionProtection, [cluster("dev", false)], config)).toHaveLength(1);
  });
});

describe("operations", () => {
  it("log groups set retention > 0", async () => {
    const lg = (retentionInDays?: number) =>
      res("aws:cloudwatch/logGroup:LogGroup", "l", { retentionInDays });
    expect(await check(logRetention, [lg(30)])).toEqual([]);
    expect(await check(logRetention, [lg(undefined), lg(0)])).toHaveLength(2);
  });

  it("alarms have alarmActions and okActions", async () => {
    const topic = "arn:aws:sns:us-east-1:1:t";
    const metric = res("aws:cloudwatch/metricAlarm:MetricAlarm", "a", {
      alarmActions: [topic],
      okActions: [topic],
    });
    expect(await check(alarmActions, [metric])).toEqual([]);
    const silent = res("aws:cloudwatch/compositeAlarm:CompositeAlarm", "c", {
      alarmActions: [topic],
      okActions: [],
    });
    expect(messages(await check(alarmActions, [silent]))).toEqual(["okActions must not be empty"]);
  });

  it("route 53 health checks: 10/30 s and 1..10 mandatory, 30 s × 3 advisory", async () => {
    const hc = (inputs: Record<string, unknown>) =>
      res("aws:route53/healthCheck:HealthCheck", "hc", { type: "HTTPS", ...inputs });
    expect(
      await check(route53HealthCheckTiming, [hc({ requestInterval: 30, failureThreshold: 3 }), hc({})]),
    ).toEqual([]);
    expect(
      await check(route53HealthCheckTiming, [hc({ requestInterval: 20, failureThreshold: 11 })]),
    ).toHaveLength(2);
    expect(await check(route53HealthCheckTiming, [hc({ type: "CALCULATED", requestInterval: 20 })])).toEqual(
      [],
    );
    expect(
      await check(route53HealthCheckStandard, [hc({ requestInterval: 30, failureThreshold: 3 })]),
    ).toEqual([]);
    const fast = await check(route53HealthCheckStandard, [hc({ requestInterval: 10, failureThreshold: 3 })]);
    expect(fast.map((v) => v.enforcementLevel)).toEqual(["advisory"]);
  });

  it("lambda timeouts: at most 900 s, order processor and failover exactly 300 s", async () => {
    const fn = (name: string, timeout?: number) => res("aws:lambda/function:Function", name, { timeout });
    expect(
      await check(lambdaTimeouts, [
        fn("tap-dev-primary-service-processor-fn", 300),
        fn("tap-dev-failover-fn", 300),
        // The reconcile function beside the orchestrator is not the orchestrator: its own timeout.
        fn("tap-dev-failover-reconcile-fn", 110),
        fn("x", 30),
      ]),
    ).toEqual([]);
    expect(messages(await check(lambdaTimeouts, [fn("tap-dev-failover-fn", 60)]))).toEqual([
      "functions matching /-failover-fn$/ must have timeout 300 s, got 60",
    ]);
    expect(
      await check(lambdaTimeouts, [fn("x", 901), fn("tap-dev-primary-service-processor-fn")]),
    ).toHaveLength(2);
  });
});

describe("the pack", () => {
  it("has unique names and every rule is mandatory unless meant as advice", () => {
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    const advisory = policies.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name);
    expect(advisory.sort()).toEqual(["route53-health-check-standard-timing", "sqs-customer-managed-key"]);
  });

  it("in a real preview, an unknown key ARN counts as set; an unknown policy document defers to the engine", () => {
    const sdk = policySdk as unknown as { unknownCheckingProxy(o: object): Record<string, unknown> };
    const unknownString = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const args = (type: string, props: object) =>
      ({
        type,
        name: "r",
        urn: "urn:pulumi:dev::tap::x::r",
        props: sdk.unknownCheckingProxy(props),
        notApplicable: () => {
          throw new Error("not applicable");
        },
        getConfig: () => ({}),
      }) as unknown as ResourceValidationArgs;
    const report = jest.fn();
    const validate = (p: typeof snsEncryption, a: ResourceValidationArgs) =>
      (p.validateResource as (a: ResourceValidationArgs, r: typeof report) => void)(a, report);

    validate(snsEncryption, args("aws:sns/topic:Topic", { kmsMasterKeyId: unknownString }));
    expect(report).not.toHaveBeenCalled();
    // The SDK turns this error into an advisory "can't run during preview"; `pulumi up` checks it.
    expect(() =>
      validate(iamNoWildcardActions, args("aws:iam/rolePolicy:RolePolicy", { policy: unknownString })),
    ).toThrow(/can't be known during preview/);
  });
});
