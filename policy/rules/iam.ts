/**
 * Least privilege in identity policies: no `*` or `service:*` actions, and `Resource: "*"` only for
 * actions that have no resource-level permissions. KMS key policies (aws:kms/key:Key) are not checked:
 * there `"Resource": "*"` means "this key".
 */
import type { ReportViolation } from "@pulumi/policy";
import { dig, items, peek, resourceRule, UNKNOWN } from "../util";

/**
 * Actions that accept only `"Resource": "*"` (no resource-level permissions), per the Service
 * Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/).
 * Compared case-insensitively. Extend with care: each entry widens what "*" may grant.
 */
export const NO_RESOURCE_LEVEL_ACTIONS: readonly string[] = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
  "cloudwatch:PutMetricData",
  "cloudwatch:GetMetricData",
  "cloudwatch:GetMetricStatistics",
  "cloudwatch:ListMetrics",
  "logs:DescribeLogGroups",
  "s3:ListAllMyBuckets",
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeVpcs",
  "sts:GetCallerIdentity",
  "secretsmanager:GetRandomPassword",
  "secretsmanager:ListSecrets",
  "sns:ListTopics",
  "sqs:ListQueues",
  "lambda:ListFunctions",
  "dynamodb:ListTables",
];
const NO_RESOURCE_LEVEL = new Set(NO_RESOURCE_LEVEL_ACTIONS.map((a) => a.toLowerCase()));

const POLICY_TYPES = [
  "aws:iam/role:Role",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];

export interface Statement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly notAction: boolean;
  readonly notResource: boolean;
}

/** Parses a policy document (JSON string or object) into its statements; undefined if unparseable. */
export function statementsOf(document: unknown): Statement[] | undefined {
  let doc: unknown = document;
  if (typeof doc === "string") {
    try {
      doc = JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
  if (doc === null || typeof doc !== "object") return undefined;
  const strings = (v: unknown) => items(v).filter((x): x is string => typeof x === "string");
  return items(dig(doc, "Statement")).map((s) => ({
    sid: typeof dig(s, "Sid") === "string" ? (dig(s, "Sid") as string) : undefined,
    effect: String(dig(s, "Effect")),
    actions: strings(dig(s, "Action")),
    resources: strings(dig(s, "Resource")),
    notAction: dig(s, "NotAction") !== undefined,
    notResource: dig(s, "NotResource") !== undefined,
  }));
}

/** The documents a resource carries: `policy`, or a Role's `inlinePolicies[].policy`. */
function documentsOf(type: string, props: Record<string, unknown>): { label: string; doc: unknown }[] {
  if (type === "aws:iam/role:Role") {
    return items(peek(props, "inlinePolicies")).map((p, i) => ({
      label: `inline policy ${String(dig(p, "name") ?? i)}`,
      doc: dig(p, "policy"),
    }));
  }
  // Read directly, not via peek: an unknown document cannot be judged, and the SDK then reports
  // "can't run during preview" as an advisory; `pulumi up` checks it with the final value.
  return [{ label: "policy", doc: props.policy }];
}

function forEachAllow(
  type: string,
  props: Record<string, unknown>,
  report: ReportViolation,
  fn: (s: Statement, where: string) => void,
): void {
  for (const { label, doc } of documentsOf(type, props)) {
    if (doc === undefined || doc === UNKNOWN) continue;
    const statements = statementsOf(doc);
    if (!statements) {
      report(`${label} is not a valid JSON policy document`);
      continue;
    }
    statements.forEach((s, i) => {
      if (s.effect === "Allow") fn(s, `${label}, statement ${s.sid ?? `#${i}`}`);
    });
  }
}

const isWildcardAction = (a: string) => a.trim() === "*" || /^[A-Za-z0-9-]+:\*$/.test(a.trim());

export const iamNoWildcardActions = resourceRule({
  name: "iam-no-wildcard-actions",
  description: 'Identity policies allow no "*" or "service:*" action, and no Allow with NotAction.',
  types: POLICY_TYPES,
  check: (props, args, report) =>
    forEachAllow(args.type, props, report, (s, where) => {
      const wild = s.actions.filter(isWildcardAction);
      if (wild.length)
        report(`${where}: action ${wild.map((a) => `"${a}"`).join(", ")} grants a whole service`);
      if (s.notAction) report(`${where}: Allow with NotAction grants everything not listed`);
    }),
});

export const iamWildcardResourceOnlyWhereNeeded = resourceRule({
  name: "iam-wildcard-resource-only-where-needed",
  description:
    'Identity policies use "Resource": "*" only for actions without resource-level permissions (allow-list).',
  types: POLICY_TYPES,
  check: (props, args, report) =>
    forEachAllow(args.type, props, report, (s, where) => {
      if (s.notResource) report(`${where}: Allow with NotResource applies to everything not listed`);
      if (!s.resources.some((r) => r.trim() === "*")) return;
      const scoped = s.actions.filter((a) => !NO_RESOURCE_LEVEL.has(a.trim().toLowerCase()));
      if (scoped.length) {
        report(`${where}: Resource "*" for ${scoped.join(", ")}, which support resource-level permissions`);
      }
    }),
});

export const iamPolicies = [iamNoWildcardActions, iamWildcardResourceOnlyWhereNeeded];
