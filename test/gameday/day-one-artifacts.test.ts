/**
 * Day one stores every canary run's artifacts as Synthetics does (gameday/day-one/artifacts.ts): as the
 * canary's execution role, through the artifacts bucket's policy and, for the SSE-KMS bucket, the key's
 * policy via S3. A break in any of the three fails the runs (EXECUTION_FAILURE) and the canary's alarm.
 */
import type { DayOneReport } from "../../gameday/day-one/world";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { PRODUCTION_CONFIG, runProgram } from "../program";
import { alarmed, broken, dayOne, editStatement, named } from "./day-one-support";

const POLICY = "aws:iam/rolePolicy:RolePolicy";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";

describe.each([
  ["dev", {}],
  ["prod", PRODUCTION_CONFIG],
])("day one, canary artifacts (%s)", (stack, config) => {
  let resources: RecordedResource[];
  const primary = `${stack}-p-cnry`;
  const artifactsPolicy = named(BUCKET_POLICY, `tap-${stack}-primary-service-canary-artifacts-policy`);
  const primaryRuns = (r: DayOneReport) => r.canaryRuns.filter((c) => c.canary === `tap-${primary}`);
  beforeAll(async () => {
    resources = (await runProgram(config, stack)).resources;
  }, 120_000);

  const CANARY = "aws:synthetics/canary:Canary";
  const noS3InKeyPolicy = (from: RecordedResource[]) =>
    broken(from, named(KEY_POLICY, `tap-${stack}-primary-service-orders-key-policy`), (r) =>
      editStatement(r, "UseThroughStackServices", (s) => {
        const cond = s.Condition as { StringEquals: Record<string, string[]> };
        expect(cond.StringEquals["kms:ViaService"]).toContain("s3.us-east-1.amazonaws.com");
        cond.StringEquals["kms:ViaService"] = cond.StringEquals["kms:ViaService"].filter(
          (v) => !v.startsWith("s3."),
        );
        return s;
      }),
    );

  /** 11 simulated minutes: three runs of each canary, enough for the 2-of-3 canary alarm. */
  async function brokenRuns(changed: RecordedResource[]) {
    const { report, world } = await dayOne(changed, 11);
    const p = primaryRuns(report);
    expect(p.map((r) => [r.passed, r.reasonCode])).toEqual([
      [false, "EXECUTION_FAILURE"],
      [false, "EXECUTION_FAILURE"],
      [false, "EXECUTION_FAILURE"],
    ]);
    // The other canaries keep their own buckets, roles and keys, and pass.
    expect(report.canaryRuns.filter((r) => r.canary !== `tap-${primary}` && !r.passed)).toEqual([]);
    expect(alarmed(report)).toContain(`tap-${stack}-primary-service-canary-success`);
    return { report, world, reason: p[0].reason ?? "" };
  }

  it("D1: every run of every canary uploads its artifacts under its results/ prefix as its execution role, all allowed (bucket policy over TLS, the key via S3)", async () => {
    const { report, world } = await dayOne(resources, 5);
    expect(report.canaryRuns.length).toBe(3 * 2);
    expect(report.canaryRuns.filter((r) => !r.passed)).toEqual([]);
    for (const run of report.canaryRuns) {
      const canary = world.model.canaries.find((c) => c.name === run.canary)!;
      const bucket = /^s3:\/\/([^/]+)\/results\/$/.exec(canary.artifactS3Location)![1];
      expect(run.artifacts?.map((a) => a.refused)).toEqual([undefined, undefined, undefined]);
      for (const a of run.artifacts ?? []) {
        expect(a.key.startsWith(`results/canary/${canary.region}/${canary.name}/`)).toBe(true);
      }
      const role = canary.executionRoleArn;
      const mine = world.calls.filter((c) => c.caller === role);
      expect(new Set(mine.map((c) => `${c.action} ${c.outcome}`))).toEqual(
        new Set(["s3:GetBucketLocation ok", "s3:PutObject ok", "kms:GenerateDataKey ok"]),
      );
      expect(
        mine
          .filter((c) => c.action === "s3:PutObject")
          .every((c) => c.resource.startsWith(`arn:aws:s3:::${bucket}/results/`)),
      ).toBe(true);
      expect(new Set(mine.filter((c) => c.action === "kms:GenerateDataKey").map((c) => c.resource))).toEqual(
        new Set([canary.artifactKmsKeyArn]),
      );
    }
    expect(alarmed(report)).toEqual([]);
  }, 180_000);

  it("D3: the canary role's WriteArtifacts statement removed: every primary run fails saving its artifacts and the canary alarm fires", async () => {
    const changed = broken(resources, named(POLICY, `tap-${stack}-primary-service-canary-policy`), (r) =>
      editStatement(r, "WriteArtifacts", () => undefined),
    );
    const { reason } = await brokenRuns(changed);
    expect(reason).toMatch(
      /^AccessDenied: User: arn:aws:iam::\d{12}:role\/tap-.*-primary-service-canary-role-[0-9a-f]{7} is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::tap-.*-primary-service-canary-artifacts-[0-9a-f]{7}\/results\/canary\//,
    );
  }, 180_000);

  it("D3: the artifacts bucket's TLS-only deny flipped to deny TLS: GetBucketLocation is refused by the bucket policy, runs fail, alarm", async () => {
    const changed = broken(resources, artifactsPolicy, (r) =>
      editStatement(r, "DenyInsecureTransport", (s) => ({
        ...s,
        Condition: { Bool: { "aws:SecureTransport": "true" } },
      })),
    );
    const { reason } = await brokenRuns(changed);
    expect(reason).toContain("is not authorized to perform: s3:GetBucketLocation");
    expect(reason).toContain("ExplicitlyDenied");
  }, 180_000);

  it("D3: the artifacts bucket's policy denies the canary role s3:PutObject: runs fail, alarm", async () => {
    const changed = broken(resources, artifactsPolicy, (r) => {
      const doc = JSON.parse(String(r.inputs.policy)) as { Statement: Record<string, unknown>[] };
      const bucket = String(r.inputs.bucket);
      doc.Statement.push({
        Sid: "NoCanaryWrites",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/tap-*-canary-role-*" } },
      });
      r.inputs.policy = JSON.stringify(doc);
    });
    const { reason } = await brokenRuns(changed);
    expect(reason).toContain("is not authorized to perform: s3:PutObject");
    expect(reason).toContain("ExplicitlyDenied");
  }, 180_000);

  it("D3: the artifacts key's policy no longer allows use through S3: GenerateDataKey via s3 is refused, runs fail, alarm", async () => {
    const changed = noS3InKeyPolicy(resources);
    const { reason } = await brokenRuns(changed);
    expect(reason).toMatch(
      /is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:\d{12}:key\//,
    );
  }, 180_000);

  it.each([
    ["SSE_S3", { s3Encryption: { encryptionMode: "SSE_S3" } }],
    ["no artifactConfig (the AWS managed key)", undefined],
  ])(
    "D1: artifacts encrypted with %s ask KMS nothing of the role: the same key policy break leaves every run passing",
    async (_mode, artifactConfig) => {
      const changed = broken(
        noS3InKeyPolicy(resources),
        named(CANARY, `tap-${stack}-primary-service-canary`),
        (r) => {
          if (artifactConfig) r.inputs.artifactConfig = artifactConfig;
          else delete r.inputs.artifactConfig;
        },
      );
      const { report, world } = await dayOne(changed, 0);
      expect(primaryRuns(report).map((r) => [r.passed, r.artifacts?.length])).toEqual([[true, 3]]);
      const role = world.model.canaries.find((c) => c.name === `tap-${primary}`)!.executionRoleArn;
      expect(world.calls.filter((c) => c.caller === role).map((c) => `${c.action} ${c.outcome}`)).toEqual([
        "s3:GetBucketLocation ok",
        "s3:PutObject ok",
        "s3:PutObject ok",
        "s3:PutObject ok",
      ]);
    },
    120_000,
  );

  it("D3: the canary's artifacts location names a bucket the program does not create: NoSuchBucket, the run fails", async () => {
    const changed = broken(resources, named(CANARY, `tap-${stack}-primary-service-canary`), (r) => {
      r.inputs.artifactS3Location = "s3://no-such-artifacts-bucket/results/";
    });
    const { report } = await dayOne(changed, 0);
    expect(primaryRuns(report).map((r) => [r.passed, r.reasonCode, r.reason])).toEqual([
      [false, "EXECUTION_FAILURE", "NoSuchBucket: s3://no-such-artifacts-bucket/results/"],
    ]);
  }, 120_000);
});
