/**
 * The day-one world: what a fresh `pulumi up` would run in both regions, built from a program run's
 * recorded resources (model.ts) and driven in simulated time. It runs the real bundles of the health
 * functions and the JWT authorizers, the canary script, each region's API as API Gateway would
 * (api-gateway.ts), Route 53's checks, CloudWatch's alarms and SNS's subscriptions (detection.ts), and
 * enforces IAM (iam.ts) and network paths (network.ts) on every AWS call a function makes.
 *
 * Translated, not decided here: host names the world cannot resolve (the database writer endpoint, the
 * issuer's JWKS URL) point at local stand-ins; every AWS API a function reaches is this world's, through
 * AWS_ENDPOINT_URL_*; the order queues keep what they are sent. Given ledger stores (ledger-stores.ts),
 * it also runs the order processor's bundle on each enabled mapping as Lambda's poller does (batch size,
 * partial batch responses, the queue's visibility timeout), its calls answered through IAM and its
 * VPC's endpoints, its lease confirmed through the lease reader (writer-lease.ts). Not modelled: the
 * forwarder (the other scenarios run it), the redrive to the DLQ, security groups, throttling, SigV4.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import type { SQSBatchResponse, SQSRecord } from "aws-lambda";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { ALERT_RELAY_ENV } from "../../lambda/alert-relay/env";
import { HEALTH_ENV } from "../../lambda/health/env";
import { AUTHORIZER_ENV } from "../../lambda/order-authorizer/contract";
import { ORDER_PROCESSOR_ENV } from "../../lambda/order-processor/env";
import { SERVICE_ENDPOINT_ENV } from "../../tooling/aws/sdk-services";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { FunctionHost } from "../function-host";
import { ApiGateway, type ApiRequest, type ApiResponse, type Invocation } from "./api-gateway";
import { storeArtifacts } from "./artifacts";
import { AwsEndpoint, viaService, type BookingBackends, type CallRecord, type Reply } from "./aws-endpoint";
import { CanaryRunner, type CanaryRun } from "./canary-runner";
import { AlarmEvaluator, HealthCheckState, MetricStore, passesFilter, type AlarmState } from "./detection";
import { alarmEvent } from "../alarm";
import { DayOneFailover, type FailoverOutcome, type Published } from "./failover";
import { evaluate, recorded } from "./iam";
import { mappingMayPoll } from "./mapping-poll";
import { alarmMayPublish, roleMayPublish } from "./publish";
import {
  programModel,
  type FunctionModel,
  type MappingModel,
  type PolicyDocument,
  type ProgramModel,
} from "./model";
import { BlackHole, endpointEnv } from "./network";
import type { LedgerStores } from "./ledger-stores";
import { DayOneLease } from "./writer-lease";
import { localEnv } from "../local-env";

/** The functions the day-one world runs from their bundles (the processor only when given stores). */
const RUN_BUNDLES = new Set(["health", "order-authorizer"]);
const PROCESSOR_BUNDLE = "order-processor";
/** Route 53 fails a check whose answer takes longer than this. */
const ROUTE53_RESPONSE_MS = 2_000;
const TICK_SECONDS = 10;

export interface QueuedMessage {
  readonly messageId: string;
  readonly queueArn: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface DayOneReport {
  readonly health: { fqdn: string; at: number; status: number; body: string }[];
  readonly canaryRuns: ({ canary: string; at: number } & CanaryRun)[];
  readonly alarmChanges: { alarm: string; at: number; from: AlarmState; to: AlarmState }[];
  /** Lambda endpoints SNS delivered an alarm to (after the relay), by function bundle. */
  readonly delivered: { bundle: string; functionArn: string; message: Record<string, unknown> }[];
  /** Each run of the failover function an alarm delivery started, and what it returned. */
  readonly failoverRuns: ({ alarm: string; at: number } & FailoverOutcome)[];
  /**
   * Each enabled mapping whose queue holds a message, polled once (mapping-poll.ts): refused, or allowed.
   * The function is not run (the order processor runs in the scenarios' world): messages stay queued.
   */
  readonly polls: { mappingUuid: string; queueArn: string; functionArn: string; refused?: string }[];
  /**
   * Each batch Lambda's poller handed the processor (when the world runs it): the messages, those that
   * stay queued for a retry after the visibility timeout, and the invocation's error, if any.
   */
  readonly batches: {
    functionArn: string;
    at: number;
    messageIds: string[];
    retried: string[];
    error?: string;
  }[];
  /** Publishes SNS refused (topic or key policy): the alarm's notification never left CloudWatch. */
  readonly undelivered: { alarm: string; state: string; topicArn: string; reason: string }[];
}

export interface Signer {
  readonly accessKeyId: string;
  readonly arn: string;
  readonly policies: PolicyDocument[];
}

export class DayOneWorld {
  readonly calls: CallRecord[] = [];
  readonly queued: QueuedMessage[] = [];
  private readonly hosts = new Map<
    string,
    { fn: FunctionModel; host: FunctionHost; endpoint: AwsEndpoint }
  >();
  private readonly apis = new Map<string, ApiGateway>();
  private readonly signers = new Map<string, Signer>();
  private readonly metrics = new MetricStore();
  private readonly report: DayOneReport = {
    health: [],
    canaryRuns: [],
    alarmChanges: [],
    delivered: [],
    failoverRuns: [],
    polls: [],
    batches: [],
    undelivered: [],
  };
  /** Per queued message: how often it was received, when it is visible again, when it was sent. */
  private readonly receipts = new Map<string, { receives: number; visibleAt: number; sentAt: number }>();
  private stores?: LedgerStores;
  private lease?: DayOneLease;
  private readonly lastCheck = new Map<string, boolean>();
  private failover?: DayOneFailover;
  private hole?: BlackHole;
  private db?: Server;
  private jwks?: HttpServer;
  private front?: HttpServer;
  private frontUrl = "";
  private signingKey?: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  private clock = 0;
  private readonly start = Date.UTC(2026, 11, 7, 0, 0, 0);
  private checks: HealthCheckState[] = [];
  private alarms: AlarmEvaluator[] = [];
  private canaries: CanaryRunner[] = [];

  private constructor(readonly model: ProgramModel) {}

  /** The world a program run describes; `signers` are the IAM callers of AWS_IAM methods. */
  static async build(
    resources: readonly RecordedResource[],
    signers: Signer[] = [],
    options: { readonly stores?: LedgerStores } = {},
  ): Promise<DayOneWorld> {
    const w = new DayOneWorld(programModel(resources));
    for (const s of signers) w.signers.set(s.accessKeyId, s);
    try {
      if (options.stores) {
        w.stores = options.stores;
        w.lease = await DayOneLease.build(resources, w.calls);
      }
      await w.open();
    } catch (e) {
      await w.stop();
      throw e;
    }
    return w;
  }

  get now(): number {
    return this.start + this.clock * 1000;
  }

  private async open(): Promise<void> {
    this.hole = await BlackHole.open();
    this.db = await listen(createServer((s) => s.end()));
    await this.openJwks();
    for (const fn of this.model.functions.filter((f) => RUN_BUNDLES.has(f.bundle)))
      await this.startFunction(fn);
    if (this.stores)
      for (const fn of this.model.functions.filter((f) => f.bundle === PROCESSOR_BUNDLE))
        await this.startFunction(fn);
    for (const api of this.model.apis) {
      this.apis.set(
        api.host,
        new ApiGateway(api, {
          account: this.model.account,
          now: () => this.now,
          invoke: (arn, event) => this.invoke(arn, event),
          iam: evaluate,
          signer: (key) => this.signers.get(key),
          sendMessage: (role, path, form) => this.sendMessage(role, path, form),
        }),
      );
    }
    this.front = await listen(
      createHttpServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
          this.request(String(req.headers.host), {
            method: req.method ?? "GET",
            path: req.url ?? "/",
            headers,
            body,
          })
            .then((r) => {
              res.writeHead(r.status, { "content-type": "application/json" });
              res.end(r.body);
            })
            .catch(() => res.destroy());
        });
      }),
    );
    this.frontUrl = `http://127.0.0.1:${(this.front.address() as AddressInfo).port}`;
    // Each health function answers once before the clock starts, as the deploy's own first requests
    // would: a cold start on a machine shared with other test files must not eat a check's budget.
    await Promise.all(
      [...this.hosts.values()].filter((h) => h.fn.bundle === "health").map((h) => h.host.invoke<unknown>({})),
    );
    this.checks = this.model.healthChecks.map((h) => new HealthCheckState(h));
    const failoverFn = this.model.functions.find((f) => f.bundle === "failover");
    if (failoverFn)
      this.failover = new DayOneFailover(this.model, failoverFn, this.calls, (id) => this.lastCheck.get(id));
    this.alarms = this.model.alarms.map((a) => new AlarmEvaluator(a));
    this.canaries = this.model.canaries.map((c) => CanaryRunner.prepare(c));
  }

  /** The issuer's keys, served where the authorizers' JWKS URL points. */
  private async openJwks(): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    this.signingKey = privateKey;
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "day-one", alg: "RS256", use: "sig" };
    this.jwks = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: [jwk] }));
      }),
    );
  }

  private async startFunction(fn: FunctionModel): Promise<void> {
    const processor = fn.bundle === PROCESSOR_BUNDLE;
    const endpoint = await AwsEndpoint.open(
      this.model,
      { region: fn.region, roleArn: fn.roleArn },
      this.calls,
      {
        mappingEnabled: () => undefined,
        booking: processor ? await this.bookingFor(fn) : undefined,
      },
    );
    const views = endpointEnv(this.model, fn, endpoint.url, this.hole!.url);
    const env: Record<string, string> = {
      ...(processor ? this.processorEnv(fn) : { ...fn.env, ...this.translated(fn, views) }),
      ...views,
      AWS_REGION: fn.region,
      AWS_ACCESS_KEY_ID: "day-one",
      AWS_SECRET_ACCESS_KEY: "day-one",
      AWS_EC2_METADATA_DISABLED: "true",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "ERROR",
    };
    this.hosts.set(fn.arn, { fn, host: FunctionHost.start(env, fn.bundle, fn.timeoutSeconds), endpoint });
  }

  /**
   * The processor's environment as the program sets it, with only the values naming the database's
   * place replaced (each a key the program sets, local-env.ts): the ledger's host, port and database,
   * without TLS (the local server has none), and no RDS CA bundle (a path in Lambda's runtime only).
   * Its secret, table, queues and lease reader keep the program's names: this world answers for them.
   */
  private processorEnv(fn: FunctionModel): Record<string, string> {
    const K = ORDER_PROCESSOR_ENV;
    const ledger = this.stores!.ledger;
    return localEnv(
      fn.name,
      fn.env,
      {
        [K.dbHost]: ledger.host,
        [K.dbPort]: String(ledger.port),
        [K.dbName]: ledger.database,
        [K.dbSsl]: "disable",
      },
      [K.dbSecretArn, K.tableName],
      [K.extraCaCerts],
    );
  }

  /** What the processor's calls reach: the stores, the lease reader, the world's queues. */
  private async bookingFor(fn: FunctionModel): Promise<BookingBackends> {
    const stores = this.stores!;
    await stores.ensureTable(fn.env[ORDER_PROCESSOR_ENV.tableName]);
    return {
      secretString: () => stores.secretString(),
      dynamoEndpoint: stores.dynamoEndpoint,
      invoke: (name) => {
        if (!this.lease) throw new Error("this program deploys no writer lease");
        return this.lease.invoke(fn, name);
      },
      sqs: (command, input) => this.processorSqs(fn, command, input),
    };
  }

  /**
   * The processor's own SQS calls (useQueueUrlAsEndpoint false: its Region's endpoint): parking rejects
   * (SendMessageBatch, each entry as SendMessage: role, queue and key policies) and retry backoff
   * (ChangeMessageVisibilityBatch, counted from the call).
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibilityBatch.html
   */
  private async processorSqs(
    fn: FunctionModel,
    command: string,
    input: Record<string, unknown>,
  ): Promise<Reply> {
    const path = new URL(String(input.QueueUrl ?? ""), "http://x").pathname;
    const queue = this.model.queues.find((q) => new URL(q.url).pathname === path && q.region === fn.region);
    if (!queue)
      return {
        status: 400,
        body: { __type: "QueueDoesNotExist", message: "The specified queue does not exist." },
      };
    if (command === "SendMessageBatch") {
      const entries = (input.Entries ?? []) as {
        Id: string;
        MessageBody: string;
        MessageAttributes?: Record<string, { StringValue?: string }>;
      }[];
      const Successful: object[] = [];
      const Failed: object[] = [];
      for (const e of entries) {
        const form = new URLSearchParams({ MessageBody: e.MessageBody });
        Object.entries(e.MessageAttributes ?? {}).forEach(([name, v], i) => {
          form.set(`MessageAttribute.${i + 1}.Name`, name);
          form.set(`MessageAttribute.${i + 1}.Value.StringValue`, v.StringValue ?? "");
        });
        const status = await this.sendMessage(fn.roleArn, path.slice(1), form);
        if (status === 200)
          Successful.push({
            Id: e.Id,
            MessageId: this.queued.at(-1)!.messageId,
            MD5OfMessageBody: md5(e.MessageBody),
          });
        else
          Failed.push({
            Id: e.Id,
            Code: status === 403 ? "AccessDenied" : "KMS.AccessDeniedException",
            SenderFault: true,
          });
      }
      return { status: 200, body: { Successful, Failed } };
    }
    if (command === "ChangeMessageVisibilityBatch") {
      const allowed = await recorded(
        {
          principal: fn.roleArn,
          action: "sqs:ChangeMessageVisibility",
          resource: queue.arn,
          account: this.model.account,
          identityPolicies: this.model.rolePolicies[fn.roleArn] ?? [],
          resourcePolicy: queue.policy,
        },
        this.calls,
      );
      if (!allowed.allowed) return { status: 400, body: { __type: "AccessDenied", message: allowed.reason } };
      const entries = (input.Entries ?? []) as {
        Id: string;
        ReceiptHandle: string;
        VisibilityTimeout: number;
      }[];
      for (const e of entries) {
        const r = this.receipts.get(e.ReceiptHandle.split("#")[0]);
        if (r) r.visibleAt = this.now + e.VisibilityTimeout * 1000;
      }
      return { status: 200, body: { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] } };
    }
    return {
      status: 400,
      body: { __type: "UnknownOperationException", message: `the day-one world does not answer ${command}` },
    };
  }

  /** Host names that resolve only inside AWS, pointed at the world's stand-ins. */
  private translated(fn: FunctionModel, views: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    // The SDK sends SQS calls to the host of the queue URL, not to AWS_ENDPOINT_URL_SQS: a queue URL of
    // the function's region points at what the function reaches for SQS (the world, or nowhere).
    // (useQueueUrlAsEndpoint, default true: https://github.com/aws/aws-sdk-js-v3/pull/6337)
    for (const [k, v] of Object.entries(fn.env)) {
      const m = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\/.*)$/.exec(v);
      if (m && m[1] === fn.region && views[SERVICE_ENDPOINT_ENV.sqs])
        out[k] = `${views[SERVICE_ENDPOINT_ENV.sqs]}${m[2]}`;
    }
    if (fn.env[HEALTH_ENV.dbHost] !== undefined) {
      out[HEALTH_ENV.dbHost] = "127.0.0.1";
      out[HEALTH_ENV.dbPort] = String((this.db!.address() as AddressInfo).port);
    }
    if (fn.env[AUTHORIZER_ENV.jwksUrl] !== undefined) {
      out[AUTHORIZER_ENV.jwksUrl] =
        `http://127.0.0.1:${(this.jwks!.address() as AddressInfo).port}/jwks.json`;
    }
    return out;
  }

  /** Invokes a function by ARN under its configured timeout; its Errors metric counts the outcome. */
  private async invoke(arn: string, event: unknown): Promise<Invocation> {
    const h = this.hosts.get(arn);
    if (!h) return { error: `ResourceNotFoundException: Function not found: ${arn}` };
    const limit = h.fn.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Invocation>((resolve) => {
      timer = setTimeout(
        () => resolve({ error: `Task timed out after ${h.fn.timeoutSeconds} seconds` }),
        limit,
      );
    });
    const out = await Promise.race([h.host.invoke<unknown>(event), timedOut]);
    clearTimeout(timer);
    const name = arn.split(":").pop() ?? arn;
    this.metrics.put(
      MetricStore.key("AWS/Lambda", "Errors", { FunctionName: name }),
      this.now,
      "error" in out ? 1 : 0,
    );
    return out;
  }

  /** SQS SendMessage as `roleArn`: its policies, the queue's policy and, for an encrypted queue, the key's. */
  private async sendMessage(roleArn: string, path: string, form: URLSearchParams): Promise<number> {
    const [account, name] = path.split("/");
    const queue = this.model.queues.find((q) => q.name === name && account === this.model.account);
    if (!queue) return 400;
    const identityPolicies = this.model.rolePolicies[roleArn] ?? [];
    const base = { principal: roleArn, account: this.model.account, identityPolicies };
    const send = await recorded(
      { ...base, action: "sqs:SendMessage", resource: queue.arn, resourcePolicy: queue.policy },
      this.calls,
    );
    if (!send.allowed) return 403;
    if (queue.kmsKeyArn) {
      // SQS asks KMS for a data key on the sender's behalf, so the key policy must allow it via SQS.
      // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
      // It is a forward access session: KMS authorizes the sender's own principal (its aws:PrincipalArn,
      // added by evaluate()), with aws:ViaAWSService true.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
      const key = await recorded(
        {
          ...base,
          action: "kms:GenerateDataKey",
          resource: queue.kmsKeyArn,
          resourcePolicy: this.model.keyPolicies[queue.kmsKeyArn],
          context: viaService("sqs", queue.region, this.model.account),
        },
        this.calls,
      );
      if (!key.allowed) return 400;
    }
    const attributes: Record<string, string> = {};
    for (let n = 1; form.has(`MessageAttribute.${n}.Name`); n++) {
      attributes[form.get(`MessageAttribute.${n}.Name`)!] =
        form.get(`MessageAttribute.${n}.Value.StringValue`) ?? "";
    }
    const messageId = randomUUID();
    this.queued.push({ messageId, queueArn: queue.arn, body: form.get("MessageBody") ?? "", attributes });
    this.receipts.set(messageId, { receives: 0, visibleAt: this.now, sentAt: this.now });
    return 200;
  }

  /** A request to the API whose host name is `host`, as a client sends it. */
  async request(host: string, req: ApiRequest): Promise<ApiResponse> {
    const api = this.apis.get(host);
    if (!api) return { status: 403, body: '{"message":"Forbidden"}' };
    return api.handle({
      ...req,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v])),
    });
  }

  /** A token the issuer would give a client (the authorizer's issuer, audience and accounts claim). */
  async token(subject: string, accounts: string[]): Promise<string> {
    const auth = this.model.functions.find((f) => f.bundle === "order-authorizer");
    if (!auth) throw new Error("this program has no JWT authorizer");
    return new SignJWT({ [auth.env[AUTHORIZER_ENV.accountsClaim]]: accounts })
      .setProtectedHeader({ alg: "RS256", kid: "day-one" })
      .setIssuer(auth.env[AUTHORIZER_ENV.issuer])
      .setAudience(auth.env[AUTHORIZER_ENV.audience])
      .setSubject(subject)
      .setIssuedAt(Math.floor(Date.now() / 1000))
      .setExpirationTime("10m")
      .sign(this.signingKey!);
  }

  /** Runs `minutes` of simulated time: health checks, canary runs, alarm evaluations and actions. */
  async run(minutes: number): Promise<DayOneReport> {
    const end = this.clock + minutes * 60;
    for (; this.clock <= end; this.clock += TICK_SECONDS) {
      await this.evaluateAlarms();
      await this.pollMappings();
      await Promise.all([
        ...this.checks
          .filter((c) => this.clock % c.model.requestIntervalSeconds === 0)
          .map((c) => this.check(c)),
        ...this.canaries
          .filter((c) => c.model.scheduleMinutes > 0 && this.clock % (c.model.scheduleMinutes * 60) === 0)
          .map((c) => this.runCanary(c)),
      ]);
    }
    return this.report;
  }

  /**
   * Lambda's pollers: each enabled mapping of a queue that holds a message is authorized once; when the
   * world runs its function, the visible messages are handed to it in batches of the mapping's size.
   */
  private async pollMappings(): Promise<void> {
    for (const m of this.model.mappings) {
      if (!m.enabled || !this.queued.some((q) => q.queueArn === m.queueArn)) continue;
      let poll = this.report.polls.find((p) => p.mappingUuid === m.uuid);
      if (!poll) {
        const refused = await mappingMayPoll(this.model, m, this.calls);
        poll = {
          mappingUuid: m.uuid,
          queueArn: m.queueArn,
          functionArn: m.functionArn,
          ...(refused ? { refused } : {}),
        };
        this.report.polls.push(poll);
      }
      if (poll.refused || !this.hosts.has(m.functionArn)) continue;
      const visible = this.queued.filter(
        (q) => q.queueArn === m.queueArn && this.receipts.get(q.messageId)!.visibleAt <= this.now,
      );
      for (let i = 0; i < visible.length; i += m.batchSize)
        await this.deliver(m, visible.slice(i, i + m.batchSize));
    }
  }

  /**
   * One batch, as Lambda's SQS poller delivers it: each message received (its receive count up, hidden
   * for the queue's visibility timeout), then deleted when the function returns, except those it lists
   * in batchItemFailures when the mapping reports them; an error or timeout leaves the whole batch.
   * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
   */
  private async deliver(m: MappingModel, messages: QueuedMessage[]): Promise<void> {
    const queue = this.model.queues.find((q) => q.arn === m.queueArn)!;
    const records = messages.map((q) => {
      const r = this.receipts.get(q.messageId)!;
      r.receives += 1;
      r.visibleAt = this.now + queue.visibilityTimeoutSeconds * 1000;
      return sqsRecord(q, r, queue.region, this.model.account);
    });
    const out = await this.invoke(m.functionArn, { Records: records });
    const ids = messages.map((q) => q.messageId);
    const retried =
      "error" in out
        ? ids
        : m.reportsBatchItemFailures
          ? (out.result as SQSBatchResponse).batchItemFailures.map((f) => f.itemIdentifier)
          : [];
    const done = new Set(ids.filter((id) => !retried.includes(id)));
    for (let i = this.queued.length - 1; i >= 0; i--)
      if (done.has(this.queued[i].messageId)) this.queued.splice(i, 1);
    this.report.batches.push({
      functionArn: m.functionArn,
      at: this.now,
      messageIds: ids,
      retried,
      ...("error" in out ? { error: out.error } : {}),
    });
  }

  private async check(state: HealthCheckState): Promise<void> {
    const at = this.now;
    const started = performance.now();
    const r = await this.request(state.model.fqdn, {
      method: "GET",
      path: state.model.resourcePath,
      headers: {},
    });
    const ok = r.status >= 200 && r.status < 400 && performance.now() - started <= ROUTE53_RESPONSE_MS;
    this.report.health.push({ fqdn: state.model.fqdn, at, status: r.status, body: r.body });
    this.lastCheck.set(state.model.id, ok);
    this.metrics.put(
      MetricStore.key("AWS/Route53", "HealthCheckStatus", { HealthCheckId: state.model.id }),
      at,
      state.record(ok),
    );
  }

  private async runCanary(c: CanaryRunner): Promise<void> {
    const at = this.now;
    const run = await storeArtifacts(this.model, c.model, at, await c.run(this.frontUrl), this.calls);
    this.report.canaryRuns.push({ canary: c.model.name, at, ...run });
    this.metrics.put(
      MetricStore.key("CloudWatchSynthetics", "SuccessPercent", { CanaryName: c.model.name }),
      at,
      run.passed ? 100 : 0,
    );
  }

  private async evaluateAlarms(): Promise<void> {
    if (this.clock === 0) return;
    for (const a of this.alarms) {
      if (this.clock % a.model.periodSeconds !== 0) continue;
      const from = a.state;
      const to = a.evaluate(this.metrics, this.now);
      if (!to) continue;
      this.report.alarmChanges.push({ alarm: a.model.name, at: this.now, from, to });
      const actions = to === "ALARM" ? a.model.alarmActions : to === "OK" ? a.model.okActions : [];
      const message = {
        AlarmName: a.model.name,
        NewStateValue: to,
        OldStateValue: from,
        Region: a.model.region,
      };
      for (const topic of actions) {
        const refused = await alarmMayPublish(this.model, a.model, topic, this.calls);
        if (refused)
          this.report.undelivered.push({ alarm: a.model.name, state: to, topicArn: topic, reason: refused });
        else await this.publish(topic, message, 0);
      }
    }
  }

  /**
   * SNS: every lambda subscription of `topic` whose filter passes gets the message; the relay republishes
   * (as its role: role, topic and key policies); the failover function runs on it (failover.ts).
   */
  private async publish(topic: string, message: Record<string, unknown>, hops: number): Promise<void> {
    if (hops > 3) throw new Error(`alert loop through ${topic}`);
    for (const sub of this.model.subscriptions.filter(
      (s) => s.topicArn === topic && s.protocol === "lambda",
    )) {
      if (!passesFilter(sub.filterPolicy, message)) continue;
      const fn = this.model.functions.find((f) => f.arn === sub.endpoint);
      this.report.delivered.push({ bundle: fn?.bundle ?? "unknown", functionArn: sub.endpoint, message });
      const target = fn?.env[ALERT_RELAY_ENV.targetTopicArn];
      if (fn?.bundle === "alert-relay" && target) {
        const refused = await roleMayPublish(this.model, fn, target, this.calls);
        if (refused)
          this.report.undelivered.push({
            alarm: String(message.AlarmName),
            state: String(message.NewStateValue),
            topicArn: target,
            reason: refused,
          });
        else await this.publish(target, message, hops + 1);
      }
      if (fn?.bundle === "failover" && this.failover) {
        const alarm = String(message.AlarmName);
        const event = alarmEvent(alarm, topic, message.NewStateValue as AlarmState, "day-one alarm");
        this.report.failoverRuns.push({ alarm, at: this.now, ...(await this.failover.invoke(event)) });
      }
    }
  }

  /** What the failover function published (its reports), in order. */
  get failoverPublished(): readonly Published[] {
    return this.failover?.published ?? [];
  }

  /** The last log lines of a function the world runs (for a failing test's message). */
  functionLogs(arn: string): readonly string[] {
    return this.hosts.get(arn)?.host.logs.slice(-10) ?? [];
  }

  /** The API whose host name is `host`. */
  api(host: string): ApiGateway | undefined {
    return this.apis.get(host);
  }

  alarmState(name: string): AlarmState | undefined {
    return this.alarms.find((a) => a.model.name === name)?.state;
  }

  async stop(): Promise<void> {
    for (const h of this.hosts.values()) {
      await h.host.stop();
      await h.endpoint.close();
    }
    for (const c of this.canaries) c.dispose();
    await this.hole?.close();
    await this.lease?.stop();
    for (const s of [this.db, this.jwks, this.front]) {
      if (!s) continue;
      if ("closeAllConnections" in s) (s as HttpServer).closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }
}

/** An SQS event record as Lambda builds it. https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html */
function sqsRecord(
  q: QueuedMessage,
  r: { receives: number; sentAt: number },
  region: string,
  account: string,
): SQSRecord {
  return {
    messageId: q.messageId,
    receiptHandle: `${q.messageId}#${r.receives}`,
    body: q.body,
    attributes: {
      ApproximateReceiveCount: String(r.receives),
      SentTimestamp: String(r.sentAt),
      SenderId: account,
      ApproximateFirstReceiveTimestamp: String(r.sentAt),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(q.attributes).map(([k, v]) => [
        k,
        { stringValue: v, dataType: "String", stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: md5(q.body),
    eventSource: "aws:sqs",
    eventSourceARN: q.queueArn,
    awsRegion: region,
  };
}

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

async function listen<S extends Server | HttpServer>(server: S): Promise<S> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
