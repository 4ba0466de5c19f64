/**
 * The fake AWS state behind the mock runtime: what AWS would answer for a new resource (physical name,
 * id, ARN and the usual computed attributes, in the resource's region) and for each invoke the program
 * makes. An unknown invoke fails loudly so a new one cannot slip in unhandled.
 */
import { auroraIdsOfGlobal } from "../../lib/data/aurora-names";

export const ACCOUNT_ID = "123456789012";

const hex = (s: string, len: number) => {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, "0").repeat(4).slice(0, len);
};

/** What AWS would compute for a new resource: physical name, id, ARN and the usual extras. */
export function fakeState(type: string, name: string, inputs: Record<string, unknown>, region: string) {
  const acct = ACCOUNT_ID;
  const physical =
    (inputs.name as string) ??
    (inputs.bucket as string) ??
    `${name}-${hex(name, 7)}`.replace(/[^A-Za-z0-9-]/g, "-");
  const base = { ...inputs, name: inputs.name ?? physical };
  const arn = (service: string, resource: string, global = false) =>
    `arn:aws:${service}:${global ? "" : region}:${global ? (service === "s3" ? "" : acct) : acct}:${resource}`;
  switch (type) {
    case "aws:kms/key:Key": {
      const keyId = `${hex(name, 8)}-${hex(name + "1", 4)}-${hex(name + "2", 4)}-${hex(name + "3", 4)}-${hex(name + "4", 12)}`;
      return { id: keyId, state: { ...inputs, keyId, arn: arn("kms", `key/${keyId}`) } };
    }
    case "aws:kms/alias:Alias":
      return { id: physical, state: { ...base, arn: arn("kms", physical) } };
    case "aws:sns/topic:Topic":
      return { id: arn("sns", physical), state: { ...base, arn: arn("sns", physical) } };
    case "aws:sqs/queue:Queue": {
      const url = `https://sqs.${region}.amazonaws.com/${acct}/${physical}`;
      return { id: url, state: { ...base, arn: arn("sqs", physical), url } };
    }
    case "aws:iam/role:Role":
      return {
        id: physical,
        state: { ...base, arn: arn("iam", `role/${physical}`, true), uniqueId: hex(name, 16) },
      };
    case "aws:lambda/function:Function":
      return {
        id: physical,
        state: {
          ...base,
          arn: arn("lambda", `function:${physical}`),
          invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn("lambda", `function:${physical}`)}/invocations`,
          qualifiedArn: arn("lambda", `function:${physical}:1`),
          version: "1",
        },
      };
    case "aws:lambda/eventSourceMapping:EventSourceMapping": {
      // The UUID AWS assigns; the ARN form is documented in the Lambda API reference.
      const uuid = `${hex(name, 8)}-${hex(name + "1", 4)}-${hex(name + "2", 4)}-${hex(name + "3", 4)}-${hex(name + "4", 12)}`;
      return { id: uuid, state: { ...inputs, uuid, arn: arn("lambda", `event-source-mapping:${uuid}`) } };
    }
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: physical, state: { ...base, arn: arn("logs", `log-group:${physical}`) } };
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2":
      return {
        id: physical,
        state: {
          ...base,
          bucket: physical,
          arn: `arn:aws:s3:::${physical}`,
          bucketRegionalDomainName: `${physical}.s3.${region}.amazonaws.com`,
        },
      };
    case "aws:rds/globalCluster:GlobalCluster": {
      const gid = (inputs.globalClusterIdentifier as string) ?? physical;
      return {
        id: gid,
        state: {
          ...inputs,
          arn: `arn:aws:rds::${acct}:global-cluster:${gid}`,
          endpoint: `${gid}.global-${hex(gid, 10)}.global.rds.amazonaws.com`,
        },
      };
    }
    case "aws:rds/cluster:Cluster": {
      const cid = (inputs.clusterIdentifier as string) ?? physical;
      const h = hex(cid, 12);
      return {
        id: cid,
        state: {
          ...inputs,
          clusterIdentifier: cid,
          arn: arn("rds", `cluster:${cid}`),
          endpoint: `${cid}.cluster-${h}.${region}.rds.amazonaws.com`,
          readerEndpoint: `${cid}.cluster-ro-${h}.${region}.rds.amazonaws.com`,
          port: 5432,
        },
      };
    }
    case "aws:rds/clusterInstance:ClusterInstance":
      return { id: physical, state: { ...base, arn: arn("rds", `db:${physical}`) } };
    case "aws:dynamodb/table:Table":
      return {
        id: physical,
        state: {
          ...base,
          arn: arn("dynamodb", `table/${physical}`),
          streamArn: arn("dynamodb", `table/${physical}/stream/2026-01-01T00:00:00.000`),
        },
      };
    case "aws:secretsmanager/secretVersion:SecretVersion": {
      // AWS assigns a version id per write; a stable fake lets dependants (triggers) see a value.
      const versionId = `${hex(name, 8)}-${hex(name + "v", 4)}`;
      return { id: `${String(inputs.secretId)}|${versionId}`, state: { ...inputs, versionId } };
    }
    case "aws:secretsmanager/secret:Secret":
      return {
        id: arn("secretsmanager", `secret:${physical}-AbCdEf`),
        state: { ...base, arn: arn("secretsmanager", `secret:${physical}-AbCdEf`) },
      };
    case "aws:apigateway/restApi:RestApi": {
      const apiId = hex(name, 10);
      return {
        id: apiId,
        state: {
          ...base,
          rootResourceId: hex(name + "root", 10),
          executionArn: `arn:aws:execute-api:${region}:${acct}:${apiId}`,
        },
      };
    }
    case "aws:apigateway/stage:Stage": {
      const apiId = String(inputs.restApi ?? "api");
      return {
        id: `${apiId}-${inputs.stageName}`,
        state: {
          ...inputs,
          invokeUrl: `https://${apiId}.execute-api.${region}.amazonaws.com/${inputs.stageName}`,
          arn: `arn:aws:apigateway:${region}::/restapis/${apiId}/stages/${inputs.stageName}`,
          executionArn: `arn:aws:execute-api:${region}:${acct}:${apiId}/${inputs.stageName}`,
        },
      };
    }
    case "aws:route53/healthCheck:HealthCheck": {
      const hcId = `${hex(name, 8)}-${hex(name + "h", 4)}-${hex(name + "c", 4)}`;
      return { id: hcId, state: { ...inputs, arn: `arn:aws:route53:::healthcheck/${hcId}` } };
    }
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
    case "aws:cloudwatch/compositeAlarm:CompositeAlarm": {
      const alarmName = (inputs.name as string) ?? (inputs.alarmName as string) ?? physical;
      return {
        id: alarmName,
        state: { ...inputs, name: alarmName, alarmName, arn: arn("cloudwatch", `alarm:${alarmName}`) },
      };
    }
    case "aws:synthetics/canary:Canary":
      return {
        id: String(inputs.name),
        state: {
          ...inputs,
          arn: arn("synthetics", `canary:${inputs.name}`),
          engineArn: arn("lambda", `function:cwsyn-${inputs.name}`),
        },
      };
    case "random:index/randomPassword:RandomPassword": {
      // Deterministic and recognisable, so tests can prove it never leaks into a plain input.
      const result = `Pw!${hex(name, 12)}#${hex(name + "p", 12)}`;
      return { id: "none", state: { ...inputs, result, bcryptHash: `$2a$10$${hex(result, 20)}` } };
    }
    case "aws:acm/certificate:Certificate": {
      // ACM issues the same validation CNAME for one name in one account, whatever the region.
      const domainName = String(inputs.domainName);
      const token = hex(domainName, 16);
      return {
        id: arn("acm", `certificate/${hex(name, 8)}`),
        state: {
          ...inputs,
          arn: arn("acm", `certificate/${hex(name, 8)}`),
          domainValidationOptions: [
            {
              domainName,
              resourceRecordName: `_${token}.${domainName}.`,
              resourceRecordType: "CNAME",
              resourceRecordValue: `_${hex(token, 16)}.acm-validations.aws.`,
            },
          ],
        },
      };
    }
    case "aws:route53/record:Record":
      return { id: `${name}-record`, state: { ...inputs, fqdn: String(inputs.name).replace(/\.$/, "") } };
    case "random:index/randomId:RandomId": {
      const h = hex(name, 2 * Number(inputs.byteLength ?? 4));
      return { id: h, state: { ...inputs, hex: h, b64Std: Buffer.from(h, "hex").toString("base64") } };
    }
    case "aws:ec2/vpc:Vpc":
      return {
        id: `vpc-${hex(name, 17)}`,
        state: { ...inputs, arn: arn("ec2", `vpc/vpc-${hex(name, 17)}`) },
      };
    case "aws:ec2/subnet:Subnet":
      return {
        id: `subnet-${hex(name, 17)}`,
        state: { ...inputs, arn: arn("ec2", `subnet/subnet-${hex(name, 17)}`) },
      };
    case "aws:ec2/securityGroup:SecurityGroup":
      return {
        id: `sg-${hex(name, 17)}`,
        state: { ...base, arn: arn("ec2", `security-group/sg-${hex(name, 17)}`) },
      };
    case "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": {
      // SAR prefixes the stack name; the rotation applications output the function they create.
      const stackName = `serverlessrepo-${physical}`;
      const fn = String((inputs.parameters as Record<string, unknown> | undefined)?.functionName ?? physical);
      return {
        id: arn("cloudformation", `stack/${stackName}/${hex(name, 8)}`),
        state: { ...base, name: stackName, outputs: { RotationLambdaARN: arn("lambda", `function:${fn}`) } },
      };
    }
    case "aws:ec2/vpcEndpoint:VpcEndpoint":
      return { id: `vpce-${hex(name, 17)}`, state: { ...inputs, prefixListId: `pl-${hex(name, 8)}` } };
    default: {
      const [, mod = "x", kind = "Resource"] = type.split(/[:/]/);
      return {
        id: `${name}-id`,
        state: { ...base, arn: arn(mod.split("/")[0], `${kind.toLowerCase()}/${physical}`) },
      };
    }
  }
}

/**
 * What the fake account already holds when the program runs. Empty: a first deploy, nothing exists.
 * `aurora`: the stack's global database exists (a deploy after day one) and its writer is that member,
 * or no member writes at the moment ("none": AWS is between writers during a switchover or failover).
 */
export interface FakeAccount {
  readonly aurora?: {
    readonly writer: "primary" | "secondary" | "none";
    /** False: the clusters exist but the global cluster does not (detached by hand). Default: true. */
    readonly global?: boolean;
    /** Members listed. Default: both; the old primary is none between a failover and its rejoin. */
    readonly members?: readonly ("primary" | "secondary")[];
    /** Member regions, for the cluster ARNs. Default: the Pulumi.yaml regions. */
    readonly regions?: { readonly primary: string; readonly secondary: string };
  };
}

/**
 * `account` with every default above spelled out, in one key order: two accounts the fakes answer alike
 * are equal, so test/program.ts runs the program once for both.
 */
export function withAccountDefaults(account: FakeAccount): {
  readonly aurora?: Required<NonNullable<FakeAccount["aurora"]>>;
} {
  if (!account.aurora) return {};
  const {
    writer,
    global = true,
    members = ["primary", "secondary"],
    regions = { primary: "us-east-1", secondary: "us-west-2" },
  } = account.aurora;
  return {
    aurora: {
      writer,
      global,
      members: [...members],
      regions: { primary: regions.primary, secondary: regions.secondary },
    },
  };
}

export function callResult(
  token: string,
  inputs: Record<string, unknown>,
  region: string,
  account: FakeAccount = {},
): Record<string, unknown> {
  switch (token) {
    case "aws:rds/getClusters:getClusters":
      return existingClusters(inputs, region, account);
    case "aws:rds/getGlobalCluster:getGlobalCluster":
      return globalCluster(String(inputs.identifier), region, account);
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: ACCOUNT_ID,
        arn: `arn:aws:iam::${ACCOUNT_ID}:user/plan`,
        userId: "AIDAPLAN",
        id: ACCOUNT_ID,
      };
    case "aws:index/getAvailabilityZones:getAvailabilityZones": {
      const letters = region === "us-west-1" ? ["a", "c"] : ["a", "b", "c", "d"];
      return {
        names: letters.map((l) => `${region}${l}`),
        // Zone IDs as AWS spells them: use1-az1, usw2-az1, euw1-az1 ...
        zoneIds: letters.map((_, i) => `${zonePrefix(region)}-az${i + 1}`),
        state: inputs.state,
        id: region,
      };
    }
    case "aws:index/getRegion:getRegion":
      return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:lambda/getFunction:getFunction": {
      // A function a template created: its role is the template's, named after the stack.
      const fn = String(inputs.functionName).split(":").pop();
      return {
        functionName: inputs.functionName,
        arn: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${fn}`,
        role: `arn:aws:iam::${ACCOUNT_ID}:role/serverlessrepo-${fn}-SecretsManagerRotationRole-${hex(String(fn), 8)}`,
        id: fn,
      };
    }
    case "aws:route53/getZone:getZone":
      return { zoneId: "Z0123456789ABCDEFGHIJ", name: inputs.name, id: "Z0123456789ABCDEFGHIJ" };
    default:
      throw new Error(`tooling/mocks/fake-aws.ts: unhandled invoke ${token}; add it to callResult`);
  }
}

/**
 * DescribeDBClusters with the `db-cluster-id` filter: the clusters of that list that exist in `region`;
 * an empty list, not an error, when none does.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html
 */
function existingClusters(inputs: Record<string, unknown>, region: string, account: FakeAccount) {
  const filters = (inputs.filters ?? []) as { name: string; values: string[] }[];
  const wanted = filters.find((f) => f.name === "db-cluster-id")?.values ?? [];
  const ids = account.aurora ? wanted : [];
  return {
    clusterIdentifiers: ids,
    clusterArns: ids.map((id) => `arn:aws:rds:${region}:${ACCOUNT_ID}:cluster:${id}`),
    filters,
    id: region,
  };
}

/**
 * DescribeGlobalClusters of the stack's global database: its two members (named as the program names
 * them, lib/data/aurora-names.ts) and which one writes. Not found is an error, as in the provider.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html
 */
function globalCluster(identifier: string, region: string, account: FakeAccount) {
  if (!account.aurora || account.aurora.global === false) {
    throw new Error(`reading RDS Global Cluster (${identifier}): couldn't find resource`);
  }
  const { writer, members, regions } = withAccountDefaults(account).aurora!;
  const ids = auroraIdsOfGlobal(identifier);
  const member = (role: "primary" | "secondary") => ({
    dbClusterArn: `arn:aws:rds:${regions[role]}:${ACCOUNT_ID}:cluster:${ids[role]}`,
    isWriter: writer === role,
    readers: [],
    synchronizationStatus: "connected",
  });
  return {
    identifier,
    arn: `arn:aws:rds::${ACCOUNT_ID}:global-cluster:${identifier}`,
    members: members.map(member),
    engine: "aurora-postgresql",
    region,
    id: identifier,
  };
}

/** use1 for us-east-1, usw2 for us-west-2, apne1 for ap-northeast-1: the prefix of AWS zone IDs. */
function zonePrefix(region: string): string {
  const [area, direction, n] = region.split("-");
  const dir = direction
    .replace("northeast", "ne")
    .replace("southeast", "se")
    .replace("north", "n")
    .replace("south", "s")
    .replace("east", "e")
    .replace("west", "w")
    .replace("central", "c");
  return `${area}${dir}${n}`;
}
