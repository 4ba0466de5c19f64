/**
 * The game day's two-Region world: the Aurora global database (two real PostgreSQL servers), the
 * DynamoDB global table (a dynalite per Region), each Region's SQS queue + DLQ, event source mapping and
 * bundled order processor, and the AWS control planes the failover orchestrator calls, all answering
 * per Region: a Region that is down refuses every call, connection and delivery.
 * Times are scaled down (see WorldOptions) so that a scenario runs in seconds; the code under test keeps
 * its production settings.
 */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient } from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { rmSync } from "node:fs";
import type { ProcessingSite } from "../lambda/failover/env-keys";
import { ORDER_FORWARDER_ENV } from "../lambda/order-forwarder/env";
import { ORDER_PROCESSOR_ENV as K } from "../lambda/order-processor/env";
import { ORDER_RETENTION_SECONDS, PARKED_RETENTION_SECONDS } from "../lambda/shared/order-queue-contract";
import type { Clock, OrchestratorDeps } from "../lambda/failover/orchestrator";
import type { WriterLease } from "../lambda/failover/lease-transfer";
import {
  PROCESSOR_LEASE_ENV,
  READER_LEASE_ENV,
  type LeaseReading,
  type WriterLeaseSettings,
} from "../lambda/shared/writer-lease";
import { createLeaseReaderHandler } from "../lambda/lease-reader";
import type { Log as Logger } from "../lambda/shared/log";
import type { FunctionModel } from "./day-one/model";
import { ProgramAccess, sqsAction } from "./access";
import { AuroraGlobal } from "./aurora";
import { intakeAttributes } from "./intake";
import {
  CREDENTIALS,
  GlobalTable,
  TABLE_NAME,
  WITNESS_REGION,
  WITNESS_TABLE,
  type DelayRange,
} from "./dynamo-global";
import { EventSourceMapping, FORWARDER_FUNCTION_NAME, FUNCTION_NAME } from "./event-source-mapping";
import { answeredBy, regionUnreachable } from "./fake-client";
import { LEDGER_DB, PgTemplate, scratchDir } from "./postgres-server";
import { FunctionHost } from "./function-host";
import { localEnv } from "./local-env";
import { devWiring } from "./program-wiring";
import { RegionalHttp } from "./regional-http";
import { REPLICATION_DELAY_MS } from "./realism";
import { ACCOUNT, Queue, SqsService } from "./sqs";
import { SqsRouter } from "./sqs-router";
import { siteIn, type ConsumerWiring, type OrderPathWiring, type QueueWiring } from "./wiring";

export interface WorldOptions {
  readonly regions?: readonly [string, string];
  /**
   * The order path as the program wires it (wiring.ts): queues, redrive, mappings, functions and their
   * environment. Default: the dev stack's, recorded under the mocks (program-wiring.ts).
   */
  readonly wiring?: OrderPathWiring;
  /**
   * Game-day ms per production ms for queue visibility timeouts. Default: 1/2500, so the program's
   * 1800 s (6 x its 300 s function timeout) lasts 720 ms here.
   */
  readonly visibilityScale?: number;
  /** Game-day ms per production ms for visibility changes the function asks for. Default: 1/100. */
  readonly backoffScale?: number;
  /** DynamoDB global table replication delay per item, drawn from a range (gameday/realism.ts). */
  readonly replicationDelayMs?: DelayRange;
  /** How long an Aurora promotion takes (gameday/realism.ts). Default: 0. */
  readonly promotionMs?: number;
  /** How long an event source mapping stays Enabling/Disabling (gameday/realism.ts). Default: 50 ms. */
  readonly mappingTransitionMs?: number;
  /** How often an idle event source mapping polls. */
  readonly pollIntervalMs?: number;
  /** A network path from each Region to a writer in the other (the infra today has none). */
  readonly crossRegionDbPath?: boolean;
  /** Whether the standby Region's mapping starts enabled (the infra disables it: F1, tap:processingRegion). */
  readonly standbyMappingEnabled?: boolean;
  /**
   * X3: the writer lease (lambda/shared/writer-lease.ts) in game-day time; production: 30 s. Scaled like
   * the promotion (about 1/50 here). `false` deploys no lease (the code before X3, to show what it costs).
   */
  readonly writerLeaseMs?: number | false;
  /**
   * Whether the world proves each Region's processor can book before it starts (one warm-up order per
   * Region). Default: true. Off for a world whose processor must not start (the D1 breaks).
   */
  readonly warmUp?: boolean;
  /** Reuse an initialised cluster template (one per process saves initdb per world). */
  readonly template?: PgTemplate;
}

/**
 * Game-day ms per production ms for the visibility the processor asks for after a failure (its 30 s,
 * 60 s, ... backoff, lambda/order-processor/expedite.ts). A promotion here takes about a second; Aurora's
 * switchover or failover takes on the order of a minute or more
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html).
 * Scaling the backoff by that ratio keeps what matters: an order failing on the old writer during a
 * promotion is retried a few times, not exhausted into the DLQ, before processing follows the writer.
 */
const DEFAULT_BACKOFF_SCALE = 1 / 100;
const DEFAULT_WRITER_LEASE_MS = 600;

const DEFAULT_VISIBILITY_SCALE = 1 / 2500;
export const DEFAULT_REGIONS = ["us-east-1", "us-west-2"] as const;
/** The rejects queue as the program names it to the processor (REJECTS_QUEUE_URL's last segment). */
const rejectsQueueName = (site: ConsumerWiring) => {
  const url = site.env[K.rejectsQueueUrl];
  if (!url) throw new Error(`${site.functionName}: the program sets no ${K.rejectsQueueUrl}`);
  return url.split("/").pop()!;
};

export interface RegionParts {
  readonly region: string;
  readonly queue: Queue;
  readonly dlq: Queue;
  /** Where the processor parks rejected and conflicting orders (REJECTS_QUEUE_URL, park.ts). */
  readonly rejects: Queue;
  readonly sqs: SqsService;
  readonly http: RegionalHttp;
  readonly mapping: EventSourceMapping;
  readonly processor: FunctionHost;
  /** The standby's consumer: sends orders on to the other Region's queue (lambda/order-forwarder). */
  readonly forwarding: EventSourceMapping;
  readonly forwarder: FunctionHost;
  /** Published SNS messages (subject, body), in order. */
  readonly published: { subject: string; message: string }[];
}

/** A Region before its forwarder exists (the forwarder needs the other Region's queue). */
type RegionHalf = Omit<RegionParts, "forwarding" | "forwarder">;

export interface BatchCounters {
  invocations: number;
  failedMessages: number;
  functionErrors: number;
}

const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export class World {
  readonly regions: readonly [string, string];
  private readonly down = new Set<string>();
  readonly parts = new Map<string, RegionParts>();
  readonly batches = new Map<string, BatchCounters>();
  aurora!: AuroraGlobal;
  table!: GlobalTable;
  private root = "";
  /** The SQS endpoint of functions that call more than one Region's queues (the forwarders). */
  private readonly sqsRouters = new Map<string, RegionalHttp>();
  /** X3: each Region's lease reader: its name (the program's) and handler, built on first invoke. */
  private readonly readerNames = new Map<string, string>();
  private readonly readers: Record<string, () => Promise<LeaseReading>> = {};
  /** The network between the two Regions is cut: each is up, but no call crosses (a partition). */
  private linkCut = false;
  /** The program's order path this world runs. */
  wiring!: OrderPathWiring;
  /** The program's IAM and network paths, which every function's AWS call goes through (access.ts). */
  access!: ProgramAccess;
  private readonly dynamoEndpoints = new Map<string, string>();

  private constructor(readonly options: WorldOptions) {
    this.regions = options.regions ?? DEFAULT_REGIONS;
  }

  get primary(): string {
    return this.regions[0];
  }

  get secondary(): string {
    return this.regions[1];
  }

  /** Game-day ms per production ms for the waits the functions ask SQS for (backoff, delays). */
  get backoffScale(): number {
    return this.options.backoffScale ?? DEFAULT_BACKOFF_SCALE;
  }

  isUp(region: string): boolean {
    return !this.down.has(region);
  }

  /** X3: the writer lease as this world deploys it, or undefined when it deploys none. */
  get writerLease(): WriterLeaseSettings | undefined {
    const ms = this.options.writerLeaseMs ?? DEFAULT_WRITER_LEASE_MS;
    return ms === false ? undefined : { table: WITNESS_TABLE, region: WITNESS_REGION, leaseMs: ms };
  }

  /**
   * X3: cuts a Region off from everything outside it (or ends that): its own processor, queues and
   * database keep working inside, replication to the other Region stops, the other Region's orchestrator
   * and Route 53's checkers cannot reach it. The witness (a third Region) stays reachable from both.
   */
  async setIsolated(region: string, isolated: boolean): Promise<void> {
    if (isolated && this.aurora.writer().region === region) this.aurora.setReplication(false);
    this.linkCut = isolated; // no forwarder call crosses either
    await this.aurora.setIsolated(region, isolated);
  }

  private anyIsolated(): boolean {
    return this.regions.some((r) => this.aurora.isIsolated(r));
  }

  /** Takes a whole Region down (or brings it back): API, queues, Lambda, databases' network, control plane. */
  setRegionUp(region: string, up: boolean): void {
    if (up) this.down.delete(region);
    else this.down.add(region);
    this.aurora.route();
  }

  /**
   * Cuts (or heals) the network between the two Regions for the forwarders' SQS calls: both Regions
   * stay up and reach their own services; a call to the other Region's queue gets no answer.
   */
  setLinkCut(cut: boolean): void {
    this.linkCut = cut;
  }

  static async start(options: WorldOptions = {}): Promise<World> {
    const w = new World(options);
    try {
      await w.build();
    } catch (err) {
      await w.stop();
      throw err;
    }
    return w;
  }

  private async build(): Promise<void> {
    const o = this.options;
    this.wiring = o.wiring ?? (await devWiring());
    for (const r of this.regions) siteIn(this.wiring, r);
    this.access = new ProgramAccess(this.wiring.program);
    this.root = scratchDir("tap-gameday-");
    const template = o.template ?? (await PgTemplate.cached());
    const up = (r: string) => this.isUp(r);
    this.aurora = await AuroraGlobal.start({
      regions: this.regions,
      template,
      root: this.root,
      regionUp: up,
      crossRegionPath: o.crossRegionDbPath ?? false,
      promotionMs: o.promotionMs,
    });
    this.table = await GlobalTable.start(
      this.regions,
      o.replicationDelayMs ?? REPLICATION_DELAY_MS,
      up,
      Math.random,
      () => !this.anyIsolated(),
    );
    const halves = new Map<string, RegionHalf>();
    try {
      for (const region of this.regions) halves.set(region, await this.buildRegion(region));
    } catch (err) {
      for (const h of halves.values()) await Promise.all([h.processor.stop(), h.http.stop()]);
      throw err;
    }
    // Each forwarder sends to the other Region's queue, so both halves exist first; its SQS calls go to
    // the Region each queue URL names.
    // One endpoint per calling Region, so that a partition cuts only the calls that cross it.
    const router = new SqsRouter(new Map([...halves].map(([r, h]) => [r, h.sqs])));
    for (const caller of this.regions) {
      const reaches = (r: string) => this.isUp(r) && (r === caller || !this.linkCut);
      this.sqsRouters.set(
        caller,
        await RegionalHttp.start({
          sqs: router,
          regionUp: (input) => router.answers(input, reaches),
          gate: this.gateOf(siteIn(this.wiring, caller).forwarder),
          secret: { username: "unused", password: "unused", host: "unused", port: 5432, dbname: "unused" },
        }),
      );
    }
    for (const [region, half] of halves) this.parts.set(region, { ...half, ...this.buildForwarder(half) });
    for (const p of this.parts.values()) [p.mapping, p.forwarding].forEach((m) => m.start());
    // Warm: the bundle loaded everywhere, and the writer's Region connected to its database.
    if (o.warmUp ?? true)
      await Promise.all(this.regions.map((r) => this.warmUpRetrying(r, r !== this.primary)));
  }

  /** A loaded machine can make the first database round trip time out: a few bounded retries. */
  private async warmUpRetrying(region: string, synthetic: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.warmUp(region, synthetic);
      } catch (err) {
        if (attempt >= 4) throw err;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }

  /** One order per Region outside any count: synthetic ones are validated and never written. */
  private async warmUp(region: string, synthetic: boolean): Promise<void> {
    const order = {
      orderId: `gd-warmup-${region}`,
      account: "gameday",
      symbol: "WARM",
      side: "BUY",
      quantity: "1",
      orderType: "MARKET",
      clientTimestamp: new Date().toISOString(),
      synthetic,
    };
    const out = await this.part(region).processor.invoke({
      Records: [
        {
          messageId: `gd-warmup-${region}`,
          receiptHandle: "gd-warmup",
          body: JSON.stringify(order),
          messageAttributes: intakeAttributes(JSON.stringify(order), Date.now()),
          attributes: {
            ApproximateReceiveCount: "1",
            SentTimestamp: String(Date.now()),
            SenderId: ACCOUNT,
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          md5OfBody: "",
          eventSource: "aws:sqs",
          eventSourceARN: this.part(region).queue.arn,
          awsRegion: region,
        },
      ],
    });
    if ("error" in out || out.result.batchItemFailures.length > 0) {
      throw new Error(
        `order processor in ${region} failed to start: ${JSON.stringify(out)} ${this.part(region).processor.logs.slice(-3).join(" | ")}`,
      );
    }
  }

  private async buildRegion(region: string): Promise<RegionHalf> {
    const o = this.options;
    const site = siteIn(this.wiring, region);
    const scale = this.backoffScale;
    const vis = (q: QueueWiring) =>
      q.visibilityTimeoutSeconds * 1000 * (o.visibilityScale ?? DEFAULT_VISIBILITY_SCALE);
    // Retention scaled like the backoff (X1: a DLQ counts it from the original enqueue time).
    const retention = (seconds: number) => seconds * 1000 * scale;
    const dlq = new Queue(
      site.dlq.name,
      region,
      vis(site.dlq),
      undefined,
      scale,
      retention(PARKED_RETENTION_SECONDS),
    );
    const queue = new Queue(
      site.queue.name,
      region,
      vis(site.queue),
      { dlq, maxReceiveCount: site.maxReceiveCount },
      scale,
      retention(ORDER_RETENTION_SECONDS),
    );
    const rejects = new Queue(rejectsQueueName(site.processor), region, vis(site.dlq));
    const sqs = new SqsService(region, [queue, dlq, rejects]);
    const port = this.aurora.writerEndpoint.get(region)?.port;
    const http = await RegionalHttp.start({
      sqs,
      regionUp: () => this.isUp(region),
      gate: this.gateOf(site.processor),
      lambda: (name) => this.invokeLeaseReader(region, name),
      secret: {
        username: "postgres",
        password: "gameday-trust-auth",
        host: "unused",
        port: 5432,
        dbname: LEDGER_DB,
      },
    });
    let processor: FunctionHost;
    try {
      const env = this.processorEnv(region, site.processor, http.endpoint, port ?? 0);
      processor = FunctionHost.start(env, FUNCTION_NAME, site.processor.timeoutSeconds);
    } catch (err) {
      await http.stop(); // not yet a half the caller would stop
      throw err;
    }
    const counters: BatchCounters = { invocations: 0, failedMessages: 0, functionErrors: 0 };
    this.batches.set(region, counters);
    const mapping = new EventSourceMapping({
      region,
      queue,
      wiring: site.processor,
      invoke: (event) => processor.invoke(event),
      mayReceive: this.receiverOf(site.processor, site.queue.arn),
      regionUp: () => this.isUp(region),
      pollIntervalMs: o.pollIntervalMs ?? 50,
      transitionMs: o.mappingTransitionMs,
      enabled: this.processesAtStart(region),
      onBatch: (_r, _n, failed, error) => {
        counters.invocations += 1;
        counters.failedMessages += failed;
        if (error) counters.functionErrors += 1;
      },
    });
    return { region, queue, dlq, rejects, sqs, http, mapping, processor, published: [] };
  }

  /** Whether `region` books at the start: as the program deploys it (tap:processingRegion), or both if asked. */
  private processesAtStart(region: string): boolean {
    return siteIn(this.wiring, region).processor.enabled || (this.options.standbyMappingEnabled ?? false);
  }

  /**
   * The Region's forwarder as the program deploys it (lib/orders/order-forwarder.ts): its environment
   * (the peer queue's URL and Region, held to the other site by wiring.ts) and its mapping's settings.
   * Its SQS calls reach the Region each queue URL names; a Region that is down drops the connection.
   */
  private buildForwarder(half: RegionHalf): Pick<RegionParts, "forwarding" | "forwarder"> {
    const site = siteIn(this.wiring, half.region).forwarder;
    const env = localEnv(site.functionName, site.env, {}, [
      ORDER_FORWARDER_ENV.peerQueueUrl,
      ORDER_FORWARDER_ENV.peerRegion,
    ]);
    const forwarder = FunctionHost.start(
      {
        ...env,
        ...runtimeEnv(half.region),
        AWS_ENDPOINT_URL_SQS: this.sqsRouters.get(half.region)!.endpoint,
      },
      FORWARDER_FUNCTION_NAME,
      site.timeoutSeconds,
    );
    const forwarding = new EventSourceMapping({
      region: half.region,
      functionName: FORWARDER_FUNCTION_NAME,
      queue: half.queue,
      wiring: site,
      invoke: (event) => forwarder.invoke(event),
      mayReceive: this.receiverOf(site, half.queue.arn),
      regionUp: () => this.isUp(half.region),
      pollIntervalMs: this.options.pollIntervalMs ?? 50,
      transitionMs: this.options.mappingTransitionMs,
      enabled: site.enabled && !(this.options.standbyMappingEnabled ?? false),
    });
    return { forwarder, forwarding };
  }

  /**
   * The processor's environment as the program sets it (lib/orders/order-processor.ts), with the values
   * that name AWS places pointed at this world's: its writer's host and port without TLS (none here),
   * the world's ledger database (the program's is held to its global cluster's, wiring.ts), table and
   * rejects queue (X5: conflicts are parked there), no RDS CA bundle.
   */
  private processorEnv(
    region: string,
    site: ConsumerWiring,
    http: string,
    writerPort: number,
  ): Record<string, string> {
    const env = localEnv(
      site.functionName,
      site.env,
      {
        [K.dbHost]: "127.0.0.1",
        [K.dbPort]: String(writerPort),
        [K.dbSsl]: "disable",
        [K.dbName]: LEDGER_DB,
        [K.tableName]: TABLE_NAME,
      },
      [K.dbSecretArn, K.serviceName, K.metricsNamespace, K.rejectsQueueUrl],
      [K.extraCaCerts],
    );
    const lease = this.leaseEnv(region, env); // removes the lease keys when this world deploys none
    return {
      ...env,
      ...runtimeEnv(region),
      AWS_ENDPOINT_URL_DYNAMODB: this.table.endpointAs(region, this.gateOf(site)),
      ...lease,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: http,
      AWS_ENDPOINT_URL_SQS: http,
      // X3: the processor's Lambda client (its lease reader) reaches this Region's Invoke here.
      AWS_ENDPOINT_URL_LAMBDA: http,
    };
  }

  /** The program's function behind `site`: its role and network are what its calls go through. */
  private functionOf(site: ConsumerWiring) {
    return this.access.functionNamed(site.functionName);
  }

  /** The gate of `site`'s function's own SDK calls (SQS, Secrets Manager, DynamoDB). */
  private gateOf(site: ConsumerWiring) {
    return this.access.requestGate(this.functionOf(site), (name) => this.programTableName(name));
  }

  /** Whether Lambda's pollers may receive from `queueArn` with `site`'s execution role. */
  private receiverOf(site: ConsumerWiring, queueArn: string): () => Promise<boolean> {
    const queue = this.access.queueByArn(queueArn);
    if (!queue) throw new Error(`${site.functionName}: the program has no queue ${queueArn}`);
    const fn = this.functionOf(site);
    return async () => (await this.access.sqsAccess(fn, "sqs:ReceiveMessage", queue)).kind === "allowed";
  }

  /**
   * `region`'s DynamoDB endpoint as the program's function of lambda/`bundle` reaches it (one per pair:
   * the scenarios call it once per reconcile).
   */
  dynamoEndpointOf(bundle: string, region: string): string {
    const key = `${bundle} ${region}`;
    let url = this.dynamoEndpoints.get(key);
    if (!url) {
      const fn = this.access.functionOf(bundle);
      url = this.table.endpointAs(
        region,
        this.access.requestGate(fn, (n) => this.programTableName(n)),
      );
      this.dynamoEndpoints.set(key, url);
    }
    return url;
  }

  /** The world's orders table under the program's name (its processors' TABLE_NAME), for IAM. */
  programTableName(worldName: string): string {
    return worldName === TABLE_NAME ? this.wiring.sites[0].processor.env[K.tableName] : worldName;
  }

  /**
   * X3: the lease keys as the program sets them for the processor (lib/orders/order-processor.ts): its
   * Region's lease reader, by the name the program gives it, and this world's (scaled) lease. Without a
   * lease (the code before X3, or tap:writerLease false) the keys are removed from `env`.
   */
  private leaseEnv(region: string, env: Record<string, string>): Record<string, string> {
    const lease = this.writerLease;
    if (!lease) {
      delete env[PROCESSOR_LEASE_ENV.reader];
      delete env[PROCESSOR_LEASE_ENV.leaseMs];
      return {};
    }
    const reader = env[PROCESSOR_LEASE_ENV.reader];
    if (!reader) throw new Error(`the program deploys no lease reader for the processor in ${region}`);
    this.readerNames.set(region, reader);
    return { [PROCESSOR_LEASE_ENV.leaseMs]: String(lease.leaseMs) };
  }

  /**
   * X3: the Region's lease reader, as lib/orders/lease-reader.ts deploys it (outside any VPC, the witness
   * in its environment): the real handler, its DynamoDB client going through this Region's network to the
   * witness Region, as the failover function's does. Another name is not found, as in Lambda.
   */
  private async invokeLeaseReader(
    region: string,
    name: string,
  ): Promise<{ result?: unknown; error?: Error }> {
    const lease = this.writerLease;
    if (!lease || name !== this.readerNames.get(region)) {
      return {
        error: Object.assign(new Error(`Function not found: ${name}`), { name: "ResourceNotFoundException" }),
      };
    }
    this.readers[region] ??= createLeaseReaderHandler(
      { [READER_LEASE_ENV.table]: lease.table, [READER_LEASE_ENV.region]: lease.region },
      () => this.leaseFor(region)!.ddb,
    );
    try {
      return { result: await this.readers[region]() };
    } catch (err) {
      return { error: err as Error };
    }
  }

  /** The failover function's witness client: through its own Region's network to the witness Region. */
  private leaseFor(region: string): WriterLease | undefined {
    const settings = this.writerLease;
    if (!settings) return undefined;
    const client = new DynamoDBClient({
      region: settings.region,
      endpoint: this.table.endpoint(region),
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    return { settings, ddb: DynamoDBDocumentClient.from(client) };
  }

  part(region: string): RegionParts {
    const p = this.parts.get(region);
    if (!p) throw new Error(`no region ${region}`);
    return p;
  }

  /** An order sent to a Region's API (API Gateway -> SQS SendMessage); refused when the Region is down. */
  sendOrder(region: string, body: string): string {
    if (!this.isUp(region)) throw regionUnreachable(region, "execute-api");
    return this.part(region).queue.send(body);
  }

  // --- AWS SDK clients answered by this world's control planes, per Region ---

  /** `region`'s RDS API; `as` as for lambda(). */
  rds(region: string, as?: FunctionModel): RDSClient {
    return answeredBy(new RDSClient({ region }), async (cmd, input) => {
      // RDS's AccessDeniedException is HTTP 400: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html
      if (as)
        for (const arn of this.rdsResources(cmd, input))
          await this.access.enforce(as, "rds", `rds:${cmd}`, arn);
      return this.aurora.handle(region, cmd, input);
    });
  }

  /**
   * The program's ARNs an RDS call names (the world's clusters carry their own names): the global cluster,
   * and the member cluster by its Region. A switchover or failover needs both ("cluster*", "global-cluster*"
   * in https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html).
   */
  private rdsResources(cmd: string, input: Record<string, unknown>): string[] {
    const { globalClusterArn, clusterArns } = this.wiring.aurora;
    const member = (id: unknown) => clusterArns[String(id).split(":")[3]] ?? String(id);
    switch (cmd) {
      case "DescribeGlobalClusters":
        return [globalClusterArn];
      case "DescribeDBClusters":
        return [member(input.DBClusterIdentifier)];
      case "SwitchoverGlobalCluster":
      case "FailoverGlobalCluster":
        return [globalClusterArn, member(input.TargetDbClusterIdentifier)];
      default:
        throw new Error(`the game day does not know whom rds:${cmd} concerns`);
    }
  }

  /**
   * `region`'s Lambda API; `as`: the program's function calling it, whose role and network each call goes
   * through (none: an operator with every right).
   */
  lambda(region: string, as?: FunctionModel): LambdaClient {
    return answeredBy(new LambdaClient({ region }), async (cmd, input) => {
      if (!this.isUp(region)) throw regionUnreachable(region, "lambda");
      // ListEventSourceMappings is not resource-scoped: "*" (Service Authorization Reference, AWS Lambda).
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
      const mappingArn = `arn:aws:lambda:${region}:${this.access.model.account}:event-source-mapping:${String(input.UUID)}`;
      const resource = cmd === "ListEventSourceMappings" ? "*" : mappingArn;
      if (as) await this.access.enforce(as, "lambda", `lambda:${cmd}`, resource, 403);
      const { mapping, forwarding } = this.part(region);
      if (cmd === "ListEventSourceMappings") {
        const all = await Promise.all([mapping, forwarding].map((m) => m.handle(cmd, input)));
        return {
          EventSourceMappings: all.flatMap(
            (a) => (a as { EventSourceMappings: object[] }).EventSourceMappings,
          ),
        };
      }
      return (input.UUID === forwarding.uuid ? forwarding : mapping).handle(cmd, input);
    });
  }

  /** `region`'s SQS API; `as` as for lambda(). */
  sqs(region: string, as?: FunctionModel): SQSClient {
    return answeredBy(new SQSClient({ region }), async (cmd, input) => {
      if (!this.isUp(region)) throw regionUnreachable(region, "sqs");
      const queue = input.SourceArn
        ? String(input.SourceArn)
        : this.access.queueArnOfUrl(input.QueueUrl, region);
      if (as) await this.access.enforce(as, "sqs", sqsAction(cmd), queue);
      return this.part(region).sqs.handle(cmd, input);
    });
  }

  /**
   * `region`'s SNS as `caller` reaches it (none: ungated): Publish is authorized against the caller's role
   * on the topic the request names (access.ts), as SNS does; the topic's own policy is the day-one world's
   * (gameday/day-one/publish.ts).
   */
  sns(region: string, caller?: FunctionModel): SNSClient {
    return answeredBy(new SNSClient({ region }), async (cmd, input) => {
      if (!this.isUp(region)) throw regionUnreachable(region, "sns");
      if (cmd !== "Publish") throw new Error(`the game day's SNS does not answer ${cmd}`);
      if (caller) await this.access.enforce(caller, "sns", "sns:Publish", String(input.TopicArn));
      this.part(region).published.push({
        subject: String(input.Subject ?? ""),
        message: String(input.Message ?? ""),
      });
      return { MessageId: `gd-${Date.now()}` };
    });
  }

  /**
   * The failover orchestrator's dependencies in `region`, built from this world's clients. Beyond
   * today's OrchestratorDeps it offers Lambda and SQS clients per Region, for the event source mapping
   * toggling and DLQ redrive of issue 13 (extra fields are ignored by today's orchestrator).
   */
  /** Each Region's intake as the infra describes it to the failover function (PROCESSING_SITES). */
  processingSites(): ProcessingSite[] {
    return [...this.parts.values()].map((p) => ({
      region: p.region,
      mappingUuid: p.mapping.uuid,
      forwarderMappingUuid: p.forwarding.uuid,
      queueArn: p.queue.arn,
      dlqArn: p.dlq.arn,
    }));
  }

  orchestratorDeps(region: string, logger: Logger = quietLogger): OrchestratorDeps & ExtraDeps {
    // The program deploys one failover function; whichever Region a scenario runs it in, its role is that one.
    const failover = this.access.functionOf("failover");
    return {
      rds: this.rds(region, failover),
      rdsForRegion: (r) => this.rds(r, failover),
      sns: this.sns(region, failover),
      lambdaForRegion: (r) => this.lambda(r, failover),
      sqsForRegion: (r) => this.sqs(r, failover),
      writerLease: this.leaseFor(region),
      clock: realClock,
      random: Math.random,
      logger,
    };
  }

  async stop(): Promise<void> {
    // Pollers stop first, then the endpoints: a call held for want of a network path (access.ts) ends
    // with its connection, so the invocation waiting on it returns and its poller can finish.
    const pollers = [...this.parts.values()].flatMap((p) => [p.mapping.stop(), p.forwarding.stop()]);
    await Promise.all([...this.parts.values()].map((p) => p.http.stop()));
    await Promise.all([...this.sqsRouters.values()].map((h) => h.stop()));
    await Promise.all(pollers);
    await this.table?.stop();
    for (const p of this.parts.values()) {
      await p.processor.stop();
      await p.forwarder.stop();
    }
    await this.aurora?.stop();
    if (this.root) rmSync(this.root, { recursive: true, force: true });
  }
}

export interface ExtraDeps {
  readonly lambdaForRegion: (region: string) => LambdaClient;
  readonly sqsForRegion: (region: string) => SQSClient;
}

/** What Lambda's runtime gives every function, and the game day's quiet Powertools. */
function runtimeEnv(region: string): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: "gameday",
    AWS_SECRET_ACCESS_KEY: "gameday",
    AWS_EC2_METADATA_DISABLED: "true",
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "WARN",
  };
}
