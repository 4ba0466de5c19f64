import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { CANARY_ENV } from "../../lambda/canary/health-canary";
import { Region } from "../config";
import { SecureBucket } from "../data/secure-bucket";
import { AlarmInfo, alarmInfo, AlarmRole } from "../monitoring/alarm";
import { policyJson, serviceTrustPolicy } from "../policy-documents";

/** Where the Node.js Puppeteer runtimes load a canary from, and the handler that names it. */
export const CANARY_FILE = "health-canary.js";
export const CANARY_PACKAGE_PATH = `nodejs/node_modules/${CANARY_FILE}`;
export const CANARY_HANDLER = "health-canary.handler";
export const CANARY_SOURCE = path.join(__dirname, "..", "..", "lambda", "canary", CANARY_FILE);
/** R25 */
export const CANARY_SUCCESS_THRESHOLD = 90;
/** Where the canary writes run artifacts; the only prefix that expires. */
export const RESULTS_PREFIX = "results/";

export interface HealthCanaryArgs {
  /** Canary name: at most 21 characters of [0-9a-z_-] (the limit older API versions still enforce). */
  readonly canaryName: string;
  readonly region: Region;
  readonly provider: aws.Provider;
  readonly accountId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Base URL of the regional API stage. */
  readonly apiBaseUrl: pulumi.Input<string>;
  /**
   * The 4xx that API's POST /orders answers an order with no credentials (OrderApi.anonymousOrderStatus):
   * the canary places no order, it proves the gate answers (lambda/canary/health-canary.js says why).
   */
  readonly anonymousOrderStatus: number;
  /** syn-nodejs-puppeteer-N.M */
  readonly runtimeVersion: string;
  readonly scheduleMinutes: number;
  /** Topic in the canary's region for the SuccessPercent alarm. */
  readonly alarmTopicArn: pulumi.Input<string>;
  /** What the SuccessPercent alarm means to the stack. */
  readonly alarmRole: AlarmRole;
}

/** M out of N canary runs before the success alarm fires (F4). */
export const CANARY_ALARM_EVALUATION = { datapoints: 2, periods: 3 } as const;

/**
 * A Synthetics canary that exercises one region's API like a client would (R24), with its encrypted
 * artifacts bucket, the role AWS documents for canaries, and an alarm on SuccessPercent (R25).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_Canaries_Roles.html
 */
export class HealthCanary extends pulumi.ComponentResource {
  public readonly canaryName: pulumi.Output<string>;
  public readonly alarmName: pulumi.Output<string>;
  /** The artifacts bucket, for server access logging. */
  public readonly artifacts: SecureBucket;
  public readonly alarms: AlarmInfo[];

  constructor(name: string, args: HealthCanaryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:detection:HealthCanary", name, {}, opts);
    checkHealthCanaryArgs(args);

    const artifacts = (this.artifacts = new SecureBucket(
      `${name}-artifacts`,
      // Run results expire; the canary's own code under code/ must stay.
      {
        provider: args.provider,
        kmsKeyArn: args.kmsKeyArn,
        expireAfterDays: 30,
        expirePrefix: RESULTS_PREFIX,
        noncurrentVersionDays: 7,
      },
      { parent: this },
    ));
    const code = this.uploadCode(name, args, artifacts);
    const execution = this.executionRole(name, args, artifacts);
    const canary = this.canary(name, args, artifacts, code, execution);
    const alarm = this.successAlarm(name, args, canary);

    this.canaryName = canary.name;
    this.alarmName = alarm.name;
    this.alarms = [
      alarmInfo(
        alarm,
        { region: args.region, topicArn: args.alarmTopicArn, provider: args.provider },
        args.alarmRole,
      ),
    ];
    this.registerOutputs({ canaryName: this.canaryName, alarmName: this.alarmName });
  }

  private uploadCode(name: string, args: HealthCanaryArgs, artifacts: SecureBucket): aws.s3.BucketObjectv2 {
    return new aws.s3.BucketObjectv2(
      `${name}-code`,
      {
        bucket: artifacts.bucketName,
        key: "code/health-canary.zip",
        source: new pulumi.asset.AssetArchive({
          [CANARY_PACKAGE_PATH]: new pulumi.asset.FileAsset(CANARY_SOURCE),
        }),
      },
      // s3Version needs the version id, which exists only once versioning is on.
      { parent: this, provider: args.provider, dependsOn: [artifacts.versioning] },
    );
  }

  private executionRole(name: string, args: HealthCanaryArgs, artifacts: SecureBucket): CanaryExecution {
    const child = { parent: this, provider: args.provider };
    const role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com") },
      child,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: policyJson([
          {
            Sid: "WriteArtifacts",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:GetObject"],
            Resource: pulumi.interpolate`${artifacts.arn}/*`,
          },
          { Sid: "LocateBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: artifacts.arn },
          // No resource-level permissions exist for these three.
          { Sid: "ListBuckets", Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" },
          {
            Sid: "CanaryMetrics",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": "CloudWatchSynthetics" } },
          },
          { Sid: "Tracing", Effect: "Allow", Action: "xray:PutTraceSegments", Resource: "*" },
          {
            Sid: "CanaryLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`arn:aws:logs:${args.region}:${args.accountId}:log-group:/aws/lambda/cwsyn-*`,
          },
          {
            Sid: "EncryptArtifacts",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: args.kmsKeyArn,
          },
        ]),
      },
      child,
    );
    return { role, policy };
  }

  private canary(
    name: string,
    args: HealthCanaryArgs,
    artifacts: SecureBucket,
    code: aws.s3.BucketObjectv2,
    execution: CanaryExecution,
  ): aws.synthetics.Canary {
    return new aws.synthetics.Canary(
      name,
      {
        name: args.canaryName,
        runtimeVersion: args.runtimeVersion,
        handler: CANARY_HANDLER,
        s3Bucket: artifacts.bucketName,
        s3Key: code.key,
        s3Version: code.versionId,
        executionRoleArn: execution.role.arn,
        artifactS3Location: pulumi.interpolate`s3://${artifacts.bucketName}/${RESULTS_PREFIX}`,
        artifactConfig: { s3Encryption: { encryptionMode: "SSE_KMS", kmsKeyArn: args.kmsKeyArn } },
        schedule: {
          expression: `rate(${args.scheduleMinutes} minute${args.scheduleMinutes === 1 ? "" : "s"})`,
        },
        runConfig: {
          timeoutInSeconds: 60,
          memoryInMb: 1024,
          activeTracing: true,
          environmentVariables: {
            [CANARY_ENV.apiBaseUrl]: args.apiBaseUrl,
            [CANARY_ENV.anonymousOrderStatus]: String(args.anonymousOrderStatus),
          },
        },
        successRetentionPeriod: 7,
        failureRetentionPeriod: 31,
        startCanary: true,
        // S8: remove the canary's Lambda function and layers with it; the default leaves them behind.
        // https://www.pulumi.com/registry/packages/aws/api-docs/synthetics/canary/ (deleteLambda)
        deleteLambda: true,
      },
      // The canary waits for its policy: IAM is eventually consistent and a first run without it is
      // denied, which publishes a failed run (F4).
      { parent: this, provider: args.provider, dependsOn: [execution.policy] },
    );
  }

  // The probe canary's alarm can start a failover (F4): a canary restart or a late run publishes
  // nothing, and that keeps the alarm's state (ignore) instead of counting as a failure; two bad runs
  // out of three are needed.
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
  private successAlarm(
    name: string,
    args: HealthCanaryArgs,
    canary: aws.synthetics.Canary,
  ): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
      `${name}-success`,
      {
        alarmDescription: `Canary ${args.canaryName} succeeded in less than ${CANARY_SUCCESS_THRESHOLD}% of runs`,
        namespace: "CloudWatchSynthetics",
        metricName: "SuccessPercent",
        dimensions: { CanaryName: canary.name },
        statistic: "Average",
        period: args.scheduleMinutes * 60,
        evaluationPeriods: CANARY_ALARM_EVALUATION.periods,
        datapointsToAlarm: CANARY_ALARM_EVALUATION.datapoints,
        threshold: CANARY_SUCCESS_THRESHOLD,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "ignore",
        alarmActions: [args.alarmTopicArn],
        okActions: [args.alarmTopicArn],
      },
      { parent: this, provider: args.provider },
    );
  }
}

/** The canary's role and the policy it must wait for. */
interface CanaryExecution {
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
}

export function checkHealthCanaryArgs(args: HealthCanaryArgs): void {
  if (!/^[0-9a-z_-]{1,21}$/.test(args.canaryName)) {
    throw new Error(`HealthCanary: name "${args.canaryName}" must be 1-21 characters of 0-9, a-z, _ and -`);
  }
  if (!/^syn-nodejs-puppeteer-\d+\.\d+$/.test(args.runtimeVersion)) {
    throw new Error(`HealthCanary: ${args.runtimeVersion} is not a Node.js Puppeteer runtime`);
  }
  if (!Number.isInteger(args.scheduleMinutes) || args.scheduleMinutes < 1 || args.scheduleMinutes > 60) {
    throw new Error("HealthCanary: scheduleMinutes must be 1..60");
  }
  const status = args.anonymousOrderStatus;
  if (!Number.isInteger(status) || status < 400 || status > 499) {
    throw new Error(`HealthCanary: anonymousOrderStatus must be a 4xx status, got ${status}`);
  }
}
