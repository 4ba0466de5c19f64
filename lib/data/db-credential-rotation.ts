import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MAX_BASE_ROLE_LENGTH, rotationPair } from "../../lambda/ledger-migrator/app-role";
import { Region } from "../config";
import { AlarmInfo, countAlarm } from "../monitoring/alarm";
import { policyJson } from "../policy-documents";
import { ROTATION_DAYS_RANGE } from "../config/rotation";

/**
 * AWS's published alternating-users rotation function for PostgreSQL, from the Serverless Application
 * Repository. Pinned, so a deploy never picks up a new function version unreviewed; the ARN and version
 * are those AWS's own CDK construct deploys
 * (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_secretsmanager.SecretRotationApplication.html).
 * The template creates an IAM role and a resource policy (the Lambda permission for Secrets Manager), so
 * it needs both capabilities (https://www.pulumi.com/registry/packages/aws/api-docs/serverlessrepository/cloudformationstack/).
 */
export const ROTATION_APPLICATION = {
  applicationId:
    "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationMultiUser",
  semanticVersion: "1.1.671",
  capabilities: ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
  /** The template's output naming the function it creates. */
  functionOutput: "RotationLambdaARN",
} as const;

/** Lambda function names: letters, digits, hyphens, underscores, at most 64 characters. */
const FUNCTION_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** CloudFormation stack names (SAR prefixes "serverlessrepo-"): a letter first, at most 128 in all. */
const STACK_NAME_RE = /^[A-Za-z][A-Za-z0-9-]{0,112}$/;

export interface DbCredentialRotationArgs {
  /** Provider and region of the secret's primary copy: rotation runs only there. */
  readonly provider: aws.Provider;
  readonly region: Region;
  /** The processor's secret (primary copy) and the key that encrypts it. */
  readonly secretArn: pulumi.Input<string>;
  readonly secretKmsKeyArn: pulumi.Input<string>;
  /** The user the secret starts with; the rotation alternates with `<username>_clone`. */
  readonly username: string;
  /** The superuser secret the secret's `masterarn` names, and its key. */
  readonly masterSecretArn: pulumi.Input<string>;
  readonly masterSecretKmsKeyArn: pulumi.Input<string>;
  /** Where new versions are replicated to, and the key they are encrypted with there. */
  readonly replica: { readonly region: Region; readonly kmsKeyArn: pulumi.Input<string> };
  /** Private subnets of the writer's VPC, and a security group Aurora and the endpoints admit. */
  readonly subnetIds: pulumi.Input<string>[];
  readonly securityGroupId: pulumi.Input<string>;
  /** Key and retention of the function's log group (created here, so it never is "never expire"). */
  readonly logKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** Days between rotations, 1..1000. Default: 30. */
  readonly automaticallyAfterDays?: number;
  /** Rotate once as soon as the schedule is created, proving the set-up at deploy time. Default: true. */
  readonly rotateImmediately?: boolean;
  /** What must exist before the first rotation: the users (the migration) and both secrets' documents. */
  readonly runAfter: pulumi.Input<pulumi.Resource>[];
  /** Topic in `region` that hears when a rotation fails (the function errors). */
  readonly alarmTopicArn: pulumi.Input<string>;
}

/**
 * Scheduled, downtime-free rotation of the order processor's database credentials (S3): AWS's multi-user
 * function deployed from the Serverless Application Repository into the primary VPC, and a rotation
 * schedule on the secret's primary copy.
 *
 * Alternating users: each rotation sets a new password on the user the secret does not name and then
 * switches the secret to it, so the credentials processors hold stay valid until the next rotation.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-strategy.html
 *
 * Why the SAR application and aws.secretsmanager.SecretRotation, not the `AWS::SecretsManager-2020-07-23`
 * transform (HostedRotationLambda): the transform works only inside a CloudFormation template that also
 * owns the rotation schedule, which would take the schedule out of Pulumi's state and the policy pack's
 * view; the SAR application is the same AWS-maintained function, with the schedule a Pulumi resource.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-secretsmanager-rotationschedule-hostedrotationlambda.html
 *
 * Replicas: Secrets Manager rotates the primary secret and every new version propagates to the replicas;
 * rotation cannot be turned on for a replica (only after promoting it to a standalone secret), so the
 * schedule lives with the primary copy only.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/standalone-secret.html
 */
export class DbCredentialRotation extends pulumi.ComponentResource {
  /** The rotation function the application created. */
  public readonly functionArn: pulumi.Output<string>;
  public readonly secretId: pulumi.Output<string>;
  /** A failed rotation: the function raised an error in any step. */
  public readonly alarms: AlarmInfo[];

  constructor(name: string, args: DbCredentialRotationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:data:DbCredentialRotation", name, {}, opts);
    checkDbCredentialRotationArgs(name, args);
    const child = { parent: this, provider: args.provider };

    // Lambda writes to /aws/lambda/<function name>; made first, it has retention and the regional key.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${name}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logKeyArn },
      child,
    );
    const app = new aws.serverlessrepository.CloudFormationStack(
      `${name}-function`,
      {
        name,
        applicationId: ROTATION_APPLICATION.applicationId,
        semanticVersion: ROTATION_APPLICATION.semanticVersion,
        capabilities: [...ROTATION_APPLICATION.capabilities],
        parameters: rotationParameters(name, args),
      },
      { ...child, dependsOn: [logGroup] },
    );
    this.functionArn = app.outputs.apply((o) => o[ROTATION_APPLICATION.functionOutput]);

    const replicaKey = this.replicaKeyPolicy(name, args);
    const schedule = new aws.secretsmanager.SecretRotation(
      `${name}-schedule`,
      {
        secretId: args.secretArn,
        rotationLambdaArn: this.functionArn,
        rotationRules: { automaticallyAfterDays: args.automaticallyAfterDays ?? 30 },
        rotateImmediately: args.rotateImmediately ?? true,
      },
      // setSecret logs in with the current credentials before anything else, so the users must exist.
      { ...child, dependsOn: [app, replicaKey, ...args.runAfter] },
    );
    this.secretId = schedule.secretId;
    this.alarms = [this.failedRotationAlarm(name, args)];
    this.registerOutputs({ functionArn: this.functionArn, secretId: this.secretId });
  }

  /**
   * A rotation that fails leaves the processors on the current credentials (nothing breaks), but the
   * next ones keep failing until someone looks: any error of the function alarms. The function raises in
   * the step that failed, so its Errors metric counts it; it is not invoked between rotations, and that
   * silence is not a failure. https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html
   * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
   */
  private failedRotationAlarm(name: string, args: DbCredentialRotationArgs): AlarmInfo {
    return countAlarm(
      `${name}-failed`,
      { region: args.region, topicArn: args.alarmTopicArn, provider: args.provider },
      {
        description: `Rotation of the order processor's database credentials failed (function ${name}); see its logs`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: name },
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparison: "GreaterThanOrEqualToThreshold",
      },
      { id: `${name}-failed` },
      this,
    );
  }

  /**
   * Each new version is replicated with the identity that wrote it (the rotation function's role), which
   * needs kms:Encrypt and kms:GenerateDataKey on the replica's key; the template grants only the primary
   * key (kmsKeyArn). https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets_troubleshoot.html
   * Scoped to use through Secrets Manager in the replica's region, which the key policy also requires.
   */
  private replicaKeyPolicy(name: string, args: DbCredentialRotationArgs): aws.iam.RolePolicy {
    const fn = aws.lambda.getFunctionOutput(
      { functionName: this.functionArn },
      { parent: this, provider: args.provider },
    );
    return new aws.iam.RolePolicy(
      `${name}-replica-key`,
      {
        role: fn.role.apply((arn) => arn.split("/").pop()!),
        policy: policyJson([
          {
            Sid: "EncryptReplicaVersions",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:GenerateDataKey"],
            Resource: args.replica.kmsKeyArn,
            Condition: {
              StringEquals: { "kms:ViaService": `secretsmanager.${args.replica.region}.amazonaws.com` },
            },
          },
        ]),
      },
      { parent: this, provider: args.provider },
    );
  }
}

/**
 * The application's parameters. `endpoint` is the regional Secrets Manager name: the VPC's interface
 * endpoint has private DNS, so that name resolves to it and the function needs no internet path.
 * kmsKeyArn and masterSecretKmsKeyArn make the template grant the function's role the key (Decrypt,
 * DescribeKey, GenerateDataKey); masterSecretArn makes it grant GetSecretValue on the superuser secret.
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_secretsmanager.SecretRotationProps.html
 */
export function rotationParameters(
  name: string,
  args: DbCredentialRotationArgs,
): pulumi.Input<Record<string, pulumi.Input<string>>> {
  return {
    endpoint: `https://secretsmanager.${args.region}.amazonaws.com`,
    functionName: name,
    vpcSubnetIds: pulumi.output(args.subnetIds).apply((ids) => ids.join(",")),
    vpcSecurityGroupIds: args.securityGroupId,
    kmsKeyArn: args.secretKmsKeyArn,
    masterSecretArn: args.masterSecretArn,
    masterSecretKmsKeyArn: args.masterSecretKmsKeyArn,
  };
}

export function checkDbCredentialRotationArgs(name: string, args: DbCredentialRotationArgs): void {
  const problems: string[] = [];
  const days = args.automaticallyAfterDays ?? 30;
  const [min, max] = ROTATION_DAYS_RANGE;
  if (!Number.isInteger(days) || days < min || days > max) {
    problems.push(`automaticallyAfterDays must be an integer ${min}..${max}, got ${days}`);
  }
  if (args.region === args.replica.region) problems.push("the replica must be in another region");
  if (!FUNCTION_NAME_RE.test(name) || !STACK_NAME_RE.test(name)) {
    problems.push(`"${name}" is not a valid Lambda function and CloudFormation stack name`);
  }
  const { base } = rotationPair(args.username);
  if (base !== args.username)
    problems.push(`username "${args.username}" must be the base user, not the clone`);
  if (base.length > MAX_BASE_ROLE_LENGTH) {
    problems.push(`username "${base}" leaves no room for "_clone" in 63 characters`);
  }
  if (problems.length) throw new Error(`DbCredentialRotation: ${problems.join("; ")}`);
}
