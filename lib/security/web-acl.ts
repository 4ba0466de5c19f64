import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LOG_RETENTION_DAYS } from "../config";
import { MIN_WAF_RATE_LIMIT, WAF_WINDOW_SECONDS } from "../config/api-limits";
import { WAF_RATE_LIMIT_RANGE } from "../config/security";

/** WAF refuses a logging destination whose name does not start with this.
 *  https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html */
export const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

/**
 * AWS managed rule groups that fit a JSON order API, in evaluation order, and why each is here:
 *  - AmazonIpReputationList: sources Amazon threat intelligence flags (bots, scanners, DDoS sources);
 *    cheap and first, so known-bad IPs are dropped before anything else is inspected.
 *  - CommonRuleSet: the baseline OWASP-style protections (bad user agents, oversized or malformed
 *    bodies, XSS/LFI/RFI patterns). An order body is a few hundred bytes, far below its 8 KB body limit.
 *  - KnownBadInputsRuleSet: request patterns of known exploits (Log4j JNDI lookups, Java deserialization,
 *    localhost Host headers).
 * Left out on purpose: SQLiRuleSet (no request value reaches SQL unparameterised, and the order schema
 * already rejects any field outside strict patterns), AnonymousIpList (institutional clients often sit
 * behind proxies and VPNs), BotControl (paid, aimed at browsers).
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
 */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
] as const;

export const RATE_RULE_NAME = "rate-per-client-ip";

export interface WebAclArgs {
  readonly provider: aws.Provider;
  /** ARN of the API Gateway stage to protect (aws.apigateway.Stage#arn). */
  readonly stageArn: pulumi.Input<string>;
  /** Requests one client IP may send per 5 minutes before it is blocked: at least MIN_WAF_RATE_LIMIT (what
   *  the API serves one client), at most 2,000,000,000. */
  readonly rateLimitPer5Min: number;
  /** Encrypts the WAF log group. */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
}

export function checkWebAclArgs(args: WebAclArgs): void {
  const [min, max] = WAF_RATE_LIMIT_RANGE;
  if (
    !Number.isInteger(args.rateLimitPer5Min) ||
    args.rateLimitPer5Min < min ||
    args.rateLimitPer5Min > max
  ) {
    throw new Error(
      `WebAcl: rateLimitPer5Min must be an integer from ${min} to ${max}, got ${args.rateLimitPer5Min}`,
    );
  }
  if (args.rateLimitPer5Min < MIN_WAF_RATE_LIMIT) {
    // S5: below this the ACL blocks a client the API would still serve (docs/security.md, "Limits").
    throw new Error(
      `WebAcl: rateLimitPer5Min ${args.rateLimitPer5Min} is below what the API serves one client (${MIN_WAF_RATE_LIMIT} per 5 minutes)`,
    );
  }
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(args.logRetentionDays)) {
    throw new Error(
      `WebAcl: logRetentionDays ${args.logRetentionDays} is not a value CloudWatch Logs accepts`,
    );
  }
}

const visibility = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

/**
 * A regional web ACL in front of one API stage (S2): managed rule groups, a per-IP rate limit, and full
 * request logs (Authorization header redacted: it carries the bearer token) in a retained, encrypted log
 * group.
 */
export class WebAcl extends pulumi.ComponentResource {
  public readonly webAclArn: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: WebAclArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:security:WebAcl", name, {}, opts);
    checkWebAclArgs(args);
    const child = { parent: this, provider: args.provider };

    const managed = MANAGED_RULE_GROUPS.map((group, priority) => ({
      name: group,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
      visibilityConfig: visibility(group),
    }));
    const acl = new aws.wafv2.WebAcl(
      `${name}-acl`,
      {
        scope: "REGIONAL",
        description: "Order API: managed protections and a per-IP rate limit",
        defaultAction: { allow: {} },
        rules: [
          ...managed,
          {
            name: RATE_RULE_NAME,
            priority: managed.length,
            action: { block: {} },
            statement: {
              rateBasedStatement: {
                limit: args.rateLimitPer5Min,
                evaluationWindowSec: WAF_WINDOW_SECONDS,
                aggregateKeyType: "IP",
              },
            },
            visibilityConfig: visibility(RATE_RULE_NAME),
          },
        ],
        visibilityConfig: visibility(`${name}-acl`.replace(/[^A-Za-z0-9_-]/g, "-")),
      },
      child,
    );
    const logs = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: pulumi.interpolate`${WAF_LOG_GROUP_PREFIX}${name}`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.kmsKeyArn,
      },
      child,
    );
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-logging`,
      {
        resourceArn: acl.arn,
        logDestinationConfigs: [logs.arn],
        redactedFields: [{ singleHeader: { name: "authorization" } }],
      },
      child,
    );
    new aws.wafv2.WebAclAssociation(
      `${name}-association`,
      { resourceArn: args.stageArn, webAclArn: acl.arn },
      child,
    );

    this.webAclArn = acl.arn;
    this.logGroupName = logs.name;
    this.registerOutputs({ webAclArn: this.webAclArn, logGroupName: this.logGroupName });
  }
}
