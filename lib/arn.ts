import * as pulumi from "@pulumi/pulumi";

/**
 * The same ARN in another region. Replicas of global resources (DynamoDB global tables, Secrets
 * Manager replicas) keep the name and account and differ only in the region field.
 */
export function arnInRegion(arn: pulumi.Input<string>, region: string): pulumi.Output<string> {
  return pulumi.output(arn).apply((a) => {
    const parts = a.split(":");
    if (parts.length < 6 || parts[0] !== "arn") throw new Error(`not an ARN: ${a}`);
    parts[3] = region;
    return parts.join(":");
  });
}
