/**
 * A least-privilege IAM policy for the on-call operator, built from the program's own resources so it
 * can be granted before the night it is needed (a stack output; docs/runbook.md shows how to create
 * it). It is what the drill runs (the orchestrator's own statements: the drill runs the same code with
 * the operator's credentials), what `npm run reconcile` needs (the reconcile function's statements),
 * plus the runbook's triage reads and manual steps (operator-commands.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { policyJson, Statement } from "../policy-documents";

/**
 * A managed policy holds at most 6,144 characters, whitespace not counted, so the document must fit
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const MANAGED_POLICY_MAX_CHARS = 6144;

export interface OperatorPolicyArgs {
  /** The failover orchestrator role's statements. */
  readonly promotion: readonly Statement[];
  /** The reconcile function role's statements. */
  readonly reconcile: readonly Statement[];
  /** Functions the runbook invokes by hand (failover, reconcile). */
  readonly functionArns: readonly pulumi.Input<string>[];
  /** Route 53 health checks the runbook reads and inverts. */
  readonly healthCheckIds: readonly pulumi.Input<string>[];
  /** The primary cluster: its Region and account hold the unplanned-failover snapshot to copy. */
  readonly primaryClusterArn: pulumi.Input<string>;
  /** The order processor's rotated secret (the rotation commands). */
  readonly appSecretArn: pulumi.Input<string>;
}

/**
 * Actions without resource-level permissions take "*": GetMetricStatistics, GetMetricData and
 * ListEventSourceMappings, ListSecrets; DescribeAlarms returns composite alarms only when granted on "*"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html).
 */
export function operatorStatements(args: OperatorPolicyArgs): Statement[] {
  const arn = pulumi.output(args.primaryClusterArn).apply(arnParts);
  return [
    ...args.promotion.map((s) => ({ ...s, Sid: `Drill${s.Sid ?? ""}` })),
    ...args.reconcile.map((s) => ({ ...s, Sid: `ReconcileCli${s.Sid ?? ""}` })),
    {
      Sid: "TriageReadsWithoutResourceScope",
      Effect: "Allow",
      Action: [
        "cloudwatch:DescribeAlarms",
        "cloudwatch:GetMetricStatistics",
        "cloudwatch:GetMetricData",
        "lambda:ListEventSourceMappings",
        "secretsmanager:ListSecrets",
      ],
      Resource: "*",
    },
    {
      Sid: "HealthChecks",
      Effect: "Allow",
      Action: ["route53:GetHealthCheckStatus", "route53:GetHealthCheck", "route53:UpdateHealthCheck"],
      Resource: args.healthCheckIds.map(
        (id) => pulumi.interpolate`arn:${arn.partition}:route53:::healthcheck/${id}`,
      ),
    },
    {
      Sid: "InvokeByHand",
      Effect: "Allow",
      Action: "lambda:InvokeFunction",
      Resource: [...args.functionArns],
    },
    {
      Sid: "KeepFailoverSnapshot",
      Effect: "Allow",
      Action: ["rds:DescribeDBClusterSnapshots", "rds:CopyDBClusterSnapshot"],
      Resource: [
        args.primaryClusterArn,
        pulumi.interpolate`arn:${arn.partition}:rds:${arn.region}:${arn.account}:cluster-snapshot:*`,
      ],
    },
    {
      Sid: "RotateAppSecret",
      Effect: "Allow",
      Action: ["secretsmanager:DescribeSecret", "secretsmanager:RotateSecret"],
      Resource: args.appSecretArn,
    },
  ];
}

/** The policy document as JSON text, once every ARN is known. */
export function operatorPolicy(args: OperatorPolicyArgs): pulumi.Output<string> {
  return policyJson(operatorStatements(args));
}

function arnParts(arn: string): { partition: string; region: string; account: string } {
  const [, partition, , region, account] = arn.split(":");
  return { partition, region, account };
}
