/** S3, S4, S5, S8 (canaries) on the real program under the Pulumi mocks, with values. */
import { ProgramRun, runProgram } from "../program";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram();
});
const json = (v: unknown) => JSON.parse(String(v));
const T = {
  bucket: "aws:s3/bucket:Bucket",
  logging: "aws:s3/bucketLogging:BucketLogging",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  key: "aws:kms/key:Key",
  role: "aws:iam/role:Role",
};

describe("server access logging (S3)", () => {
  it("S3: every bucket except the log buckets logs to the log bucket of its own region", () => {
    const buckets = run.of(T.bucket);
    const logBuckets = buckets.filter((b) => b.name.endsWith("-access-logs"));
    expect(logBuckets.map((b) => [b.name, b.region]).sort()).toEqual([
      ["tap-dev-primary-access-logs", "us-east-1"],
      ["tap-dev-secondary-access-logs", "us-west-2"],
    ]);
    for (const b of buckets.filter((x) => !logBuckets.includes(x))) {
      const logging = run.of(T.logging).filter((l) => l.inputs.bucket === b.id);
      expect(logging).toHaveLength(1);
      const target = logBuckets.find((l) => l.id === logging[0].inputs.targetBucket)!;
      expect([b.name, target.region]).toEqual([b.name, b.region]);
    }
    expect(
      run
        .of(T.logging)
        .map((l) => l.inputs.targetPrefix)
        .sort(),
    ).toEqual(["canary-p/", "canary-s/", "canary-x/", "objects/", "objects/"]);
  });

  it("S3: log buckets use SSE-S3, expire logs after the retention, and admit only S3 logging for our buckets", () => {
    const logBucket = run.named(T.bucket, "tap-dev-primary-access-logs");
    const sse = run.of(T.sse).find((s) => s.inputs.bucket === logBucket.id)!;
    expect((sse.inputs.rules as any[])[0].applyServerSideEncryptionByDefault).toEqual({
      sseAlgorithm: "AES256",
    });
    const lc = run.of(T.lifecycle).find((l) => l.inputs.bucket === logBucket.id)!;
    expect((lc.inputs.rules as any[])[0].expiration).toEqual({ days: 30 });
    const statement = json(run.of(T.policy).find((p) => p.inputs.bucket === logBucket.id)!.inputs.policy)
      .Statement[0];
    const sources = ["tap-dev-objects-primary", "tap-dev-primary-service-canary-artifacts"].map(
      (n) => run.named(T.bucket, n).state.arn,
    );
    expect(statement).toEqual({
      Sid: "S3ServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${logBucket.state.arn}/*`,
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": sources },
      },
    });
  });
});

describe("no confused deputy (S2)", () => {
  it("S2: the CloudWatch statement of each key is bound to this account's alarms in the key's region", () => {
    for (const key of run.of(T.key)) {
      const st = json(key.inputs.policy).Statement.find(
        (s: any) => s.Sid === "CloudWatchAlarmsToEncryptedTopics",
      );
      expect(st.Condition).toEqual({
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${key.region}:123456789012:alarm:*` },
      });
    }
  });

  it("S2: only S3 acting for our source bucket may assume the replication role", () => {
    const role = run.named(T.role, "tap-dev-objects-replication-role");
    const source = run.named(T.bucket, "tap-dev-objects-primary");
    expect(json(role.inputs.assumeRolePolicy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": "123456789012" },
          ArnLike: { "aws:SourceArn": source.state.arn },
        },
      },
    ]);
  });
});

describe("replica keys (S2)", () => {
  /**
   * ReplicateSecretToRegions (what the secret's replica block does) needs kms:GenerateDataKey and
   * kms:Encrypt on the replica key, called by the deploying principal through Secrets Manager in the
   * replica region; reading the replica needs kms:Decrypt the same way. DynamoDB's replica is encrypted
   * by DynamoDB in the replica region for principals of the account (it also creates grants).
   * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicateSecretToRegions.html
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
   */
  it("S2: the secondary key lets account principals use it only through Secrets Manager/DynamoDB etc. in us-west-2", () => {
    const key = run.of(T.key).find((k) => k.region === "us-west-2")!;
    const st = json(key.inputs.policy).Statement.find((s: any) => s.Sid === "UseThroughStackServices");
    expect(st.Principal).toEqual({ AWS: "arn:aws:iam::123456789012:root" });
    expect(st.Action).toEqual(
      expect.arrayContaining([
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey*",
        "kms:CreateGrant",
        "kms:DescribeKey",
      ]),
    );
    expect(st.Condition.StringEquals["kms:CallerAccount"]).toBe("123456789012");
    expect(st.Condition.StringEquals["kms:ViaService"]).toEqual(
      expect.arrayContaining(["secretsmanager.us-west-2.amazonaws.com", "dynamodb.us-west-2.amazonaws.com"]),
    );
    expect(st.Condition.StringEquals["kms:ViaService"]).not.toContain(
      "secretsmanager.us-east-1.amazonaws.com",
    );
  });

  it("S2: the secret's replica and the table's replica name the secondary key", () => {
    const key = run.of(T.key).find((k) => k.region === "us-west-2")!;
    const secret = run.of("aws:secretsmanager/secret:Secret")[0];
    expect(secret.inputs.replicas).toEqual([{ region: "us-west-2", kmsKeyId: key.state.arn }]);
    const table = run.named("aws:dynamodb/table:Table", "tap-dev-orders-table");
    expect((table.inputs.replicas as any[]).map((r) => [r.regionName, r.kmsKeyArn])).toEqual([
      ["us-west-2", key.state.arn],
    ]);
  });
});

it("S2: canaries delete their Lambda functions and layers when they are deleted", () => {
  const canaries = run.of("aws:synthetics/canary:Canary");
  expect(canaries).toHaveLength(3);
  expect(canaries.map((c) => c.inputs.deleteLambda)).toEqual([true, true, true]);
});
