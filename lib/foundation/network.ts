import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseCidr, Region } from "../config";
import { policyJson, serviceTrustPolicy } from "../policy-documents";

/**
 * VPC endpoints that let the in-VPC Lambdas (order processor, health check) work with no internet path:
 * - dynamodb, s3 (gateway, free): order-state writes and the health check's DescribeTable;
 * - secretsmanager (interface): the processor reads DB credentials; Secrets Manager decrypts with KMS
 *   server-side, so no kms endpoint is needed;
 * - sqs (interface): the health check reads queue attributes. (The event source mapping itself polls
 *   from the Lambda service, outside the VPC.)
 * - lambda (interface): the health check reads its region's role from the order processor's event
 *   source mapping (GetEventSourceMapping). With no route out of the VPC, a call to a service with no
 *   endpoint hangs until the client gives up: without this one every /health answered 503 and Route 53
 *   marked both regions unhealthy from the first deploy. Private DNS makes the SDK's default host
 *   (lambda.<region>.amazonaws.com) resolve to the endpoint, so the function needs no endpoint URL.
 *   https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-endpoints.html
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html (PrivateDnsEnabled)
 * Every SDK client a VPC function's bundle holds needs its service here (test/foundation/vpc-reach.test.ts).
 * Logs, metrics (EMF via logs) and X-Ray traces leave through the Lambda service, not the function's ENI.
 */
export const GATEWAY_ENDPOINTS = ["s3", "dynamodb"] as const;
export const INTERFACE_ENDPOINTS = ["secretsmanager", "sqs", "lambda"] as const;

export interface NetworkArgs {
  /** Region of the VPC; used for endpoint service names. */
  readonly region: Region;
  /** Provider for `region`. */
  readonly provider: aws.Provider;
  /** IPv4 CIDR of the VPC, /16 to /22. Subnets are carved 4 bits deeper. */
  readonly cidrBlock: string;
  /** Number of AZs (and private subnets). Default: 3; at least 2. */
  readonly azCount?: number;
  /** KMS key for the flow-log group. */
  readonly logKeyArn: pulumi.Input<string>;
  /** Flow-log retention in days. */
  readonly logRetentionDays: number;
  /** Account id, for the flow-log role's confused-deputy guard. */
  readonly accountId: pulumi.Input<string>;
}

/** Splits `cidr` into `count` consecutive subnets `newBits` longer. Pure, so tests can check it. */
export function subnetCidrs(cidr: string, count: number, newBits = 4): string[] {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`invalid CIDR ${cidr}`);
  const [base, prefix] = parsed;
  const size = 2 ** (32 - prefix - newBits);
  if (count > 2 ** newBits) throw new Error(`${cidr} cannot hold ${count} subnets of /${prefix + newBits}`);
  return Array.from({ length: count }, (_, i) => {
    const addr = base + i * size;
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(addr / 2 ** shift) % 256);
    return `${octets.join(".")}/${prefix + newBits}`;
  });
}

/**
 * A private, isolated network for one region (P4): a VPC, private subnets across AZs with their own
 * route tables, flow logs to an encrypted log group, the endpoints the Lambdas need, and the Lambdas'
 * security group (the one Aurora admits).
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly privateSubnetIds: pulumi.Output<string>[];
  /** Security group for the Lambdas that reach Aurora and the endpoints. */
  public readonly lambdaSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:foundation:Network", name, {}, opts);
    const azCount = args.azCount ?? 3;
    checkNetworkArgs(args, azCount);
    const child = { parent: this, provider: args.provider };

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidrBlock,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { Name: `${name}-vpc` },
      },
      child,
    );
    // The default security group allows all traffic between its members; strip it so nothing uses it.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [] }, child);

    const subnets = this.privateSubnets(name, args, azCount, vpc);
    this.privateSubnetIds = subnets.subnetIds;
    this.flowLogs(name, args, vpc);
    const gatewayEndpoints = this.gatewayEndpoints(name, args, vpc, subnets.routeTableIds);
    this.interfaceEndpoints(name, args, vpc, subnets.subnetIds);
    const lambdaSg = this.lambdaSecurityGroup(name, args, vpc, gatewayEndpoints);

    this.vpcId = vpc.id;
    this.lambdaSecurityGroupId = lambdaSg.id;
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      lambdaSecurityGroupId: this.lambdaSecurityGroupId,
    });
  }

  /** One private subnet per zone, each with its own route table (no route leaves the VPC). */
  private privateSubnets(
    name: string,
    args: NetworkArgs,
    azCount: number,
    vpc: aws.ec2.Vpc,
  ): { subnetIds: pulumi.Output<string>[]; routeTableIds: pulumi.Output<string>[] } {
    const { provider, region } = args;
    const child = { parent: this, provider };
    // Zones are chosen by zone ID (the same physical zone in every account), skipping IDs known to lack
    // a service the stack uses. Names like us-east-1a map to different zones per account.
    // https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html
    const azs = aws.getAvailabilityZonesOutput(
      {
        state: "available",
        excludeZoneIds: [...AVOIDED_ZONE_IDS],
        filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      },
      { parent: this, provider },
    );
    const zoneIds = azs.zoneIds.apply((ids) => usableZoneIds(ids, region, azCount));
    const routeTableIds: pulumi.Output<string>[] = [];
    const subnetIds = subnetCidrs(args.cidrBlock, azCount).map((cidrBlock, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock,
          availabilityZoneId: zoneIds.apply((ids) => ids[i]),
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-private-${i}`, Tier: "private" },
        },
        child,
      );
      const rt = new aws.ec2.RouteTable(
        `${name}-private-rt-${i}`,
        { vpcId: vpc.id, tags: { Name: `${name}-private-rt-${i}` } },
        child,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-rta-${i}`,
        { subnetId: subnet.id, routeTableId: rt.id },
        child,
      );
      routeTableIds.push(rt.id);
      return subnet.id;
    });
    return { subnetIds, routeTableIds };
  }

  private flowLogs(name: string, args: NetworkArgs, vpc: aws.ec2.Vpc): void {
    const child = { parent: this, provider: args.provider };
    const flowLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      { retentionInDays: args.logRetentionDays, kmsKeyId: args.logKeyArn },
      child,
    );
    const flowLogRole = new aws.iam.Role(
      `${name}-flow-logs-role`,
      { assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", args.accountId) },
      child,
    );
    // The flow log waits for its role's policy (IAM is eventually consistent): created before it, the
    // delivery can fail with an access error.
    const flowLogPolicy = new aws.iam.RolePolicy(
      `${name}-flow-logs-policy`,
      {
        role: flowLogRole.id,
        policy: policyJson([
          // The actions AWS lists as the minimum for a flow-log role, scoped to this log group where the
          // action allows it. https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
          {
            Sid: "WriteFlowLogs",
            Effect: "Allow",
            Action: [
              "logs:CreateLogGroup",
              "logs:CreateLogStream",
              "logs:PutLogEvents",
              "logs:DescribeLogStreams",
            ],
            Resource: [flowLogGroup.arn, pulumi.interpolate`${flowLogGroup.arn}:*`],
          },
          {
            Sid: "FindLogGroup",
            Effect: "Allow",
            Action: "logs:DescribeLogGroups",
            Resource: pulumi.interpolate`arn:aws:logs:${args.region}:${args.accountId}:log-group:*`,
          },
        ]),
      },
      child,
    );
    new aws.ec2.FlowLog(
      `${name}-flow-log`,
      {
        vpcId: vpc.id,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: flowLogGroup.arn,
        iamRoleArn: flowLogRole.arn,
        maxAggregationInterval: 60,
      },
      { ...child, dependsOn: [flowLogPolicy] },
    );
  }

  private gatewayEndpoints(
    name: string,
    args: NetworkArgs,
    vpc: aws.ec2.Vpc,
    routeTableIds: pulumi.Output<string>[],
  ): aws.ec2.VpcEndpoint[] {
    return GATEWAY_ENDPOINTS.map(
      (service) =>
        new aws.ec2.VpcEndpoint(
          `${name}-${service}-endpoint`,
          {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${args.region}.${service}`,
            vpcEndpointType: "Gateway",
            routeTableIds,
          },
          { parent: this, provider: args.provider },
        ),
    );
  }

  private interfaceEndpoints(
    name: string,
    args: NetworkArgs,
    vpc: aws.ec2.Vpc,
    subnetIds: pulumi.Output<string>[],
  ): void {
    const child = { parent: this, provider: args.provider };
    const endpointSg = new aws.ec2.SecurityGroup(
      `${name}-endpoints-sg`,
      {
        vpcId: vpc.id,
        description: "HTTPS from inside the VPC to interface endpoints",
        ingress: [
          { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [args.cidrBlock], description: "VPC" },
        ],
        egress: [],
      },
      child,
    );
    for (const service of INTERFACE_ENDPOINTS) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service}-endpoint`,
        {
          vpcId: vpc.id,
          serviceName: `com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds,
          securityGroupIds: [endpointSg.id],
        },
        child,
      );
    }
  }

  /** The Lambdas may reach Aurora and the endpoints, nothing else. */
  private lambdaSecurityGroup(
    name: string,
    args: NetworkArgs,
    vpc: aws.ec2.Vpc,
    gatewayEndpoints: aws.ec2.VpcEndpoint[],
  ): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
      `${name}-lambda-sg`,
      {
        vpcId: vpc.id,
        description: "Order-processing and health Lambdas",
        egress: [
          {
            protocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            cidrBlocks: [args.cidrBlock],
            description: "Aurora",
          },
          {
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: [args.cidrBlock],
            description: "Interface endpoints",
          },
          {
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            prefixListIds: gatewayEndpoints.map((e) => e.prefixListId),
            description: "S3 and DynamoDB gateway endpoints",
          },
        ],
      },
      { parent: this, provider: args.provider },
    );
  }
}

/**
 * Zone IDs this stack never uses: use1-az3 has no RDS Proxy and constrained capacity for newer instance
 * types. https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html#rds-proxy.limitations
 */
export const AVOIDED_ZONE_IDS = ["use1-az3"] as const;

/** The first `count` zone IDs not avoided; throws when the region has too few. */
export function usableZoneIds(ids: readonly string[], region: string, count: number): string[] {
  const usable = ids.filter((id) => !(AVOIDED_ZONE_IDS as readonly string[]).includes(id));
  if (usable.length < count) {
    throw new Error(`${region} has ${usable.length} usable AZs (${usable.join(", ")}), need ${count}`);
  }
  return usable.slice(0, count);
}

export function checkNetworkArgs(args: NetworkArgs, azCount: number): void {
  const parsed = parseCidr(args.cidrBlock);
  if (!parsed) throw new Error(`Network: cidrBlock "${args.cidrBlock}" is not a CIDR block`);
  if (!Number.isInteger(azCount) || azCount < 2 || azCount > 6) {
    throw new Error(`Network: azCount must be 2..6 (Aurora needs subnets in two AZs), got ${azCount}`);
  }
}

/** Regions where new accounts only see two AZs. */
export function defaultAzCount(region: Region): number {
  return region === "us-west-1" ? 2 : 3;
}
