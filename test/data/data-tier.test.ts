import { PASSWORD_LENGTH, PASSWORD_SPECIALS } from "../../lib/data/db-credentials";
import { RTC_MINUTES } from "../../lib/data/replicated-buckets";
import { RecordedResource, SecretValue } from "../../tooling/mocks/recorded";
import { PRODUCTION_CONFIG, ProgramRun, runProgram } from "../program";

const T = {
  global: "aws:rds/globalCluster:GlobalCluster",
  cluster: "aws:rds/cluster:Cluster",
  instance: "aws:rds/clusterInstance:ClusterInstance",
  key: "aws:kms/key:Key",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  table: "aws:dynamodb/table:Table",
  bucket: "aws:s3/bucket:Bucket",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  password: "random:index/randomPassword:RandomPassword",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
};

function helpers(run: ProgramRun) {
  const { of, named } = run;
  const dataBuckets = () => of(T.bucket).filter((b) => b.name.startsWith("tap-dev-objects-"));
  const keyArn = (region: string) => of(T.key).find((k) => k.region === region)!.state.arn;
  return { of, named, keyArn, dataBuckets };
}

/** The orders table among the stack's tables (the other is the writer lease's witness, X3). */
const orders = (tables: RecordedResource[]) => {
  const t = tables.find((x) => x.name === "tap-dev-orders-table" || x.name === "tap-prod-orders-table");
  if (!t) throw new Error("no orders table");
  return t;
};

describe("data tier, dev stack", () => {
  let run: ProgramRun;
  let h: ReturnType<typeof helpers>;
  beforeAll(async () => {
    run = await runProgram();
    h = helpers(run);
  });

  const primary = () => h.named(T.cluster, "tap-dev-aurora-primary");
  const secondary = () => h.named(T.cluster, "tap-dev-aurora-secondary");

  it("R7: engine aurora-postgresql and the same 15.x version on the global cluster, both clusters and every instance", () => {
    const all = [...h.of(T.global), ...h.of(T.cluster), ...h.of(T.instance)];
    expect(all).toHaveLength(1 + 2 + 3);
    for (const r of all) {
      expect([r.name, r.inputs.engine, r.inputs.engineVersion]).toEqual([
        r.name,
        "aurora-postgresql",
        "15.14",
      ]);
    }
  });

  it("R7: the engine version follows config", async () => {
    const other = await runProgram({ dbEngineVersion: "15.13" });
    const versions = other.resources
      .filter((r) => [T.global, T.cluster, T.instance].includes(r.type))
      .map((r) => r.inputs.engineVersion);
    expect(new Set(versions)).toEqual(new Set(["15.13"]));
  });

  it("R8: both clusters are storage-encrypted with the customer-managed key of their own region", () => {
    expect(h.of(T.global)[0].inputs.storageEncrypted).toBe(true);
    for (const [cluster, region] of [
      [primary(), "us-east-1"],
      [secondary(), "us-west-2"],
    ] as const) {
      expect(cluster.region).toBe(region);
      expect(cluster.inputs.storageEncrypted).toBe(true);
      expect(cluster.inputs.kmsKeyId).toBe(h.keyArn(region));
    }
  });

  it("R8: Performance Insights is encrypted with the instance's regional key", () => {
    for (const i of h.of(T.instance)) {
      expect(i.inputs.performanceInsightsEnabled).toBe(true);
      expect(i.inputs.performanceInsightsKmsKeyId).toBe(h.keyArn(String(i.region)));
      expect(i.inputs.publiclyAccessible).toBe(false);
      expect(i.inputs.instanceClass).toBe("db.r6g.large");
    }
  });

  it("P10: the secondary member specifies no credentials or database name and joins after the primary has instances", () => {
    const s = secondary();
    expect(s.inputs.masterUsername).toBeUndefined();
    expect(s.inputs.masterPassword).toBeUndefined();
    expect(s.inputs.databaseName).toBeUndefined();
    expect(s.inputs.globalClusterIdentifier).toBe(h.of(T.global)[0].id);
    const primaryInstances = h
      .of(T.instance)
      .filter((i) => i.region === "us-east-1")
      .map((i) => i.urn);
    expect(primaryInstances).toHaveLength(2);
    for (const urn of primaryInstances) expect(s.dependencies).toContain(urn);
    expect(s.ignoreChanges).toContain("replicationSourceIdentifier");
  });

  it("P8: backups, log exports and TLS-only connections on both clusters", () => {
    for (const c of [primary(), secondary()]) {
      expect(c.inputs.backupRetentionPeriod).toBe(7);
      expect(c.inputs.enabledCloudwatchLogsExports).toEqual(["postgresql"]);
      expect(c.inputs.copyTagsToSnapshot).toBe(true);
    }
    const params = h.of("aws:rds/clusterParameterGroup:ClusterParameterGroup");
    expect(params).toHaveLength(2);
    for (const p of params) {
      expect(p.inputs.family).toBe("aurora-postgresql15");
      expect(p.inputs.parameters).toEqual([
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
      ]);
    }
  });

  it("P8: exported PostgreSQL logs go to pre-created, encrypted log groups with retention", () => {
    for (const [cluster, region] of [
      [primary(), "us-east-1"],
      [secondary(), "us-west-2"],
    ] as const) {
      const group = h.named("aws:cloudwatch/logGroup:LogGroup", `${cluster.name}-postgresql-logs`);
      expect(group.inputs).toMatchObject({
        name: `/aws/rds/cluster/${cluster.inputs.clusterIdentifier}/postgresql`,
        retentionInDays: 30,
        kmsKeyId: h.keyArn(region),
      });
      expect(cluster.dependencies).toContain(group.urn);
    }
  });

  it("P8: dev stacks can be torn down: no deletion protection, no final snapshot, nothing protected", () => {
    expect(primary().inputs).toMatchObject({ deletionProtection: false, skipFinalSnapshot: true });
    expect(run.resources.filter((r) => r.protect)).toEqual([]);
  });

  it("R10: Aurora security groups admit 5432 only from the Lambda security group, never a CIDR", () => {
    const auroraSgs = h.of(T.sg).filter((s) => s.name.startsWith("tap-dev-aurora-"));
    expect(auroraSgs).toHaveLength(2);
    for (const sg of auroraSgs) {
      const lambdaSg = h.of(T.sg).find((x) => x.region === sg.region && x.name.endsWith("-lambda-sg"))!;
      expect(sg.inputs.ingress).toEqual([
        {
          protocol: "tcp",
          fromPort: 5432,
          toPort: 5432,
          securityGroups: [lambdaSg.id],
          description: "Order processor and health Lambdas",
        },
      ]);
      expect(sg.inputs.egress).toEqual([]);
    }
    for (const sg of h.of(T.sg)) {
      for (const rule of (sg.inputs.ingress as any[]) ?? []) {
        if (rule.fromPort <= 5432 && rule.toPort >= 5432)
          expect(rule.cidrBlocks ?? []).not.toContain("0.0.0.0/0");
      }
    }
  });

  it("R9: the master password is generated to RDS's rules", () => {
    const pw = h.of(T.password)[0];
    expect(pw.inputs).toMatchObject({
      length: PASSWORD_LENGTH,
      special: true,
      overrideSpecial: PASSWORD_SPECIALS,
    });
    expect(PASSWORD_LENGTH).toBeLessThanOrEqual(41);
    for (const forbidden of ["/", '"', "@", " "]) expect(PASSWORD_SPECIALS).not.toContain(forbidden);
  });

  it("R9: the password reaches Aurora and Secrets Manager only as a secret, and never appears in plain inputs or outputs", () => {
    const password = String(h.of(T.password)[0].state.result);
    expect(password.length).toBeGreaterThan(10);
    expect(primary().inputs.masterPassword).toBeInstanceOf(SecretValue);
    expect((primary().inputs.masterPassword as SecretValue).value).toBe(password);
    const version = h.of(T.secretVersion)[0];
    expect(version.inputs.secretString).toBeInstanceOf(SecretValue);
    const doc = JSON.parse(String((version.inputs.secretString as SecretValue).value));
    expect(doc).toEqual({
      engine: "postgres",
      username: "tapadmin",
      password,
      host: h.of(T.global)[0].state.endpoint,
      port: 5432,
      dbname: "orders",
    });
    // Serialising replaces every SecretValue with "[secret]"; the password must not survive anywhere else.
    const plain = JSON.stringify(run.resources.filter((r) => r.type !== T.password).map((r) => r.inputs));
    expect(plain).not.toContain(password);
    expect(JSON.stringify(run.outputs)).not.toContain(password);
  });

  it("R9: the secret is encrypted with the primary key and replicated to the secondary region with its key", () => {
    const secret = h.of(T.secret)[0];
    expect(secret.region).toBe("us-east-1");
    expect(secret.inputs.kmsKeyId).toBe(h.keyArn("us-east-1"));
    expect(secret.inputs.replicas).toEqual([{ region: "us-west-2", kmsKeyId: h.keyArn("us-west-2") }]);
  });

  it("R1: the Aurora component depends on the SNS topics its alarm publishes to", () => {
    const aurora = run.resources.find((r) => r.type === "tap:data:AuroraGlobalDatabase")!;
    const topics = run.resources.filter((r) => r.type === "tap:foundation:AlertTopic");
    expect(topics).toHaveLength(2);
    for (const t of topics) expect([t.name, run.waitsFor(aurora, t)]).toEqual([t.name, true]);
  });

  it("R1: the replication-lag alarm is in the secondary region, where the metric is, and notifies its topic", () => {
    const alarm = h.named(T.alarm, "tap-dev-aurora-replication-lag");
    const topic = run.resources.find((r) => r.type === "aws:sns/topic:Topic" && r.region === "us-west-2")!;
    expect(alarm.region).toBe("us-west-2");
    expect(alarm.inputs).toMatchObject({
      namespace: "AWS/RDS",
      metricName: "AuroraGlobalDBReplicationLag",
      dimensions: { DBClusterIdentifier: secondary().state.clusterIdentifier },
      threshold: 1000,
      alarmActions: [topic.state.arn],
      okActions: [topic.state.arn],
    });
  });

  it("R4: the data tier's endpoints are stack outputs", () => {
    const g = h.of(T.global)[0];
    expect(run.outputs).toMatchObject({
      globalWriterEndpoint: g.state.endpoint,
      auroraPrimaryEndpoint: primary().state.endpoint,
      auroraPrimaryReaderEndpoint: primary().state.readerEndpoint,
      auroraSecondaryEndpoint: secondary().state.readerEndpoint,
      dynamoTableName: orders(h.of(T.table)).state.name,
      dbSecretArn: h.of(T.secret)[0].state.arn,
    });
    expect(String(run.outputs.auroraSecondaryEndpoint)).toContain(".us-west-2.rds.amazonaws.com");
  });

  it("R14: the orders table is an on-demand global table with PITR on the table and on every replica", () => {
    const t = orders(h.of(T.table));
    expect(t.region).toBe("us-east-1");
    expect(t.inputs).toMatchObject({
      billingMode: "PAY_PER_REQUEST",
      hashKey: "orderId",
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: h.keyArn("us-east-1") },
      deletionProtectionEnabled: false,
    });
    const replicas = t.inputs.replicas as any[];
    expect(replicas).toHaveLength(1);
    expect(replicas.every((r) => r.pointInTimeRecovery === true)).toBe(true);
    expect(replicas[0]).toMatchObject({ regionName: "us-west-2", kmsKeyArn: h.keyArn("us-west-2") });
    expect(t.inputs.globalSecondaryIndexes).toEqual([
      { name: "account-index", hashKey: "account", rangeKey: "clientTimestamp", projectionType: "ALL" },
    ]);
  });

  it("R16: versioning is enabled on the primary and the replica bucket", () => {
    const buckets = h.dataBuckets();
    expect(buckets.map((b) => b.region).sort()).toEqual(["us-east-1", "us-west-2"]);
    const versioning = h.of(T.versioning);
    for (const b of buckets) {
      const v = versioning.find((x) => x.inputs.bucket === b.id)!;
      expect(v.inputs.versioningConfiguration).toEqual({ status: "Enabled" });
      expect(v.region).toBe(b.region);
    }
  });

  it("R16: both buckets block public access, enforce TLS, use SSE-KMS with their region's key and expire old versions", () => {
    for (const b of h.dataBuckets()) {
      const pab = h
        .of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
        .find((x) => x.inputs.bucket === b.id)!;
      expect(pab.inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      const sse = h
        .of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        .find((x) => x.inputs.bucket === b.id)!;
      expect((sse.inputs.rules as any[])[0].applyServerSideEncryptionByDefault).toEqual({
        sseAlgorithm: "aws:kms",
        kmsMasterKeyId: h.keyArn(String(b.region)),
      });
      const policy = JSON.parse(
        String(h.of("aws:s3/bucketPolicy:BucketPolicy").find((x) => x.inputs.bucket === b.id)!.inputs.policy),
      );
      expect(policy.Statement[0]).toMatchObject({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
      const lc = h
        .of("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        .find((x) => x.inputs.bucket === b.id)!;
      expect((lc.inputs.rules as any[])[0].noncurrentVersionExpiration).toEqual({ noncurrentDays: 90 });
    }
  });

  it("R15: replication uses RTC and metrics at 15 minutes, for every object size, with KMS objects and delete markers", () => {
    const cfgs = h.of(T.replication);
    expect(cfgs).toHaveLength(1);
    const [source, replica] = ["primary", "secondary"].map((r) => h.named(T.bucket, `tap-dev-objects-${r}`));
    expect(cfgs[0].inputs.bucket).toBe(source.id);
    const rules = cfgs[0].inputs.rules as any[];
    expect(rules).toHaveLength(1);
    const rule = rules[0];
    expect(RTC_MINUTES).toBe(15);
    expect(rule.destination.replicationTime).toEqual({ status: "Enabled", time: { minutes: 15 } });
    expect(rule.destination.metrics).toEqual({ status: "Enabled", eventThreshold: { minutes: 15 } });
    // No size filter: objects of 128 MB and more replicate under the same rule.
    expect(rule.filter).toEqual({ prefix: "" });
    expect(rule.status).toBe("Enabled");
    expect(rule.deleteMarkerReplication).toEqual({ status: "Enabled" });
    expect(rule.sourceSelectionCriteria).toEqual({ sseKmsEncryptedObjects: { status: "Enabled" } });
    expect(rule.destination.bucket).toBe(replica.state.arn);
    expect(rule.destination.encryptionConfiguration).toEqual({ replicaKmsKeyId: h.keyArn("us-west-2") });
    const deps = cfgs[0].dependencies;
    const versioning = h.of(T.versioning).filter((v) => v.name.startsWith("tap-dev-objects-"));
    expect(versioning).toHaveLength(2);
    for (const v of versioning) expect(deps).toContain(v.urn);
  });

  it("R15: the replication role may decrypt only the source key and encrypt only the replica key, via S3 in each region", () => {
    const policy = JSON.parse(
      String(h.named("aws:iam/rolePolicy:RolePolicy", "tap-dev-objects-replication-policy").inputs.policy),
    );
    const bySid = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
    expect(bySid.DecryptSource).toMatchObject({ Action: "kms:Decrypt", Resource: h.keyArn("us-east-1") });
    expect(bySid.DecryptSource.Condition.StringEquals).toEqual({
      "kms:ViaService": "s3.us-east-1.amazonaws.com",
    });
    expect(bySid.EncryptReplica).toMatchObject({ Resource: h.keyArn("us-west-2") });
    expect(bySid.EncryptReplica.Condition.StringEquals).toEqual({
      "kms:ViaService": "s3.us-west-2.amazonaws.com",
    });
    const actions = policy.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions.some((a: string) => a.endsWith("*"))).toBe(false);
  });
});

describe("data tier, production", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(PRODUCTION_CONFIG, "prod");
  });
  const of = (t: string) => run.resources.filter((r) => r.type === t);

  it("P8: production turns on deletion protection and a final snapshot of the primary", () => {
    const primary = of(T.cluster).find((c) => c.region === "us-east-1")!;
    expect(primary.inputs).toMatchObject({
      deletionProtection: true,
      skipFinalSnapshot: false,
    });
    // A suffix fixed at creation keeps the name unique if the stack is ever created and destroyed again.
    const suffix = run.resources.find((r) => r.type === "random:index/randomId:RandomId")!;
    expect(primary.inputs.finalSnapshotIdentifier).toBe(`tap-prod-aurora-primary-final-${suffix.state.hex}`);
    expect(String(primary.inputs.finalSnapshotIdentifier)).toMatch(/^[a-z][a-z0-9-]{0,254}[a-z0-9]$/);
    expect(String(primary.inputs.finalSnapshotIdentifier)).not.toContain("--");
    expect(of(T.global)[0].inputs.deletionProtection).toBe(true);
    expect(orders(of(T.table)).inputs.deletionProtectionEnabled).toBe(true);
    expect((orders(of(T.table)).inputs.replicas as any[])[0].deletionProtectionEnabled).toBe(true);
    // X3: the writer lease's witness too.
    expect(of(T.table).find((t) => t.name.endsWith("writer-lease"))?.inputs.deletionProtectionEnabled).toBe(
      true,
    );
  });

  it("P8: production protects every stateful resource from pulumi destroy", () => {
    const mustProtect: [string, number][] = [
      [T.global, 1],
      [T.cluster, 2],
      [T.instance, 3],
      [T.table, 2], // the orders table and the writer lease's witness (X3)
      [T.bucket, 2],
      [T.secret, 2], // the master's and the processor role's (L6)
      [T.key, 3], // one per order Region and the witness Region's
    ];
    for (const [type, count] of mustProtect) {
      // Canary artifact buckets are disposable; the data buckets are what must survive.
      const found: RecordedResource[] = of(type).filter(
        (r) => type !== T.bucket || r.name.includes("-objects-"),
      );
      expect([type, found.length, found.every((r) => r.protect)]).toEqual([type, count, true]);
    }
    for (const b of of(T.bucket).filter((x) => x.name.includes("-objects-")))
      expect(b.inputs.forceDestroy).toBe(false);
  });
});
