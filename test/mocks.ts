/**
 * The one Pulumi mock harness, shared by the unit tests and the offline plan (scripts/plan.ts).
 *
 * It records, for every resource the program registers: type, name, URN, inputs (secrets marked),
 * provider and region, parent, dependencies and resource options. It answers with realistic ids and
 * ARNs for the resource's region, and handles every invoke the program makes; an unknown invoke fails
 * loudly so a new one cannot slip in untested.
 *
 * Call `installMocks` BEFORE importing the program (use a dynamic import), then `settle()`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";

export const ACCOUNT_ID = "123456789012";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Marks a value the program registered as a Pulumi secret. */
export class SecretValue {
  constructor(readonly value: unknown) {}
  toJSON(): string {
    return "[secret]";
  }
}

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  /** Inputs as the program sent them; secret values are wrapped in SecretValue. */
  inputs: Record<string, unknown>;
  custom: boolean;
  /** URN of the explicit provider, when there is one. */
  providerUrn?: string;
  /** Region of that provider (or of the resource's own `region` input). */
  region?: string;
  parentUrn?: string;
  /** URNs this resource waits on: explicit dependsOn plus every resource its inputs came from. */
  dependencies: string[];
  protect: boolean;
  ignoreChanges: string[];
  deleteBeforeReplace: boolean;
  retainOnDelete: boolean;
  id: string;
  state: Record<string, unknown>;
}

const resources: RecordedResource[] = [];
const providerRegions = new Map<string, string>();
let inFlight = 0;

export function recorded(): RecordedResource[] {
  return resources;
}

/** Resources of one type, e.g. "aws:rds/cluster:Cluster". */
export function ofType(type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

/** The single resource of a type whose name ends with `suffix`; throws when none or several match. */
export function one(type: string, suffix = ""): RecordedResource {
  const found = ofType(type).filter((r) => r.name.endsWith(suffix));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} ending "${suffix}", found ${found.map((r) => r.name).join(", ") || "none"}`,
    );
  }
  return found[0];
}

export function byUrn(urn: string): RecordedResource | undefined {
  return resources.find((r) => r.urn === urn);
}

/** Every resource below `urn` in the parent tree. */
export function descendants(urn: string): RecordedResource[] {
  const children = resources.filter((r) => r.parentUrn === urn);
  return children.flatMap((c) => [c, ...descendants(c.urn)]);
}

/**
 * True when `r` waits for `component`: Pulumi expands a dependency on a component into its custom
 * descendants, so every one of those must be among r's dependencies.
 */
export function waitsFor(r: RecordedResource, component: RecordedResource): boolean {
  const targets = component.custom ? [component] : descendants(component.urn).filter((d) => d.custom);
  return targets.length > 0 && targets.every((t) => r.dependencies.includes(t.urn));
}

/** Resolves an Output (or Input) to its value. */
export function promiseOf<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v as T)));
}

/** Waits until every registration the program started has been answered. */
export async function settle(): Promise<void> {
  let quiet = 0;
  while (quiet < 20) {
    await new Promise((r) => setImmediate(r));
    quiet = inFlight === 0 ? quiet + 1 : 0;
  }
}

function stripSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripSecrets);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) return new SecretValue(stripSecrets(o.value));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, stripSecrets(x)]));
  }
  return v;
}

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

function callResult(token: string, inputs: Record<string, unknown>, region: string): Record<string, unknown> {
  switch (token) {
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
        zoneIds: letters.map((_, i) => `${region.slice(0, 3)}${region.split("-")[1].slice(0, 2)}-az${i + 1}`),
        state: inputs.state,
        id: region,
      };
    }
    case "aws:index/getRegion:getRegion":
      return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:route53/getZone:getZone":
      return { zoneId: "Z0123456789ABCDEFGHIJ", name: inputs.name, id: "Z0123456789ABCDEFGHIJ" };
    default:
      throw new Error(`test/mocks.ts: unhandled invoke ${token}; add it to callResult`);
  }
}

export interface MockOptions {
  /** Stack config, keys fully qualified ("tap:environmentSuffix"). */
  readonly config?: Record<string, string>;
  readonly project?: string;
  readonly stack?: string;
}

/** Installs the mocks and the recorder. Import the program only after this has resolved. */
export async function installMocks(opts: MockOptions = {}): Promise<void> {
  resources.length = 0;
  providerRegions.clear();
  const project = opts.project ?? "tap";
  const stack = opts.stack ?? "dev";
  const config = {
    "pulumi:disable-default-providers": '["*"]',
    ...opts.config,
  };
  pulumi.runtime.setAllConfig(config);

  const regionOf = (providerRef: string | undefined, inputs: Record<string, unknown>) => {
    if (typeof inputs.region === "string") return inputs.region;
    if (!providerRef) return undefined;
    return providerRegions.get(providerRef.split("::").slice(0, -1).join("::"));
  };

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        if (args.type === "pulumi:providers:aws") {
          return { id: `${args.name}-provider`, state: { ...inputs } };
        }
        if (args.type.startsWith("pulumi:providers:")) return { id: `${args.name}-provider`, state: inputs };
        const region = regionOf(args.provider, inputs) ?? "global";
        return fakeState(args.type, args.name, inputs, region);
      },
      call(args) {
        const region = regionOf(args.provider, args.inputs) ?? "us-east-1";
        return callResult(args.token, args.inputs, region);
      },
    },
    project,
    stack,
    false,
  );

  // Wrap the mock monitor to see what setMocks does not pass on: parent, dependencies and options.
  const monitor = settings.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, res?: RegisterResponse) => void): void;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    inFlight++;
    original(req, (err, res) => {
      try {
        if (!err && res) record(req, res);
      } finally {
        inFlight--;
        cb(err, res);
      }
    });
  };

  function record(req: RegisterRequest, res: RegisterResponse) {
    const type = req.getType();
    const urn = res.getUrn();
    const raw = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
    const inputs = stripSecrets(raw) as Record<string, unknown>;
    if (type.startsWith("pulumi:providers:")) {
      if (typeof inputs.region === "string") providerRegions.set(urn, inputs.region);
    }
    const providerRef = req.getProvider() || undefined;
    const providerUrn = providerRef ? providerRef.split("::").slice(0, -1).join("::") : undefined;
    resources.push({
      type,
      name: req.getName(),
      urn,
      inputs,
      custom: req.getCustom(),
      providerUrn,
      region: type.startsWith("pulumi:providers:")
        ? (inputs.region as string | undefined)
        : ((typeof inputs.region === "string" ? inputs.region : undefined) ??
          (providerUrn ? providerRegions.get(providerUrn) : undefined)),
      parentUrn: req.getParent() || undefined,
      dependencies: [...new Set(req.getDependenciesList())],
      protect: req.getProtect?.() ?? false,
      ignoreChanges: req.getIgnorechangesList?.() ?? [],
      deleteBeforeReplace: req.getDeletebeforereplace?.() ?? false,
      retainOnDelete: req.getRetainondelete?.() ?? false,
      id: res.getId(),
      state: (res.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
    });
  }
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getObject(): { toJavaScript(): unknown } | undefined;
  getDependenciesList(): string[];
  getProtect?(): boolean;
  getIgnorechangesList?(): string[];
  getDeletebeforereplace?(): boolean;
  getRetainondelete?(): boolean;
}
interface RegisterResponse {
  getUrn(): string;
  getId(): string;
  getObject(): { toJavaScript(): unknown } | undefined;
}
