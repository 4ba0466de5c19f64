/**
 * Test doubles: a stateful fake Aurora global database behind aws-sdk-client-mock, a fake clock whose
 * sleeps advance time instantly, and a recording logger.
 */
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
import type { Clock, OrchestratorDeps } from "../../../lambda/failover/orchestrator";
import type { Log } from "../../../lambda/shared/log";
import type { OrchestratorSettings } from "../../../lambda/failover/config";

export const GLOBAL_ID = "tap-global-dev";
export const PRIMARY_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:tap-primary-dev";
export const SECONDARY_ARN = "arn:aws:rds:us-west-2:123456789012:cluster:tap-secondary-dev";
export const TOPIC_ARN = "arn:aws:sns:us-west-2:123456789012:tap-dr-alerts-dev";

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

  switchover(input: SwitchoverGlobalClusterCommandInput): { GlobalCluster: GlobalCluster } {
    const err = this.failNext.switchover.shift();
    if (err) throw err;
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

  private async via<T>(operation: string, client: { config: { region(): Promise<string> } }, run: () => T) {
    const region = await client.config.region();
    this.callRegions.push(`${operation}@${region}`);
    if (this.downRegions.has(region)) throw awsError("TimeoutError", 500, `no answer from RDS in ${region}`);
    return run();
  }

  /** Routes the RDS mock's commands to this fake, per regional endpoint. */
  attach(rds: AwsClientStub<RDSClient>): this {
    rds
      .on(DescribeGlobalClustersCommand)
      .callsFake((_input, getClient) =>
        this.via("DescribeGlobalClusters", getClient(), () => this.describe()),
      );
    rds
      .on(SwitchoverGlobalClusterCommand)
      .callsFake((input: SwitchoverGlobalClusterCommandInput, getClient) =>
        this.via("SwitchoverGlobalCluster", getClient(), () => this.switchover(input)),
      );
    rds
      .on(FailoverGlobalClusterCommand)
      .callsFake((input: FailoverGlobalClusterCommandInput, getClient) =>
        this.via("FailoverGlobalCluster", getClient(), () => this.failover(input)),
      );
    rds
      .on(DescribeDBClustersCommand)
      .callsFake((input: DescribeDBClustersCommandInput, getClient) =>
        this.via("DescribeDBClusters", getClient(), () => this.describeDbClusters(input)),
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
    ...overrides,
  };
}

export interface Harness {
  rdsMock: AwsClientStub<RDSClient>;
  snsMock: AwsClientStub<SNSClient>;
  fake: FakeGlobalCluster;
  clock: FakeClock;
  logger: RecordingLogger;
  deps: OrchestratorDeps;
  /** Names of every command sent to RDS, in order. */
  rdsCommands(): string[];
  /** Parsed SNS messages, in order. */
  published(): { subject: string; body: Record<string, unknown> }[];
}

export function harness(fake = new FakeGlobalCluster(), random: () => number = () => 0.5): Harness {
  const rdsMock = mockClient(RDSClient);
  const snsMock = mockClient(SNSClient);
  fake.attach(rdsMock);
  snsMock.on(PublishCommand).resolves({ MessageId: "m-1" });
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const deps: OrchestratorDeps = {
    rds: new RDSClient({ region: "us-west-2" }),
    rdsForRegion: (region) => new RDSClient({ region }),
    sns: new SNSClient({ region: "us-west-2" }),
    clock,
    random,
    logger,
  };
  return {
    rdsMock,
    snsMock,
    fake,
    clock,
    logger,
    deps,
    rdsCommands: () =>
      rdsMock.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name),
    published: () =>
      snsMock.commandCalls(PublishCommand).map((c) => ({
        subject: c.args[0].input.Subject ?? "",
        body: JSON.parse(c.args[0].input.Message ?? "{}") as Record<string, unknown>,
      })),
  };
}

export const READ_ONLY_RDS_COMMANDS = new Set(["DescribeGlobalClustersCommand", "DescribeDBClustersCommand"]);
