/**
 * The AWS CLI v2 options each runbook command may use, as its reference page documents them, and the
 * ones it requires. Global options: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-options.html
 * Per command: https://docs.aws.amazon.com/cli/latest/reference/<service>/<command>.html (the `url` below).
 * Boolean options are listed with their `--no-` form where the page documents both.
 */
export const GLOBAL_OPTIONS = [
  "--region",
  "--query",
  "--output",
  "--profile",
  "--cli-read-timeout",
  "--cli-connect-timeout",
  "--cli-binary-format",
  "--no-cli-pager",
  "--debug",
] as const;

export interface CliCommandReference {
  readonly url: string;
  readonly options: readonly string[];
  readonly required: readonly string[];
  /** Global services (Route 53, IAM) take no --region; every other command must say its Region. */
  readonly global?: true;
  /** Positional arguments after the options (lambda invoke's outfile). */
  readonly positional?: number;
}

const ref = (service: string, command: string) =>
  `https://docs.aws.amazon.com/cli/latest/reference/${service}/${command}.html`;

export const AWS_CLI_REFERENCE: Record<string, CliCommandReference> = {
  "cloudwatch describe-alarms": {
    url: ref("cloudwatch", "describe-alarms"),
    options: [
      "--alarm-names",
      "--alarm-name-prefix",
      "--alarm-types",
      "--children-of-alarm-name",
      "--parents-of-alarm-name",
      "--state-value",
      "--action-prefix",
      "--max-items",
    ],
    required: [],
  },
  "cloudwatch get-metric-statistics": {
    url: ref("cloudwatch", "get-metric-statistics"),
    options: [
      "--namespace",
      "--metric-name",
      "--dimensions",
      "--start-time",
      "--end-time",
      "--period",
      "--statistics",
      "--extended-statistics",
      "--unit",
    ],
    required: ["--namespace", "--metric-name", "--start-time", "--end-time", "--period"],
  },
  "route53 get-health-check-status": {
    url: ref("route53", "get-health-check-status"),
    options: ["--health-check-id"],
    required: ["--health-check-id"],
    global: true,
  },
  "route53 update-health-check": {
    url: ref("route53", "update-health-check"),
    options: [
      "--health-check-id",
      "--health-check-version",
      "--inverted",
      "--no-inverted",
      "--disabled",
      "--no-disabled",
      "--failure-threshold",
      "--resource-path",
      "--enable-sni",
      "--no-enable-sni",
    ],
    required: ["--health-check-id"],
    global: true,
  },
  "rds describe-global-clusters": {
    url: ref("rds", "describe-global-clusters"),
    options: ["--global-cluster-identifier", "--filters", "--max-records", "--marker"],
    required: [],
  },
  "rds failover-global-cluster": {
    url: ref("rds", "failover-global-cluster"),
    options: [
      "--global-cluster-identifier",
      "--target-db-cluster-identifier",
      "--allow-data-loss",
      "--no-allow-data-loss",
      "--switchover",
      "--no-switchover",
    ],
    required: ["--global-cluster-identifier", "--target-db-cluster-identifier"],
  },
  "rds switchover-global-cluster": {
    url: ref("rds", "switchover-global-cluster"),
    options: ["--global-cluster-identifier", "--target-db-cluster-identifier"],
    required: ["--global-cluster-identifier", "--target-db-cluster-identifier"],
  },
  "rds describe-db-cluster-snapshots": {
    url: ref("rds", "describe-db-cluster-snapshots"),
    options: [
      "--db-cluster-identifier",
      "--db-cluster-snapshot-identifier",
      "--snapshot-type",
      "--filters",
      "--max-records",
      "--marker",
      "--include-shared",
      "--include-public",
    ],
    required: [],
  },
  "rds copy-db-cluster-snapshot": {
    url: ref("rds", "copy-db-cluster-snapshot"),
    options: [
      "--source-db-cluster-snapshot-identifier",
      "--target-db-cluster-snapshot-identifier",
      "--kms-key-id",
      "--copy-tags",
      "--no-copy-tags",
      "--tags",
    ],
    required: ["--source-db-cluster-snapshot-identifier", "--target-db-cluster-snapshot-identifier"],
  },
  "dynamodb get-item": {
    url: ref("dynamodb", "get-item"),
    options: [
      "--table-name",
      "--key",
      "--attributes-to-get",
      "--consistent-read",
      "--no-consistent-read",
      "--return-consumed-capacity",
      "--projection-expression",
      "--expression-attribute-names",
    ],
    required: ["--table-name", "--key"],
  },
  "dynamodb update-item": {
    url: ref("dynamodb", "update-item"),
    options: [
      "--table-name",
      "--key",
      "--attribute-updates",
      "--expected",
      "--conditional-operator",
      "--return-values",
      "--return-consumed-capacity",
      "--return-item-collection-metrics",
      "--update-expression",
      "--condition-expression",
      "--expression-attribute-names",
      "--expression-attribute-values",
      "--return-values-on-condition-check-failure",
    ],
    required: ["--table-name", "--key"],
  },
  "lambda invoke": {
    url: ref("lambda", "invoke"),
    options: [
      "--function-name",
      "--invocation-type",
      "--log-type",
      "--client-context",
      "--payload",
      "--qualifier",
    ],
    required: ["--function-name"],
    positional: 1,
  },
  "lambda list-event-source-mappings": {
    url: ref("lambda", "list-event-source-mappings"),
    options: ["--event-source-arn", "--function-name", "--max-items"],
    required: [],
  },
  "lambda update-event-source-mapping": {
    url: ref("lambda", "update-event-source-mapping"),
    options: ["--uuid", "--function-name", "--enabled", "--no-enabled", "--batch-size"],
    required: ["--uuid"],
  },
  "sqs start-message-move-task": {
    url: ref("sqs", "start-message-move-task"),
    options: ["--source-arn", "--destination-arn", "--max-number-of-messages-per-second"],
    required: ["--source-arn"],
  },
  "sqs list-message-move-tasks": {
    url: ref("sqs", "list-message-move-tasks"),
    options: ["--source-arn", "--max-results"],
    required: ["--source-arn"],
  },
  "sqs get-queue-attributes": {
    url: ref("sqs", "get-queue-attributes"),
    options: ["--queue-url", "--attribute-names"],
    required: ["--queue-url"],
  },
  "secretsmanager list-secrets": {
    url: ref("secretsmanager", "list-secrets"),
    options: ["--include-planned-deletion", "--max-results", "--filters", "--sort-order"],
    required: [],
  },
  "secretsmanager describe-secret": {
    url: ref("secretsmanager", "describe-secret"),
    options: ["--secret-id"],
    required: ["--secret-id"],
  },
  "secretsmanager rotate-secret": {
    url: ref("secretsmanager", "rotate-secret"),
    options: [
      "--secret-id",
      "--client-request-token",
      "--rotation-lambda-arn",
      "--rotation-rules",
      "--rotate-immediately",
      "--no-rotate-immediately",
    ],
    required: ["--secret-id"],
  },
  "iam create-policy": {
    url: ref("iam", "create-policy"),
    options: ["--policy-name", "--policy-document", "--path", "--description", "--tags"],
    required: ["--policy-name", "--policy-document"],
    global: true,
  },
};

/** Options that take no value (the reference pages show them without one). */
export const BOOLEAN_OPTIONS = new Set([
  "--inverted",
  "--no-inverted",
  "--disabled",
  "--no-disabled",
  "--enable-sni",
  "--no-enable-sni",
  "--allow-data-loss",
  "--no-allow-data-loss",
  "--switchover",
  "--no-switchover",
  "--copy-tags",
  "--no-copy-tags",
  "--enabled",
  "--no-enabled",
  "--include-shared",
  "--include-public",
  "--include-planned-deletion",
  "--consistent-read",
  "--no-consistent-read",
  "--rotate-immediately",
  "--no-rotate-immediately",
  "--no-cli-pager",
  "--debug",
]);

/** `pulumi stack output [name] [--json] [--show-secrets]`:
 *  https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_output/ */
export const PULUMI_STACK_OUTPUT_OPTIONS = ["--json", "--show-secrets"] as const;

/** `pulumi preview [--refresh] [--diff] [--expect-no-changes] ...` (the runbook's check after an operation):
 *  https://www.pulumi.com/docs/iac/cli/commands/pulumi_preview/ */
export const PULUMI_PREVIEW_OPTIONS = ["--refresh", "--diff", "--expect-no-changes", "--json"] as const;

/** The Pulumi subcommands the runbook may use, each with its documented options. */
export const PULUMI_COMMAND_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  "stack output": PULUMI_STACK_OUTPUT_OPTIONS,
  preview: PULUMI_PREVIEW_OPTIONS,
};
