/**
 * Test doubles: a stateful fake Aurora global database, event source mappings and DLQs behind
 * aws-sdk-client-mock, one mocked client per Region, a fake clock whose sleeps advance time instantly,
 * and a recording logger.
 *
 * Assumptions about AWS, each from the page named:
 * - Every Region has its own endpoints; a Region that is down answers nothing, so a call sent through
 *   its client fails with a network error while the other Region's clients keep working.
 *   https://docs.aws.amazon.com/general/latest/gr/rande.html
 * - DescribeGlobalClusters and FailoverGlobalCluster work through the secondary Region while the primary
 *   Region is out: that is what an unplanned failover is for.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 * - Without AllowDataLoss, FailoverGlobalCluster is a switchover.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 * - UpdateEventSourceMapping with Enabled true/false answers State "Enabling"/"Disabling"; polling
 *   pauses and resumes without losing messages.
 *   https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html
 * - StartMessageMoveTask accepts only a DLQ as source, one active task per queue, and moves every message.
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
  type DescribeDBClustersCommandInput,
  type FailoverStatus,
  type FailoverGlobalClusterCommandInput,
  type GlobalCluster,
  type SwitchoverGlobalClusterCommandInput,
} from "@aws-sdk/client-rds";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import type { Clock, OrchestratorDeps, ReconcileCounts } from "../../../lambda/failover/orchestrator";
import type { Log } from "../../../lambda/shared/log";
import type { OrchestratorSettings } from "../../../lambda/failover/config";
import type { ProcessingSite } from "../../../lambda/failover/env-keys";

export const GLOBAL_ID = "tap-global-dev";
export const PRIMARY_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:tap-primary-dev";
export const SECONDARY_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:tap-secondary-dev";
export const TOPIC_ARN = "arn:aws:sns:us-west-2:123456789012:tap-dr-alerts-dev";
export const PRIMARY_REGION = "us-east-1";
export const SECONDARY_REGION = "us-west-2";
export const REGIONS = [PRIMARY_REGION, SECONDARY_REGION] as const;

/** The order intake of each Region, as the orchestrator's PROCESSING_SITES lists it. */
export const SITES: ProcessingSite[] = REGIONS.map((region, i) => ({
  region,
  mappingUuid: `0000000${i}-1111-2222-3333-444444444444`,
  forwarderMappingUuid: `0000000${i}-5555-2222-3333-444444444444`,
  queueArn: `arn:aws:sqs:${region}:123456789012:tap-orders-${i}`,
  dlqArn: `arn:aws:sqs:${region}:123456789012:tap-orders-dlq-${i}`,
}));

/** Builds an error shaped like the SDK's service exceptions. */
export function awsError(name: string, httpStatusCode = 400, message = name): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    $metadata: { httpStatusCode },
  });
}

type Operation = { kind: "switchover" | "failover"; from: string; to: string; pollsLeft: number };

/**
 * Holds members/writer/status. Switchover/Failover set status to switching-over/failing-over (with a
 * FailoverState); after `pollsToComplete` DescribeGlobalClusters calls the writer flips and the
 * cluster is available again.
 */
export class FakeGlobalCluster {
  writer: string;
  status = "available";
  members: string[];
  operation?: Operation;
  /** Cluster status reported by DescribeDBClusters, per ARN. */
  clusterStatus: Record<string, string> = {};
  describeCalls = 0;
  /**
   * Regions whose RDS endpoint does not answer: a call sent through a client of that region fails, as
   * it would during a regional outage, whatever cluster it names.
   */
  readonly downRegions = new Set<string>();
  /** Every call as "Operation@region", in order: which regional endpoint each call went through. */
  readonly callRegions: string[] = [];
  /** Errors thrown by the next calls of a command, in order. */
  readonly failNext: Record<"describe" | "switchover" | "failover" | "describeDbClusters", Error[]> = {
    describe: [],
    switchover: [],
    failover: [],
    describeDbClusters: [],
  };

  constructor(
    readonly pollsToComplete = 2,
    members: string[] = [PRIMARY_ARN, SECONDARY_ARN],
    writer = PRIMARY_ARN,
  ) {
    this.members = members;
    this.writer = writer;
  }

  snapshot(): GlobalCluster {
    return {
      GlobalClusterIdentifier: GLOBAL_ID,
      GlobalClusterArn: `arn:aws:rds::123456789012:global-cluster:${GLOBAL_ID}`,
      Status: this.status,
      Engine: "aurora-postgresql",
      EngineVersion: "15.10",
      Endpoint: `${GLOBAL_ID}.global-abc.global.rds.amazonaws.com`,
      GlobalClusterMembers: this.members.map((arn) => ({
        DBClusterArn: arn,
        IsWriter: arn === this.writer,
        Readers: arn === this.writer ? this.members.filter((m) => m !== arn) : [],
        SynchronizationStatus: "connected",
      })),
      FailoverState: this.operation
        ? {
            // The API docs list "switching-over"; the SDK's FailoverStatus enum (3.1169) lacks it, hence the cast.
            Status: (this.operation.kind === "switchover"
              ? "switching-over"
              : "failing-over") as FailoverStatus,
            FromDbClusterArn: this.operation.from,
            ToDbClusterArn: this.operation.to,
            IsDataLossAllowed: this.operation.kind === "failover",
          }
        : undefined,
    };
  }

  describe(): { GlobalClusters: GlobalCluster[] } {
    this.describeCalls++;
    const err = this.failNext.describe.shift();
    if (err) throw err;
    if (this.operation) {
      if (this.operation.pollsLeft <= 0) {
        this.writer = this.operation.to;
        this.operation = undefined;
        this.status = "available";
      } else {
        this.operation.pollsLeft--;
      }
    }
    return { GlobalClusters: [this.snapshot()] };
  }

  private start(kind: Operation["kind"], target: string | undefined): void {
    // Assumption: a failover (AllowDataLoss) is meant for an impaired primary Region, so only an operation
    // already running refuses it; a switchover also needs Status "available".
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
    if (this.operation || (kind === "switchover" && this.status !== "available")) {
      throw awsError("InvalidGlobalClusterStateFault", 400, "a change is already in progress");
    }
    if (!target || !this.members.includes(target) || target === this.writer) {
      throw awsError("InvalidParameterValue", 400, `bad target ${String(target)}`);
    }
    this.operation = { kind, from: this.writer, to: target, pollsLeft: this.pollsToComplete };
    this.status = kind === "switchover" ? "switching-over" : "failing-over";
  }

  switchover(
    input: SwitchoverGlobalClusterCommandInput,
    regions?: RegionState,
  ): { GlobalCluster: GlobalCluster } {
    const err = this.failNext.switchover.shift();
    if (err) throw err;
    // A switchover synchronises the secondaries first: it can't run with a member Region down.
    if (regions && this.members.some((arn) => regions.down.has(arn.split(":")[3]))) {
      throw awsError("InvalidGlobalClusterStateFault", 400, "a member Region is unavailable");
    }
    this.start("switchover", input.TargetDbClusterIdentifier);
    return { GlobalCluster: this.snapshot() };
  }

  failover(input: FailoverGlobalClusterCommandInput): { GlobalCluster: GlobalCluster } {
    const err = this.failNext.failover.shift();
    if (err) throw err;
    if (input.AllowDataLoss === true) this.start("failover", input.TargetDbClusterIdentifier);
    else this.start("switchover", input.TargetDbClusterIdentifier); // what AWS does without AllowDataLoss
    return { GlobalCluster: this.snapshot() };
  }

  describeDbClusters(input: DescribeDBClustersCommandInput) {
    const err = this.failNext.describeDbClusters.shift();
    if (err) throw err;
    const arn = input.DBClusterIdentifier ?? "";
    if (!this.members.includes(arn)) throw awsError("DBClusterNotFoundFault", 404);
    return {
      DBClusters: [
        {
          DBClusterArn: arn,
          Status: this.clusterStatus[arn] ?? "available",
          DBClusterMembers: [{ DBInstanceIdentifier: `${arn.split(":").pop()}-1`, IsClusterWriter: true }],
        },
      ],
    };
  }

  /** Routes one Region's RDS mock to this fake; every call fails while `regions` says it is down. */
  attach(rds: AwsClientStub<RDSClient>, region: string, regions: RegionState): this {
    // Every call is recorded with the Region it went through (callRegions), then refused when that
    // Region is down (downRegions, or the harness's RegionState).
    const up =
      <A extends unknown[], R>(operation: string, fn: (...args: A) => R) =>
      (...args: A): R => {
        this.callRegions.push(`${operation}@${region}`);
        if (this.downRegions.has(region)) {
          throw awsError("TimeoutError", 500, `no answer from RDS in ${region}`);
        }
        return regions.guard(region)(fn)(...args);
      };
    rds.on(DescribeGlobalClustersCommand).callsFake(up("DescribeGlobalClusters", () => this.describe()));
    rds
      .on(SwitchoverGlobalClusterCommand)
      .callsFake(
        up("SwitchoverGlobalCluster", (input: SwitchoverGlobalClusterCommandInput) =>
          this.switchover(input, regions),
        ),
      );
    rds
      .on(FailoverGlobalClusterCommand)
      .callsFake(
        up("FailoverGlobalCluster", (input: FailoverGlobalClusterCommandInput) => this.failover(input)),
      );
    rds
      .on(DescribeDBClustersCommand)
      .callsFake(
        up("DescribeDBClusters", (input: DescribeDBClustersCommandInput) => this.describeDbClusters(input)),
      );
    return this;
  }
}

/** Which Regions are reachable. A call through a down Region's client fails like a dead endpoint. */
export class RegionState {
  readonly down = new Set<string>();
  guard(region: string) {
    return <A extends unknown[], R>(fn: (...args: A) => R) =>
      (...args: A): R => {
        if (this.down.has(region)) {
          throw Object.assign(new Error(`connect ETIMEDOUT ${region}`), {
            name: "TimeoutError",
            code: "ETIMEDOUT",
          });
        }
        return fn(...args);
      };
  }
}

/** Event source mappings (one per site) and each Region's DLQ with its move tasks. */
export class FakeIntake {
  readonly mappingState: Record<string, string> = {};
  readonly dlqDepth: Record<string, number> = {};
  readonly moveTasks: { source: string; destination?: string }[] = [];
  /** Errors thrown by the next UpdateEventSourceMapping calls, in order. */
  readonly failNextUpdate: Error[] = [];
  /**
   * X1/X6: reads a transition lasts (Enabling, Disabling). 0 settles at once; AWS settles later, and
   * refuses an update of a mapping in transition with ResourceInUseException.
   * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html
   */
  transitionReads = 0;
  private readonly settling: Record<string, { to: string; readsLeft: number }> = {};

  constructor(writerRegion = PRIMARY_REGION) {
    for (const s of SITES) {
      const writer = s.region === writerRegion;
      this.mappingState[s.mappingUuid] = writer ? "Enabled" : "Disabled";
      this.mappingState[s.forwarderMappingUuid] = writer ? "Disabled" : "Enabled";
      this.dlqDepth[s.dlqArn] = 0;
    }
  }

  /** The processor's mapping state in `region`. */
  stateIn(region: string): string {
    return this.mappingState[SITES.find((s) => s.region === region)!.mappingUuid];
  }

  /** The forwarder's mapping state in `region`. */
  forwarderStateIn(region: string): string {
    return this.mappingState[SITES.find((s) => s.region === region)!.forwarderMappingUuid];
  }

  /** The order in which mappings were switched, as "region processor|forwarder on|off". */
  readonly switches: string[] = [];

  attach(
    lambda: AwsClientStub<LambdaClient>,
    sqs: AwsClientStub<SQSClient>,
    region: string,
    regions: RegionState,
  ): this {
    const up = regions.guard(region);
    // A mapping answers only through its own Region's Lambda endpoint.
    const mine = (uuid?: string) => {
      const site = SITES.find(
        (s) => (s.mappingUuid === uuid || s.forwarderMappingUuid === uuid) && s.region === region,
      );
      if (!site || !uuid) throw awsError("ResourceNotFoundException", 404);
      return { uuid, kind: uuid === site.mappingUuid ? "processor" : "forwarder" };
    };
    lambda.on(UpdateEventSourceMappingCommand).callsFake(
      up((input: { UUID?: string; Enabled?: boolean }) => {
        const { uuid, kind } = mine(input.UUID);
        const err = this.failNextUpdate.shift();
        if (err) throw err;
        if (this.settling[uuid]) throw awsError("ResourceInUseException", 400, "mapping is updating");
        const to = input.Enabled ? "Enabled" : "Disabled";
        const transition = input.Enabled ? "Enabling" : "Disabling";
        if (this.transitionReads > 0) {
          this.mappingState[uuid] = transition;
          this.settling[uuid] = { to, readsLeft: this.transitionReads };
        } else this.mappingState[uuid] = to; // settles at once; the API answers the transition first
        this.switches.push(`${region} ${kind} ${input.Enabled ? "on" : "off"}`);
        return { UUID: uuid, State: transition };
      }),
    );
    lambda.on(GetEventSourceMappingCommand).callsFake(
      up((input: { UUID?: string }) => {
        const { uuid } = mine(input.UUID);
        const pending = this.settling[uuid];
        if (pending && --pending.readsLeft <= 0) {
          this.mappingState[uuid] = pending.to;
          delete this.settling[uuid];
        }
        return { UUID: input.UUID, State: this.mappingState[uuid] };
      }),
    );
    const dlqOf = (arnOrUrl?: string) => {
      const site = SITES.find(
        (s) =>
          s.region === region &&
          (s.dlqArn === arnOrUrl || (arnOrUrl ?? "").endsWith(`/${s.dlqArn.split(":").pop()}`)),
      );
      if (!site) throw awsError("AWS.SimpleQueueService.NonExistentQueue", 400);
      return site;
    };
    sqs.on(GetQueueAttributesCommand).callsFake(
      up((input: { QueueUrl?: string }) => ({
        Attributes: { ApproximateNumberOfMessages: String(this.dlqDepth[dlqOf(input.QueueUrl).dlqArn]) },
      })),
    );
    sqs.on(ListMessageMoveTasksCommand).callsFake(up(() => ({ Results: [] })));
    sqs.on(StartMessageMoveTaskCommand).callsFake(
      up((input: { SourceArn?: string; DestinationArn?: string }) => {
        const site = dlqOf(input.SourceArn);
        this.moveTasks.push({ source: site.dlqArn, destination: input.DestinationArn });
        this.dlqDepth[site.dlqArn] = 0; // moved at once in the fake
        return { TaskHandle: `task-${this.moveTasks.length}` };
      }),
    );
    return this;
  }
}

export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public t = Date.UTC(2025, 0, 1)) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

export class RecordingLogger implements Log {
  readonly lines: { level: string; message: string; data?: Record<string, unknown> }[] = [];
  debug(message: string, data?: Record<string, unknown>): void {
    this.lines.push({ level: "debug", message, data });
  }
  info(message: string, data?: Record<string, unknown>): void {
    this.lines.push({ level: "info", message, data });
  }
  warn(message: string, data?: Record<string, unknown>): void {
    this.lines.push({ level: "warn", message, data });
  }
  error(message: string, data?: Record<string, unknown>): void {
    this.lines.push({ level: "error", message, data });
  }
}

export function settings(overrides: Partial<OrchestratorSettings> = {}): OrchestratorSettings {
  return {
    globalClusterId: GLOBAL_ID,
    targetClusterArn: SECONDARY_ARN,
    alertTopicArn: TOPIC_ARN,
    timeBudgetMs: 270_000,
    maxAttempts: 5,
    pollIntervalMs: 15_000,
    retryBaseDelayMs: 500,
    retryMaxDelayMs: 20_000,
    notifyTimeoutMs: 2_000,
    processingSites: SITES,
    ...overrides,
  };
}

export interface Harness {
  /** RDS stub of the target (secondary) Region, where the orchestrator runs. */
  rdsMock: AwsClientStub<RDSClient>;
  rdsMocks: Record<string, AwsClientStub<RDSClient>>;
  snsMock: AwsClientStub<SNSClient>;
  fake: FakeGlobalCluster;
  intake: FakeIntake;
  regions: RegionState;
  clock: FakeClock;
  logger: RecordingLogger;
  deps: OrchestratorDeps;
  /** Names of every command sent to RDS in any Region, in order of the Regions then calls. */
  rdsCommands(): string[];
  /** Parsed SNS messages, in order. */
  published(): { subject: string; body: Record<string, unknown> }[];
  restore(): void;
}

export function harness(
  fake = new FakeGlobalCluster(),
  random: () => number = () => 0.5,
  intake = new FakeIntake(),
): Harness {
  const regions = new RegionState();
  const rds: Record<string, RDSClient> = {};
  const rdsMocks: Record<string, AwsClientStub<RDSClient>> = {};
  const lambdas: Record<string, LambdaClient> = {};
  const sqss: Record<string, SQSClient> = {};
  const stubs: { restore(): void }[] = [];
  for (const region of REGIONS) {
    rds[region] = new RDSClient({ region });
    rdsMocks[region] = mockClient(rds[region]);
    fake.attach(rdsMocks[region], region, regions);
    lambdas[region] = new LambdaClient({ region });
    sqss[region] = new SQSClient({ region });
    const lambdaMock = mockClient(lambdas[region]);
    const sqsMock = mockClient(sqss[region]);
    intake.attach(lambdaMock, sqsMock, region, regions);
    stubs.push(rdsMocks[region], lambdaMock, sqsMock);
  }
  const sns = new SNSClient({ region: SECONDARY_REGION });
  const snsMock = mockClient(sns);
  snsMock.on(PublishCommand).callsFake(regions.guard(SECONDARY_REGION)(() => ({ MessageId: "m-1" })));
  stubs.push(snsMock);
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const deps: OrchestratorDeps = {
    rds: rds[SECONDARY_REGION],
    rdsForRegion: (region) => rds[region],
    lambdaForRegion: (region) => lambdas[region],
    sqsForRegion: (region) => sqss[region],
    sns,
    clock,
    random,
    logger,
  };
  const name = (c: { args: unknown[] }) => (c.args[0] as { constructor: { name: string } }).constructor.name;
  return {
    rdsMock: rdsMocks[SECONDARY_REGION],
    rdsMocks,
    snsMock,
    fake,
    intake,
    regions,
    clock,
    logger,
    deps,
    rdsCommands: () => REGIONS.flatMap((r) => rdsMocks[r].calls().map(name)),
    published: () =>
      snsMock.commandCalls(PublishCommand).map((c) => ({
        subject: c.args[0].input.Subject ?? "",
        body: JSON.parse(c.args[0].input.Message ?? "{}") as Record<string, unknown>,
      })),
    restore: () => stubs.forEach((s) => s.restore()),
  };
}

export const READ_ONLY_RDS_COMMANDS = new Set(["DescribeGlobalClustersCommand", "DescribeDBClustersCommand"]);

/** A reconcile function that reports `counts` (zeros by default) and tells `onCall` when it runs. */
export function reconcileStub(
  onCall: (request: { sinceIso: string; dryRun: boolean }) => void = () => undefined,
  counts: Partial<ReconcileCounts> = {},
): NonNullable<OrchestratorDeps["reconcile"]> {
  return async (request) => {
    onCall(request);
    return {
      examined: { ledger: 0, table: 0 },
      rebookedIntoLedger: 0,
      rewrittenIntoTable: 0,
      conflicts: 0,
      dryRun: false,
      ...counts,
    };
  };
}

/** The drill's AWS clients, clock and randomness, all from a harness. */
export function drillClients(h: Harness) {
  return {
    rdsClient: (region: string) => h.deps.rdsForRegion!(region),
    snsClient: () => h.deps.sns,
    lambdaClient: (region: string) => h.deps.lambdaForRegion!(region),
    sqsClient: (region: string) => h.deps.sqsForRegion!(region),
    // CloudWatch with no RPO-lag datapoint: an empty Values list, as GetMetricData answers for a metric
    // with no data in the window (no error). https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
    cloudwatchClient: () =>
      ({
        send: async () => ({ MetricDataResults: [{ Id: "rpo", Values: [], Timestamps: [] }] }),
      }) as unknown as CloudWatchClient,
    clock: new FakeClock(),
    random: () => 0.5,
  };
}
