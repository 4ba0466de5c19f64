/**
 * The AWS CLI commands docs/runbook.md gives an operator, each with the IAM actions it needs (Service
 * Authorization Reference, one page per service:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 * The operator policy (operator-policy.ts) must allow every one of them; test/docs/runbook.test.ts
 * checks that every `aws …` line of the runbook is listed here and that the policy grants its actions.
 * `byAdmin` commands are run in advance by someone who administers IAM, not by the operator.
 */
export interface OperatorCommand {
  readonly actions: readonly string[];
  readonly byAdmin?: true;
}

export const OPERATOR_COMMANDS = {
  "cloudwatch describe-alarms": { actions: ["cloudwatch:DescribeAlarms"] },
  "cloudwatch get-metric-statistics": { actions: ["cloudwatch:GetMetricStatistics"] },
  "route53 get-health-check-status": { actions: ["route53:GetHealthCheckStatus"] },
  "route53 update-health-check": { actions: ["route53:UpdateHealthCheck"] },
  "rds describe-global-clusters": { actions: ["rds:DescribeGlobalClusters"] },
  "rds failover-global-cluster": { actions: ["rds:FailoverGlobalCluster"] },
  "rds switchover-global-cluster": { actions: ["rds:SwitchoverGlobalCluster"] },
  "rds describe-db-cluster-snapshots": { actions: ["rds:DescribeDBClusterSnapshots"] },
  "rds copy-db-cluster-snapshot": { actions: ["rds:CopyDBClusterSnapshot"] },
  // X3: reading and moving the writer lease by hand (docs/runbook.md, "Fencing the old writer").
  "dynamodb get-item": { actions: ["dynamodb:GetItem"] },
  "dynamodb update-item": { actions: ["dynamodb:UpdateItem"] },
  "lambda invoke": { actions: ["lambda:InvokeFunction"] },
  "lambda list-event-source-mappings": { actions: ["lambda:ListEventSourceMappings"] },
  "lambda update-event-source-mapping": { actions: ["lambda:UpdateEventSourceMapping"] },
  "sqs start-message-move-task": {
    actions: ["sqs:StartMessageMoveTask", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage"],
  },
  "sqs list-message-move-tasks": { actions: ["sqs:ListMessageMoveTasks"] },
  "sqs get-queue-attributes": { actions: ["sqs:GetQueueAttributes"] },
  "secretsmanager list-secrets": { actions: ["secretsmanager:ListSecrets"] },
  "secretsmanager describe-secret": { actions: ["secretsmanager:DescribeSecret"] },
  "secretsmanager rotate-secret": { actions: ["secretsmanager:RotateSecret"] },
  "iam create-policy": { actions: ["iam:CreatePolicy"], byAdmin: true },
} as const satisfies Record<string, OperatorCommand>;

export type OperatorCommandName = keyof typeof OPERATOR_COMMANDS;
