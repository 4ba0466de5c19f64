/**
 * The day-one world's wiring, read from a program run (the resources the mocks recorded): nothing here
 * is typed in by hand. Every value below comes from a resource's inputs or its recorded state, so a
 * change in lib/ that breaks run-time wiring changes what the world runs.
 */
import { basename } from "node:path";
import type { RecordedResource } from "../../tooling/mocks/recorded";

export type PolicyDocument = { Version?: string; Statement: Record<string, unknown>[] };

export interface FunctionModel {
  readonly name: string;
  readonly region: string;
  readonly arn: string;
  /** lambda/<bundle> as it ships (dist/lambda/<bundle>). */
  readonly bundle: string;
  readonly bundleDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  /** The VPC of its subnets, when it runs in one. */
  readonly vpcId?: string;
  readonly roleArn: string;
}

export interface IntegrationModel {
  readonly type: string;
  readonly uri: string;
  readonly credentials?: string;
  readonly requestTemplates: Readonly<Record<string, string>>;
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly responses: readonly { statusCode: string; selectionPattern?: string; template?: string }[];
}

export interface RouteModel {
  readonly path: string;
  readonly httpMethod: string;
  readonly authorization: string;
  readonly authorizerId?: string;
  readonly validateBody: boolean;
  /** JSON schema of the request model per content type. */
  readonly models: Readonly<Record<string, unknown>>;
  readonly integration: IntegrationModel;
}

export interface AuthorizerModel {
  readonly type: string;
  readonly functionArn: string;
  readonly identitySource: string;
  readonly identityValidationExpression?: string;
  readonly ttlSeconds: number;
}

export interface ApiModel {
  readonly region: string;
  readonly restApiId: string;
  readonly host: string;
  readonly stage: string;
  readonly routes: readonly RouteModel[];
  readonly authorizers: Readonly<Record<string, AuthorizerModel>>;
  /** The stage's method throttling for every method (MethodSettings "*\/*"), when it sets one. */
  readonly throttle?: { readonly burstLimit: number; readonly rateLimit: number };
  /** Gateway responses by type (e.g. BAD_REQUEST_BODY). */
  readonly gatewayResponses: Readonly<Record<string, { statusCode: string; template?: string }>>;
}

export interface HealthCheckModel {
  readonly id: string;
  readonly fqdn: string;
  readonly resourcePath: string;
  readonly requestIntervalSeconds: number;
  readonly failureThreshold: number;
  readonly inverted: boolean;
  readonly disabled: boolean;
}

export interface AlarmModel {
  readonly name: string;
  readonly region: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: string;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: string;
  readonly treatMissingData: string;
  readonly alarmActions: readonly string[];
  readonly okActions: readonly string[];
}

export interface CanaryModel {
  readonly name: string;
  readonly region: string;
  readonly scheduleMinutes: number;
  readonly env: Readonly<Record<string, string>>;
  /** The packaged script's path in the code archive, and the file it comes from. */
  readonly packagePath: string;
  readonly sourceFile: string;
  readonly handler: string;
  /** The role each run executes as (and uploads its artifacts as). */
  readonly executionRoleArn: string;
  /** s3://bucket/prefix/ where each run's artifacts go. */
  readonly artifactS3Location: string;
  /** The artifactConfig's encryption mode (SSE_S3 or SSE_KMS), when the canary sets one. */
  readonly artifactEncryptionMode?: string;
  /** The artifactConfig's SSE-KMS key, when the canary names one. */
  readonly artifactKmsKeyArn?: string;
}

/** A general purpose bucket: its policy, and whether its default encryption uses an S3 Bucket Key. */
export interface BucketModel {
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  readonly policy?: PolicyDocument;
  readonly bucketKeyEnabled: boolean;
}

export interface SubscriptionModel {
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly filterPolicy?: Readonly<Record<string, unknown[]>>;
}

export interface QueueModel {
  readonly name: string;
  readonly region: string;
  readonly url: string;
  readonly arn: string;
  readonly kmsKeyArn?: string;
  readonly policy?: PolicyDocument;
  /** SQS's default when unset: 30 s. */
  readonly visibilityTimeoutSeconds: number;
  /** The redrive policy's dead-letter queue and receive budget, when it has one. */
  readonly redrive?: { readonly dlqArn: string; readonly maxReceiveCount: number };
}

export interface MappingModel {
  readonly uuid: string;
  readonly arn: string;
  readonly region: string;
  readonly enabled: boolean;
  readonly queueArn: string;
  readonly functionArn: string;
  /** Lambda's default when unset: 10 for SQS. */
  readonly batchSize: number;
  readonly reportsBatchItemFailures: boolean;
}

export interface EndpointModel {
  readonly vpcId: string;
  readonly serviceName: string;
  readonly type: string;
  readonly privateDns: boolean;
}

export interface TopicModel {
  readonly arn: string;
  readonly region: string;
  readonly kmsKeyArn?: string;
  /** The topic's access policy (a TopicPolicy resource's, else the topic's own), when it has one. */
  readonly policy?: PolicyDocument;
}

/** An Aurora global cluster and its members; the writer is the member in the global cluster's Region. */
export interface GlobalClusterModel {
  readonly id: string;
  readonly arn: string;
  readonly region: string;
  readonly members: readonly { readonly arn: string; readonly region: string }[];
}

export interface ProgramModel {
  readonly account: string;
  readonly functions: readonly FunctionModel[];
  readonly rolePolicies: Readonly<Record<string, PolicyDocument[]>>;
  readonly apis: readonly ApiModel[];
  readonly healthChecks: readonly HealthCheckModel[];
  readonly alarms: readonly AlarmModel[];
  readonly canaries: readonly CanaryModel[];
  readonly buckets: readonly BucketModel[];
  readonly subscriptions: readonly SubscriptionModel[];
  readonly queues: readonly QueueModel[];
  readonly endpoints: readonly EndpointModel[];
  readonly keyPolicies: Readonly<Record<string, PolicyDocument>>;
  readonly mappings: readonly MappingModel[];
  readonly tables: readonly { name: string; regions: string[] }[];
  readonly topics: readonly TopicModel[];
  readonly globalClusters: readonly GlobalClusterModel[];
  /** Secrets Manager secrets, one per Region they are readable in (the primary and each replica). */
  readonly secrets: readonly SecretModel[];
}

/** A secret as one Region serves it: a replica has the primary's name, its own ARN and its own key. */
export interface SecretModel {
  readonly arn: string;
  readonly region: string;
  readonly kmsKeyArn?: string;
}

const T = {
  fn: "aws:lambda/function:Function",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  subnet: "aws:ec2/subnet:Subnet",
  api: "aws:apigateway/restApi:RestApi",
  stage: "aws:apigateway/stage:Stage",
  resource: "aws:apigateway/resource:Resource",
  method: "aws:apigateway/method:Method",
  integration: "aws:apigateway/integration:Integration",
  integrationResponse: "aws:apigateway/integrationResponse:IntegrationResponse",
  authorizer: "aws:apigateway/authorizer:Authorizer",
  model: "aws:apigateway/model:Model",
  validator: "aws:apigateway/requestValidator:RequestValidator",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
  gatewayResponse: "aws:apigateway/response:Response",
  healthCheck: "aws:route53/healthCheck:HealthCheck",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  canary: "aws:synthetics/canary:Canary",
  bucketObject: "aws:s3/bucketObjectv2:BucketObjectv2",
  bucket: "aws:s3/bucket:Bucket",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  bucketSse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  key: "aws:kms/key:Key",
  keyPolicy: "aws:kms/keyPolicy:KeyPolicy",
  mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  table: "aws:dynamodb/table:Table",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  globalCluster: "aws:rds/globalCluster:GlobalCluster",
  cluster: "aws:rds/cluster:Cluster",
  secret: "aws:secretsmanager/secret:Secret",
} as const;

const str = (v: unknown): string => (v === undefined || v === null ? "" : String(v));
const json = <X>(v: unknown): X => (typeof v === "string" ? (JSON.parse(v) as X) : (v as X));

/** Reads the program's run-time wiring from its recorded resources. */
export function programModel(resources: readonly RecordedResource[]): ProgramModel {
  const of = (type: string) => resources.filter((r) => r.type === type);
  const roles = of(T.role);
  const roleArnOf = (ref: unknown) => {
    const role = roles.find((r) => r.id === ref || r.state.name === ref || r.state.arn === ref);
    return str(role?.state.arn ?? ref);
  };
  const rolePolicies: Record<string, PolicyDocument[]> = {};
  for (const p of of(T.rolePolicy)) {
    (rolePolicies[roleArnOf(p.inputs.role)] ??= []).push(json<PolicyDocument>(p.inputs.policy));
  }
  const account = str(/arn:aws:iam::(\d+):/.exec(str(roles[0]?.state.arn))?.[1]);
  return {
    account,
    functions: of(T.fn).map((f) => functionModel(f, of(T.subnet))),
    rolePolicies,
    apis: of(T.api).map((a) => apiModel(a, resources)),
    healthChecks: of(T.healthCheck).map((h) => ({
      id: h.id,
      fqdn: str(h.inputs.fqdn),
      resourcePath: str(h.inputs.resourcePath),
      requestIntervalSeconds: Number(h.inputs.requestInterval ?? 30),
      failureThreshold: Number(h.inputs.failureThreshold ?? 3),
      inverted: h.inputs.invertHealthcheck === true,
      disabled: h.inputs.disabled === true,
    })),
    alarms: of(T.alarm).map(alarmModel),
    canaries: of(T.canary).map((c) => canaryModel(c, of(T.bucketObject))),
    buckets: of(T.bucket).map((b) => bucketModel(b, of(T.bucketPolicy), of(T.bucketSse))),
    subscriptions: of(T.subscription).map((s) => ({
      topicArn: str(s.inputs.topic),
      protocol: str(s.inputs.protocol),
      endpoint: str(s.inputs.endpoint),
      filterPolicy: s.inputs.filterPolicy ? json(s.inputs.filterPolicy) : undefined,
    })),
    queues: of(T.queue).map((q) => {
      const policy = of(T.queuePolicy).find((p) => p.inputs.queueUrl === q.id);
      return {
        name: str(q.state.name),
        region: str(q.region),
        url: q.id,
        arn: str(q.state.arn),
        kmsKeyArn: q.inputs.kmsMasterKeyId ? str(q.inputs.kmsMasterKeyId) : undefined,
        policy: policy ? json<PolicyDocument>(policy.inputs.policy) : undefined,
        visibilityTimeoutSeconds: Number(q.inputs.visibilityTimeoutSeconds ?? 30),
        redrive: redriveOf(q.inputs.redrivePolicy),
      };
    }),
    endpoints: of(T.endpoint).map((e) => ({
      vpcId: str(e.inputs.vpcId),
      serviceName: str(e.inputs.serviceName),
      type: str(e.inputs.vpcEndpointType),
      privateDns: e.inputs.privateDnsEnabled === true,
    })),
    keyPolicies: keyPolicies(of(T.key), of(T.keyPolicy)),
    mappings: of(T.mapping).map((m) => ({
      uuid: m.id,
      arn: str(m.state.arn),
      region: str(m.region),
      enabled: m.inputs.enabled !== false,
      queueArn: str(m.inputs.eventSourceArn),
      functionArn: str(m.inputs.functionName),
      batchSize: Number(m.inputs.batchSize ?? 10),
      reportsBatchItemFailures: ((m.inputs.functionResponseTypes as string[] | undefined) ?? []).includes(
        "ReportBatchItemFailures",
      ),
    })),
    topics: of(T.topic).map((t) => {
      const arn = str(t.state.arn);
      const policy = of(T.topicPolicy).find((p) => p.inputs.arn === arn)?.inputs.policy ?? t.inputs.policy;
      return {
        arn,
        region: str(t.region),
        kmsKeyArn: t.inputs.kmsMasterKeyId ? str(t.inputs.kmsMasterKeyId) : undefined,
        policy: policy ? json<PolicyDocument>(policy) : undefined,
      };
    }),
    globalClusters: of(T.globalCluster).map((g) => ({
      id: str(g.inputs.globalClusterIdentifier ?? g.id),
      arn: str(g.state.arn),
      region: str(g.region),
      members: of(T.cluster)
        .filter((c) => c.inputs.globalClusterIdentifier === (g.inputs.globalClusterIdentifier ?? g.id))
        .map((c) => ({ arn: str(c.state.arn), region: str(c.region) })),
    })),
    secrets: of(T.secret).flatMap(secretModels),
    tables: of(T.table).map((t) => ({
      name: t.id,
      regions: [
        str(t.region),
        ...((t.inputs.replicas as { regionName: string }[] | undefined) ?? []).map((r) => r.regionName),
      ],
    })),
  };
}

/**
 * A replica secret keeps the primary's ARN but for its Region, and is encrypted with its own key.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
 */
function secretModels(s: RecordedResource): SecretModel[] {
  const arn = str(s.state.arn ?? s.id);
  const region = str(s.region);
  const replicas = (s.inputs.replicas as { region: string; kmsKeyId?: string }[] | undefined) ?? [];
  const key = (k: unknown) => (k ? str(k) : undefined);
  return [
    { arn, region, kmsKeyArn: key(s.inputs.kmsKeyId) },
    ...replicas.map((r) => ({
      arn: arn.replace(`:secretsmanager:${region}:`, `:secretsmanager:${r.region}:`),
      region: r.region,
      kmsKeyArn: key(r.kmsKeyId),
    })),
  ];
}

function redriveOf(policy: unknown): QueueModel["redrive"] {
  if (!policy) return undefined;
  const p = json<{ deadLetterTargetArn: string; maxReceiveCount: number }>(policy);
  return { dlqArn: p.deadLetterTargetArn, maxReceiveCount: Number(p.maxReceiveCount) };
}

function functionModel(f: RecordedResource, subnets: RecordedResource[]): FunctionModel {
  const bundleDir = str((f.inputs.code as { path?: string } | undefined)?.path);
  const vpc = f.inputs.vpcConfig as { subnetIds?: string[] } | undefined;
  const subnet = vpc?.subnetIds?.length ? subnets.find((s) => s.id === vpc.subnetIds![0]) : undefined;
  return {
    name: f.name,
    region: str(f.region),
    arn: str(f.state.arn),
    bundle: basename(bundleDir),
    bundleDir,
    env: (f.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {},
    timeoutSeconds: Number(f.inputs.timeout ?? 3),
    vpcId: subnet ? str(subnet.inputs.vpcId) : undefined,
    roleArn: str(f.inputs.role),
  };
}

function apiModel(api: RecordedResource, resources: readonly RecordedResource[]): ApiModel {
  const mine = (type: string) => resources.filter((r) => r.type === type && r.inputs.restApi === api.id);
  const region = str(api.region);
  const stage = resources.find((r) => r.type === T.stage && r.inputs.restApi === api.id);
  const paths = new Map<string, string>();
  for (const r of mine(T.resource)) paths.set(r.id, `/${str(r.inputs.pathPart)}`);
  const models = Object.fromEntries(mine(T.model).map((m) => [str(m.inputs.name), json(m.inputs.schema)]));
  const validators = new Map(mine(T.validator).map((v) => [v.id, v.inputs.validateRequestBody === true]));
  const routes = mine(T.method).map((m): RouteModel => {
    const same = (r: RecordedResource) =>
      r.inputs.resourceId === m.inputs.resourceId && r.inputs.httpMethod === m.inputs.httpMethod;
    const integration = mine(T.integration).find(same);
    const requestModels = (m.inputs.requestModels ?? {}) as Record<string, string>;
    return {
      path: paths.get(str(m.inputs.resourceId)) ?? "/",
      httpMethod: str(m.inputs.httpMethod),
      authorization: str(m.inputs.authorization),
      authorizerId: m.inputs.authorizerId ? str(m.inputs.authorizerId) : undefined,
      validateBody: validators.get(str(m.inputs.requestValidatorId)) ?? false,
      models: Object.fromEntries(Object.entries(requestModels).map(([type, name]) => [type, models[name]])),
      integration: {
        type: str(integration?.inputs.type),
        uri: str(integration?.inputs.uri),
        credentials: integration?.inputs.credentials ? str(integration.inputs.credentials) : undefined,
        requestTemplates: (integration?.inputs.requestTemplates ?? {}) as Record<string, string>,
        requestParameters: (integration?.inputs.requestParameters ?? {}) as Record<string, string>,
        responses: mine(T.integrationResponse)
          .filter(same)
          .map((r) => ({
            statusCode: str(r.inputs.statusCode),
            selectionPattern: r.inputs.selectionPattern ? str(r.inputs.selectionPattern) : undefined,
            template: (r.inputs.responseTemplates as Record<string, string> | undefined)?.[
              "application/json"
            ],
          })),
      },
    };
  });
  const authorizers = Object.fromEntries(
    mine(T.authorizer).map((a) => [
      a.id,
      {
        type: str(a.inputs.type),
        // arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations
        functionArn: str(/functions\/(.+)\/invocations$/.exec(str(a.inputs.authorizerUri))?.[1]),
        identitySource: str(a.inputs.identitySource),
        identityValidationExpression: a.inputs.identityValidationExpression
          ? str(a.inputs.identityValidationExpression)
          : undefined,
        ttlSeconds: Number(a.inputs.authorizerResultTtlInSeconds ?? 300),
      },
    ]),
  );
  const gatewayResponses = Object.fromEntries(
    resources
      .filter((r) => r.type === T.gatewayResponse && r.inputs.restApiId === api.id)
      .map((r) => [
        str(r.inputs.responseType),
        {
          statusCode: str(r.inputs.statusCode),
          template: (r.inputs.responseTemplates as Record<string, string> | undefined)?.["application/json"],
        },
      ]),
  );
  return {
    region,
    restApiId: api.id,
    host: `${api.id}.execute-api.${region}.amazonaws.com`,
    stage: str(stage?.inputs.stageName),
    routes,
    authorizers,
    throttle: stageThrottle(mine(T.methodSettings)),
    gatewayResponses,
  };
}

/** Throttling that applies to every method of the stage; a per-method override is not modelled. */
function stageThrottle(settings: RecordedResource[]): ApiModel["throttle"] {
  const all = settings.find((m) => m.inputs.methodPath === "*/*");
  const s = all?.inputs.settings as
    { throttlingBurstLimit?: number; throttlingRateLimit?: number } | undefined;
  if (s?.throttlingBurstLimit === undefined || s.throttlingRateLimit === undefined) return undefined;
  return { burstLimit: Number(s.throttlingBurstLimit), rateLimit: Number(s.throttlingRateLimit) };
}

function alarmModel(a: RecordedResource): AlarmModel {
  const periods = Number(a.inputs.evaluationPeriods ?? 1);
  return {
    name: str(a.state.name ?? a.id),
    region: str(a.region),
    namespace: str(a.inputs.namespace),
    metricName: str(a.inputs.metricName),
    dimensions: (a.inputs.dimensions ?? {}) as Record<string, string>,
    statistic: str(a.inputs.statistic),
    periodSeconds: Number(a.inputs.period ?? 60),
    evaluationPeriods: periods,
    datapointsToAlarm: Number(a.inputs.datapointsToAlarm ?? periods),
    threshold: Number(a.inputs.threshold),
    comparison: str(a.inputs.comparisonOperator),
    treatMissingData: str(a.inputs.treatMissingData ?? "missing"),
    alarmActions: (a.inputs.alarmActions as string[] | undefined) ?? [],
    okActions: (a.inputs.okActions as string[] | undefined) ?? [],
  };
}

function canaryModel(c: RecordedResource, objects: RecordedResource[]): CanaryModel {
  const run = (c.inputs.runConfig ?? {}) as { environmentVariables?: Record<string, string> };
  const code = objects.find((o) => o.inputs.key === c.inputs.s3Key && o.inputs.bucket === c.inputs.s3Bucket);
  const assets = ((code?.inputs.source as { assets?: Record<string, { path?: string }> } | undefined)
    ?.assets ?? {}) as Record<string, { path?: string }>;
  const [packagePath, asset] = Object.entries(assets)[0] ?? ["", {}];
  const sse = (c.inputs.artifactConfig as { s3Encryption?: { encryptionMode?: string; kmsKeyArn?: string } })
    ?.s3Encryption;
  const rate = /^rate\((\d+) minutes?\)$/.exec(
    str((c.inputs.schedule as { expression?: string })?.expression),
  );
  return {
    name: str(c.inputs.name),
    region: str(c.region),
    scheduleMinutes: Number(rate?.[1] ?? 0),
    env: run.environmentVariables ?? {},
    packagePath,
    sourceFile: str(asset.path),
    handler: str(c.inputs.handler),
    executionRoleArn: str(c.inputs.executionRoleArn),
    artifactS3Location: str(c.inputs.artifactS3Location),
    artifactEncryptionMode: sse?.encryptionMode,
    artifactKmsKeyArn: sse?.encryptionMode === "SSE_KMS" && sse.kmsKeyArn ? sse.kmsKeyArn : undefined,
  };
}

/** A bucket's policy and default encryption are resources of their own, naming it by its id (its name). */
function bucketModel(
  b: RecordedResource,
  policies: RecordedResource[],
  encryption: RecordedResource[],
): BucketModel {
  const name = str(b.state.bucket ?? b.id);
  const policy = policies.find((p) => p.inputs.bucket === name || p.inputs.bucket === b.id)?.inputs.policy;
  const sse = encryption.find((e) => e.inputs.bucket === name || e.inputs.bucket === b.id);
  const rule = ((sse?.inputs.rules ?? []) as { bucketKeyEnabled?: boolean }[])[0];
  return {
    name,
    arn: str(b.state.arn),
    region: str(b.region),
    policy: policy ? json<PolicyDocument>(policy) : undefined,
    bucketKeyEnabled: rule?.bucketKeyEnabled === true,
  };
}

/**
 * Each key's effective policy. A key has one policy (named "default"); a KeyPolicy resource sets it with
 * PutKeyPolicy, replacing whatever the Key was created with, so where both exist the KeyPolicy's wins
 * (the program's order keys ignore changes to their own bootstrap policy for that reason).
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
 * https://www.pulumi.com/registry/packages/aws/api-docs/kms/keypolicy/
 */
function keyPolicies(keys: RecordedResource[], policies: RecordedResource[]): Record<string, PolicyDocument> {
  const out: Record<string, PolicyDocument> = {};
  for (const k of keys) if (k.inputs.policy) out[str(k.state.arn)] = json(k.inputs.policy);
  for (const p of policies) {
    const key = keys.find((k) => k.id === p.inputs.keyId || k.state.arn === p.inputs.keyId);
    if (key) out[str(key.state.arn)] = json(p.inputs.policy);
  }
  return out;
}
