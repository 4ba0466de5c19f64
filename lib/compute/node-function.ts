import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Region } from "../config";
import { AlarmInfo, AlarmRole, countAlarm } from "../monitoring/alarm";
import { policyJson, serviceTrustPolicy, Statement } from "../policy-documents";
import { MAX_RESERVABLE_CONCURRENCY } from "../config/concurrency-quota";
import { lambdaBundle } from "./lambda-bundle";

/** Node.js 22 is the newest managed runtime Lambda offers for Node; 20 leaves support in 2026. */
export const NODE_RUNTIME = "nodejs22.x";

export interface NodeFunctionArgs {
  /** Folder under lambda/ whose bundle this function runs. */
  readonly codeName: string;
  /** Provider for the function's region. */
  readonly provider: aws.Provider;
  /** The function's region (its provider's): where its error alarm lives. */
  readonly region: Region;
  /** Timeout in seconds. Default: 30. */
  readonly timeout?: number;
  /** Memory in MB. Default: 256. */
  readonly memorySize?: number;
  readonly environment?: Record<string, pulumi.Input<string>>;
  /** IAM statements beyond logging (and VPC access when `vpc` is set). */
  readonly statements: Statement[];
  /** Places the function in these subnets with these security groups. Default: no VPC. */
  readonly vpc?: { subnetIds: pulumi.Input<string>[]; securityGroupIds: pulumi.Input<string>[] };
  /** KMS key for the log group. */
  readonly logKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** Reserved concurrency. Default: none (unreserved). */
  readonly reservedConcurrentExecutions?: number;
  readonly description?: string;
  /**
   * Topic (in the function's region) that hears when the function errors: functions on the DR path
   * have one (F4). Default: no error alarm.
   */
  readonly errorAlarmTopicArn?: pulumi.Input<string>;
  /**
   * What the error alarm means to the stack; only with `errorAlarmTopicArn`.
   * Default: `{ id: "<name>-errors" }`, neither critical nor a failover trigger.
   */
  readonly errorAlarmRole?: AlarmRole;
}

/**
 * A Node.js Lambda with its own least-privilege role, an encrypted log group with retention, X-Ray
 * tracing, and code from its esbuild bundle. Every function in the stack is one of these.
 */
export class NodeFunction extends pulumi.ComponentResource {
  public readonly function: aws.lambda.Function;
  public readonly role: aws.iam.Role;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly arn: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;
  /** Its Errors alarm as data, when errorAlarmTopicArn was given; otherwise empty. */
  public readonly alarms: AlarmInfo[];

  constructor(name: string, args: NodeFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:compute:NodeFunction", name, {}, opts);
    checkNodeFunctionArgs(args);
    const child = { parent: this, provider: args.provider };

    this.role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com") },
      child,
    );
    // The log group is created up front so retention and encryption apply from the first invocation.
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays, kmsKeyId: args.logKeyArn },
      child,
    );
    const attachments = this.rolePolicies(name, args, child);
    this.function = this.lambdaFunction(name, args, { ...child, dependsOn: attachments });
    this.alarms = args.errorAlarmTopicArn ? [this.errorAlarm(name, args, args.errorAlarmTopicArn)] : [];

    this.arn = this.function.arn;
    this.functionName = this.function.name;
    this.registerOutputs({ arn: this.arn, functionName: this.functionName });
  }

  /**
   * Logging, tracing and the caller's statements, plus the network-interface actions when in a VPC: all
   * the function needs, inline. No AWS-managed policy: AWSLambdaVPCAccessExecutionRole also grants
   * logs:CreateLogGroup/CreateLogStream/PutLogEvents on "*", which would void WriteOwnLogs (S4).
   * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
   */
  private rolePolicies(
    name: string,
    args: NodeFunctionArgs,
    child: pulumi.CustomResourceOptions,
  ): pulumi.Resource[] {
    const statements: Statement[] = [
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: pulumi.interpolate`${this.logGroup.arn}:*`,
      },
      {
        // X-Ray has no resource-level permissions for these actions.
        Sid: "Tracing",
        Effect: "Allow",
        Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        Resource: "*",
      },
      ...(args.vpc ? vpcNetworkInterfaceStatements(args.region, this.logGroup.arn) : []),
      ...args.statements,
    ];
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      { role: this.role.id, policy: policyJson(statements) },
      child,
    );
    return [policy];
  }

  private lambdaFunction(
    name: string,
    args: NodeFunctionArgs,
    opts: pulumi.CustomResourceOptions,
  ): aws.lambda.Function {
    return new aws.lambda.Function(
      name,
      {
        description: args.description,
        runtime: NODE_RUNTIME,
        architectures: ["arm64"],
        handler: "index.handler",
        code: lambdaBundle(args.codeName),
        role: this.role.arn,
        timeout: args.timeout ?? 30,
        memorySize: args.memorySize ?? 256,
        reservedConcurrentExecutions: args.reservedConcurrentExecutions,
        tracingConfig: { mode: "Active" },
        loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
        environment: args.environment ? { variables: args.environment } : undefined,
        vpcConfig: args.vpc,
      },
      opts,
    );
  }

  private errorAlarm(name: string, args: NodeFunctionArgs, topicArn: pulumi.Input<string>): AlarmInfo {
    // Any error in a minute alarms: Lambda counts 1 per failed invocation, so a minute's Sum >= 1 is
    // one or more errors, and one such minute (1 of 1) is enough. A function that is not invoked
    // publishes no Errors datapoint. https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
    return countAlarm(
      `${name}-errors`,
      { region: args.region, topicArn, provider: args.provider },
      {
        description: `Lambda ${name} reported errors`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: this.function.name },
        period: 60,
        evaluationPeriods: 1,
        threshold: 1,
        comparison: "GreaterThanOrEqualToThreshold",
      },
      args.errorAlarmRole ?? { id: `${name}-errors` },
      this,
    );
  }
}

export function checkNodeFunctionArgs(args: NodeFunctionArgs): void {
  const t = args.timeout ?? 30;
  if (!Number.isInteger(t) || t < 1 || t > 900)
    throw new Error(`NodeFunction: timeout must be 1..900 s, got ${t}`);
  const m = args.memorySize ?? 256;
  if (!Number.isInteger(m) || m < 128 || m > 10240)
    throw new Error(`NodeFunction: memorySize must be 128..10240 MB`);
  const reserved = args.reservedConcurrentExecutions;
  if (
    reserved !== undefined &&
    (!Number.isInteger(reserved) || reserved < 0 || reserved > MAX_RESERVABLE_CONCURRENCY)
  )
    throw new Error(
      `NodeFunction: reservedConcurrentExecutions must be 0..${MAX_RESERVABLE_CONCURRENCY} (the default quota less 100 unreserved), got ${reserved}`,
    );
  if (args.errorAlarmRole && !args.errorAlarmTopicArn)
    throw new Error("NodeFunction: errorAlarmRole needs errorAlarmTopicArn (no topic, no error alarm)");
}

/** Statements every function's role gets for its own running (logs, tracing, VPC interfaces), not for its work. */
export const FUNCTION_RUNTIME_SIDS = [
  "WriteOwnLogs",
  "Tracing",
  "VpcNetworkInterfacesAnywhere",
  "VpcNetworkInterfacesOfThisAccount",
] as const;

/**
 * What Lambda needs to manage a VPC function's network interfaces with the function's role, the EC2 part
 * of AWSLambdaVPCAccessExecutionRole and nothing else (S4).
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
 *  - DescribeNetworkInterfaces and DescribeSubnets support no resource-level permissions ("*" only).
 *  - CreateNetworkInterface stays on "*": Lambda checks the role when the function is created or its VPC
 *    settings change, and that check fails for a role whose CreateNetworkInterface names resources
 *    (https://github.com/aws/serverless-application-model/issues/1074).
 *  - Delete, Assign and Unassign act on existing interfaces: this Region and account only, the form
 *    Lambda's guide gives for DeleteNetworkInterface ("include all resource IDs").
 * `accountOf` is any ARN of the function's account (its log group's); partition and account come from it.
 */
export function vpcNetworkInterfaceStatements(region: string, accountOf: pulumi.Input<string>): Statement[] {
  // Partition and account from an ARN of the function's own account, so the statement holds outside "aws" too.
  const arn = pulumi.output(accountOf).apply((a) => a.split(":"));
  const [partition, account] = [arn.apply((p) => p[1]), arn.apply((p) => p[4])];
  return [
    {
      Sid: "VpcNetworkInterfacesAnywhere",
      Effect: "Allow",
      Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
      Resource: "*",
    },
    {
      Sid: "VpcNetworkInterfacesOfThisAccount",
      Effect: "Allow",
      Action: [
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: pulumi.interpolate`arn:${partition}:ec2:${region}:${account}:*/*`,
    },
  ];
}
