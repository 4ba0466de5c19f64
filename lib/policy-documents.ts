import * as pulumi from "@pulumi/pulumi";

/** A statement of an IAM or resource policy, with Input values so ARNs can flow in unresolved. */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: pulumi.Input<Record<string, pulumi.Input<string | pulumi.Input<string>[]>> | "*">;
  Action: string | string[];
  Resource?: pulumi.Input<string> | pulumi.Input<string>[];
  Condition?: pulumi.Input<
    Record<string, Record<string, pulumi.Input<string | string[] | pulumi.Input<string>[]>>>
  >;
}

/** Serialises a policy document once every ARN in it is known. */
export function policyJson(statements: Statement[]): pulumi.Output<string> {
  return pulumi.output({ Version: "2012-10-17", Statement: statements }).apply((doc) => JSON.stringify(doc));
}

/**
 * A trust policy that lets one AWS service assume a role. `sourceAccount` (and `sourceArn`) add the
 * confused-deputy guard where the service documents it (VPC Flow Logs, S3 replication do; Lambda's
 * execution-role trust and API Gateway's integration roles document none).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
export function serviceTrustPolicy(
  service: string,
  sourceAccount?: pulumi.Input<string>,
  sourceArn?: pulumi.Input<string>,
): pulumi.Output<string> {
  const condition = sourceAccount
    ? {
        Condition: {
          StringEquals: { "aws:SourceAccount": sourceAccount },
          ...(sourceArn ? { ArnLike: { "aws:SourceArn": sourceArn } } : {}),
        },
      }
    : {};
  return policyJson([
    { Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...condition },
  ]);
}

/** Denies `action` on `resource` to any request that does not use TLS. */
export function denyInsecureTransport(
  action: string,
  resource: pulumi.Input<string> | pulumi.Input<string>[],
): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * Write actions this stack grants on "*" although IAM lists a resource type for them, each with why it
 * cannot be scoped by resource here (S4). test/compute/role-scope.test.ts fails on any other.
 */
export const UNSCOPABLE_WRITE_ACTIONS: Readonly<Record<string, string>> = {
  "ec2:CreateNetworkInterface":
    "Lambda checks a VPC function's role on create and fails a resource-scoped CreateNetworkInterface " +
    "(https://github.com/aws/serverless-application-model/issues/1074)",
  "cloudwatch:PutMetricData":
    "its only resource type is the OTLP dataset; a classic PutMetricData names none, so the canary's " +
    "statement is scoped by the cloudwatch:namespace condition instead",
};
