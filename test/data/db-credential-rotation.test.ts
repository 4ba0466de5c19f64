/**
 * S3: rotation of the order processor's database credentials, through the Pulumi program with mocks
 * (values, not existence), and the DbCredentialRotation component's argument checks on it alone.
 */
import * as aws from "@pulumi/aws";
import {
  checkDbCredentialRotationArgs,
  DbCredentialRotation,
  DbCredentialRotationArgs,
  ROTATION_APPLICATION,
} from "../../lib/data/db-credential-rotation";
import { installMocks, recorded, SecretValue, settle } from "../../tooling/mocks/recorder";
import { PRODUCTION_CONFIG, ProgramRun, runProgram } from "../program";

const T = {
  app: "aws:serverlessrepository/cloudFormationStack:CloudFormationStack",
  schedule: "aws:secretsmanager/secretRotation:SecretRotation",
  secret: "aws:secretsmanager/secret:Secret",
  version: "aws:secretsmanager/secretVersion:SecretVersion",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  key: "aws:kms/key:Key",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  subnet: "aws:ec2/subnet:Subnet",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
};
const APP_SECRET = "tap-dev-db-app-credentials-creds-secret";
const MASTER_SECRET = "tap-dev-db-credentials-secret";

describe("credential rotation in the program (dev)", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram();
  });
  const keyArn = (region: string) => run.of(T.key).find((k) => k.region === region)!.state.arn;
  const primarySubnets = () =>
    run
      .of(T.subnet)
      .filter((s) => s.region === "us-east-1")
      .map((s) => s.id);
  const lambdaSg = (region: string) =>
    run.of(T.sg).find((g) => g.region === region && g.name.endsWith("-lambda-sg"))!;

  it("S3: AWS's multi-user PostgreSQL function from the Serverless Application Repository, version pinned, in the primary VPC", () => {
    const app = run.named(T.app, "tap-dev-db-rotation-function");
    expect(app.region).toBe("us-east-1");
    expect(app.inputs).toMatchObject({
      name: "tap-dev-db-rotation",
      applicationId:
        "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationMultiUser",
      semanticVersion: "1.1.671",
      capabilities: ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
    });
    expect(app.inputs.parameters).toEqual({
      endpoint: "https://secretsmanager.us-east-1.amazonaws.com",
      functionName: "tap-dev-db-rotation",
      vpcSubnetIds: primarySubnets().join(","),
      vpcSecurityGroupIds: lambdaSg("us-east-1").id,
      kmsKeyArn: keyArn("us-east-1"),
      masterSecretArn: run.named(T.secret, MASTER_SECRET).state.arn,
      masterSecretKmsKeyArn: keyArn("us-east-1"),
    });
    expect(primarySubnets()).toHaveLength(3);
  });

  it("S3: the function's log group exists before the function, with the stack's retention and the primary key", () => {
    const logs = run.named("aws:cloudwatch/logGroup:LogGroup", "tap-dev-db-rotation-logs");
    expect([logs.region, logs.inputs]).toEqual([
      "us-east-1",
      { name: "/aws/lambda/tap-dev-db-rotation", retentionInDays: 30, kmsKeyId: keyArn("us-east-1") },
    ]);
    expect(run.named(T.app, "tap-dev-db-rotation-function").dependencies).toContain(logs.urn);
  });

  it("S3: the schedule is on the primary copy of the processor's secret, every 30 days, first rotation at deploy, after the migration", () => {
    const schedules = run.of(T.schedule);
    expect(schedules).toHaveLength(1); // none on a replica: AWS allows rotation on the primary only
    const [schedule] = schedules;
    const app = run.named(T.app, "tap-dev-db-rotation-function");
    expect(schedule.region).toBe("us-east-1");
    expect(schedule.inputs).toEqual({
      secretId: run.named(T.secret, APP_SECRET).state.arn,
      rotationLambdaArn: (app.state.outputs as Record<string, string>)[ROTATION_APPLICATION.functionOutput],
      rotationRules: { automaticallyAfterDays: 30 },
      rotateImmediately: true,
    });
    expect(schedule.inputs.rotationLambdaArn).toBe(
      "arn:aws:lambda:us-east-1:123456789012:function:tap-dev-db-rotation",
    );
    const migration = run.resources.find((r) => r.type === "tap:data:LedgerMigration")!;
    const aurora = run.resources.find((r) => r.type === "tap:data:AuroraGlobalDatabase")!;
    expect([run.waitsFor(schedule, migration), run.waitsFor(schedule, aurora)]).toEqual([true, true]);
  });

  it("S3: the processor's secret names the master secret as masterarn, and is replicated with the secondary key", () => {
    const app = run.named(T.secret, APP_SECRET);
    expect(app.inputs.replicas).toEqual([{ region: "us-west-2", kmsKeyId: keyArn("us-west-2") }]);
    const doc = run.of(T.version).find((v) => v.inputs.secretId === app.state.arn)!;
    expect(doc.inputs.secretString).toBeInstanceOf(SecretValue);
    const parsed = JSON.parse(String((doc.inputs.secretString as SecretValue).value));
    expect(parsed).toMatchObject({
      engine: "postgres",
      username: "tap_order_processor",
      masterarn: run.named(T.secret, MASTER_SECRET).state.arn,
      port: 5432,
      dbname: "orders",
    });
  });

  it("S3: the function's role may encrypt replica versions with the secondary key, through Secrets Manager there only", () => {
    const policy = run.named(T.rolePolicy, "tap-dev-db-rotation-replica-key");
    expect(policy.region).toBe("us-east-1");
    expect(policy.inputs.role).toMatch(/^serverlessrepo-tap-dev-db-rotation-SecretsManagerRotationRole-/);
    expect(JSON.parse(String(policy.inputs.policy))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EncryptReplicaVersions",
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:GenerateDataKey"],
          Resource: keyArn("us-west-2"),
          Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-west-2.amazonaws.com" } },
        },
      ],
    });
  });

  it("S3: the function's network reaches Aurora on 5432 and Secrets Manager's private endpoint on 443", () => {
    const sg = lambdaSg("us-east-1");
    const egress = (sg.inputs.egress as Record<string, unknown>[]).map((e) => [e.fromPort, e.cidrBlocks]);
    expect(egress).toEqual(
      expect.arrayContaining([
        [5432, ["10.10.0.0/16"]],
        [443, ["10.10.0.0/16"]],
      ]),
    );
    const auroraSg = run.named(T.sg, "tap-dev-aurora-primary-sg");
    expect(auroraSg.inputs.ingress).toEqual([
      expect.objectContaining({ fromPort: 5432, toPort: 5432, securityGroups: [sg.id] }),
    ]);
    const sm = run
      .of(T.endpoint)
      .find(
        (e) => e.region === "us-east-1" && e.inputs.serviceName === "com.amazonaws.us-east-1.secretsmanager",
      )!;
    expect(sm.inputs).toMatchObject({ vpcEndpointType: "Interface", privateDnsEnabled: true });
    const endpointSg = run
      .of(T.sg)
      .find((g) => g.region === "us-east-1" && g.name.endsWith("-endpoints-sg"))!;
    expect(endpointSg.inputs.ingress).toEqual([
      expect.objectContaining({ fromPort: 443, cidrBlocks: ["10.10.0.0/16"] }),
    ]);
  });

  it("S3: a failed rotation (any error of the rotation function) alarms to the primary topic and is in the stack's alarm list", () => {
    const alarm = run.named("aws:cloudwatch/metricAlarm:MetricAlarm", "tap-dev-db-rotation-failed");
    const topic = run.of("aws:sns/topic:Topic").find((t) => t.region === "us-east-1");
    expect(alarm.region).toBe("us-east-1");
    expect(alarm.inputs).toMatchObject({
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: "tap-dev-db-rotation" },
      statistic: "Sum",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [topic!.state.arn],
      okActions: [topic!.state.arn],
    });
    // The SAR template names the function after its functionName parameter.
    expect((run.named(T.app, "tap-dev-db-rotation-function").inputs.parameters as any).functionName).toBe(
      (alarm.inputs.dimensions as any).FunctionName,
    );
  });
});

describe("credential rotation follows config", () => {
  it("S3: dbCredentialRotationDays sets the schedule", async () => {
    const run = await runProgram({ dbCredentialRotationDays: "7" });
    expect(run.of(T.schedule).map((s) => s.inputs.rotationRules)).toEqual([{ automaticallyAfterDays: 7 }]);
  });

  it("S3: dbCredentialRotation=false (dev only) declares no function, schedule or masterarn", async () => {
    const run = await runProgram({ dbCredentialRotation: "false" });
    expect([run.of(T.app), run.of(T.schedule)]).toEqual([[], []]);
    const app = run.named(T.secret, APP_SECRET);
    const doc = run.of(T.version).find((v) => v.inputs.secretId === app.state.arn)!;
    expect(JSON.parse(String((doc.inputs.secretString as SecretValue).value)).masterarn).toBeUndefined();
  });

  it("S3: production rotates too", async () => {
    const run = await runProgram(PRODUCTION_CONFIG, "prod");
    expect(run.of(T.schedule).map((s) => s.inputs.rotationRules)).toEqual([{ automaticallyAfterDays: 30 }]);
  });
});

describe("DbCredentialRotation alone", () => {
  let provider: aws.Provider;
  beforeAll(async () => {
    await installMocks();
    provider = new aws.Provider("p", { region: "us-east-1" });
    await settle();
  });
  const args = (over: Partial<DbCredentialRotationArgs> = {}): DbCredentialRotationArgs => ({
    provider,
    region: "us-east-1",
    secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf",
    secretKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/p",
    username: "tap_order_processor",
    masterSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbCdEf",
    masterSecretKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/p",
    replica: { region: "us-west-2", kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/s" },
    subnetIds: ["subnet-a", "subnet-b"],
    securityGroupId: "sg-lambda",
    logKeyArn: "arn:aws:kms:us-east-1:123456789012:key/p",
    logRetentionDays: 7,
    runAfter: [],
    alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:t",
    ...over,
  });
  /** Builds the component; reports what it threw and how many resources it declared (itself included). */
  async function build(name: string, a: DbCredentialRotationArgs) {
    const before = recorded().length;
    let error: string | undefined;
    try {
      new DbCredentialRotation(name, a);
    } catch (e) {
      error = (e as Error).message;
    }
    await settle();
    return { error, declared: recorded().length - before };
  }

  it("S3: automaticallyAfterDays must be an integer 1..1000 (RotationRules' range)", async () => {
    for (const days of [0, 1001, 2.5]) {
      expect(
        await build(`d${String(days).replace(".", "-")}`, args({ automaticallyAfterDays: days })),
      ).toEqual({
        error: `DbCredentialRotation: automaticallyAfterDays must be an integer 1..1000, got ${days}`,
        declared: 1,
      });
    }
  });

  it("S3: the replica must be elsewhere, the name a valid function and stack name, the user the base of its pair", async () => {
    expect((await build("same", args({ replica: { region: "us-east-1", kmsKeyArn: "k" } }))).error).toBe(
      "DbCredentialRotation: the replica must be in another region",
    );
    expect((await build("1-starts-with-digit", args())).error).toBe(
      'DbCredentialRotation: "1-starts-with-digit" is not a valid Lambda function and CloudFormation stack name',
    );
    expect((await build(`r${"x".repeat(64)}`, args())).error).toMatch(/is not a valid Lambda function/);
    expect((await build("clone", args({ username: "tap_order_processor_clone" }))).error).toBe(
      'DbCredentialRotation: username "tap_order_processor_clone" must be the base user, not the clone',
    );
    expect((await build("long", args({ username: `u${"x".repeat(57)}` }))).error).toBe(
      `DbCredentialRotation: username "u${"x".repeat(57)}" leaves no room for "_clone" in 63 characters`,
    );
  });

  it("S3: good arguments build the function stack, its key policy and the schedule", async () => {
    expect(() => checkDbCredentialRotationArgs("ok", args())).not.toThrow();
    const r = await build("ok", args({ automaticallyAfterDays: 1000 }));
    expect(r).toEqual({ error: undefined, declared: 6 });
    const schedule = recorded().find((x) => x.name === "ok-schedule")!;
    expect(schedule.inputs.rotationRules).toEqual({ automaticallyAfterDays: 1000 });
    const app = recorded().find((x) => x.name === "ok-function")!;
    expect((app.inputs.parameters as Record<string, string>).vpcSubnetIds).toBe("subnet-a,subnet-b");
  });
});
