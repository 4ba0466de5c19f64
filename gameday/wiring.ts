/**
 * The order path's run-time wiring in each Region, read from a program run (the same recording the
 * day-one world reads, day-one/model.ts): the queue, its DLQ and redrive budget, each consumer's mapping
 * (batch size, enabled, partial batch responses) and function (bundle, timeout, environment). The
 * scenarios' world (world.ts) is built from this, so a change in lib/ that breaks run-time wiring changes
 * what the game day runs instead of being retyped here.
 *
 * Lambda refuses what AWS refuses, before anything starts: a mapping whose queue's visibility timeout is
 * shorter than its function's timeout ("Lambda validates this requirement when you create or update an
 * event source mapping and will return an error"), and a queue in another Region than its function
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 * and a batch size outside 1 to 10,000 (SQS standard queues)
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 * What would only fail at run time is refused too: a processor naming another database than the global
 * cluster creates, a forwarder aimed at no other Region's queue.
 */
import { ORDER_FORWARDER_ENV } from "../lambda/order-forwarder/env";
import { ORDER_PROCESSOR_ENV } from "../lambda/order-processor/env";
import type { RecordedResource } from "../tooling/mocks/recorded";
import {
  programModel,
  type FunctionModel,
  type MappingModel,
  type ProgramModel,
  type QueueModel,
} from "./day-one/model";
import { failoverWiring, type FailoverWiring } from "./failover-wiring";

/** One consumer of an order queue: its mapping and the function it invokes. */
export interface ConsumerWiring {
  readonly mappingUuid: string;
  readonly batchSize: number;
  readonly enabled: boolean;
  readonly reportsBatchItemFailures: boolean;
  readonly functionName: string;
  readonly bundle: string;
  readonly timeoutSeconds: number;
  readonly env: Readonly<Record<string, string>>;
}

export interface QueueWiring {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly visibilityTimeoutSeconds: number;
}

/** One Region's order intake. */
export interface SiteWiring {
  readonly region: string;
  readonly queue: QueueWiring;
  readonly dlq: QueueWiring;
  readonly maxReceiveCount: number;
  readonly processor: ConsumerWiring;
  readonly forwarder: ConsumerWiring;
}

export interface OrderPathWiring {
  /** By Region, in the order the program declares them. */
  readonly sites: readonly SiteWiring[];
  /** The ledger database the Aurora global cluster creates, which every processor names. */
  readonly databaseName: string;
  /** The failover function and the alarms it acts on (failover-wiring.ts). */
  readonly failover: FailoverWiring;
  /**
   * The whole program as the day-one world reads it: roles and their policies, queue and key policies,
   * VPC endpoints. The world authorizes every call a function makes against it (access.ts).
   */
  readonly program: ProgramModel;
  /** The Aurora global cluster's ARN and its member clusters' by Region, as the program creates them. */
  readonly aurora: {
    readonly globalClusterArn: string;
    readonly clusterArns: Readonly<Record<string, string>>;
  };
}

const PROCESSOR_BUNDLE = "order-processor";
const FORWARDER_BUNDLE = "order-forwarder";
const MAX_SQS_BATCH = 10_000;
const GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster";
const CLUSTER = "aws:rds/cluster:Cluster";

/** The order path as `resources` wire it; throws, naming every problem, where AWS would refuse it. */
export function orderPathWiring(resources: readonly RecordedResource[]): OrderPathWiring {
  const model = programModel(resources);
  const problems: string[] = [];
  const sites = model.queues
    .filter((q) => q.redrive)
    .map((q) => siteOf(q, model.queues, model.mappings, model.functions, problems));
  if (sites.length === 0) problems.push("no order queue (a queue with a redrive policy) in the program");
  const global = resources.find((r) => r.type === GLOBAL_CLUSTER);
  const databaseName = String(global?.inputs.databaseName ?? "");
  for (const p of sites.map((site) => site?.processor)) {
    const named = p?.env[ORDER_PROCESSOR_ENV.dbName];
    if (p && named !== databaseName)
      problems.push(`${p.functionName}: database "${named}" is not the global cluster's "${databaseName}"`);
  }
  const whole = sites.filter((site): site is SiteWiring => site !== undefined);
  for (const site of whole) peerProblems(site, whole, problems);
  const failover = failoverWiring(model, problems);
  if (problems.length) throw new Error(`the program's order path cannot run: ${problems.join("; ")}`);
  const aurora = {
    globalClusterArn: String(global?.state.arn ?? ""),
    clusterArns: Object.fromEntries(
      resources
        .filter((r) => r.type === CLUSTER && r.inputs.globalClusterIdentifier !== undefined)
        .map((r) => [String(r.region), String(r.state.arn)]),
    ),
  };
  return { sites: sites as SiteWiring[], databaseName, failover: failover!, program: model, aurora };
}

function siteOf(
  queue: QueueModel,
  queues: readonly QueueModel[],
  mappings: readonly MappingModel[],
  functions: readonly FunctionModel[],
  problems: string[],
): SiteWiring | undefined {
  const dlq = queues.find((d) => d.arn === queue.redrive!.dlqArn);
  if (!dlq) problems.push(`${queue.name}: its dead-letter queue ${queue.redrive!.dlqArn} does not exist`);
  const consumer = (bundle: string) => consumerOf(queue, bundle, mappings, functions, problems);
  const processor = consumer(PROCESSOR_BUNDLE);
  const forwarder = consumer(FORWARDER_BUNDLE);
  if (!dlq || !processor || !forwarder) return undefined;
  return {
    region: queue.region,
    queue: queueWiring(queue),
    dlq: queueWiring(dlq),
    maxReceiveCount: queue.redrive!.maxReceiveCount,
    processor,
    forwarder,
  };
}

function consumerOf(
  queue: QueueModel,
  bundle: string,
  mappings: readonly MappingModel[],
  functions: readonly FunctionModel[],
  problems: string[],
): ConsumerWiring | undefined {
  const found = mappings
    .filter((m) => m.queueArn === queue.arn)
    .map((m) => ({ m, fn: functions.find((f) => f.arn === m.functionArn) }))
    .find(({ fn }) => fn?.bundle === bundle);
  if (!found) {
    problems.push(`${queue.name}: no event source mapping invokes a function of lambda/${bundle}`);
    return undefined;
  }
  const { m, fn } = found as { m: MappingModel; fn: FunctionModel };
  const before = problems.length;
  if (fn.region !== queue.region)
    problems.push(`${fn.name}: in ${fn.region}, its queue ${queue.name} in ${queue.region}`);
  if (queue.visibilityTimeoutSeconds < fn.timeoutSeconds)
    problems.push(
      `${queue.name}: visibility timeout ${queue.visibilityTimeoutSeconds} s is less than function timeout ${fn.timeoutSeconds} s (${fn.name})`,
    );
  if (!Number.isInteger(m.batchSize) || m.batchSize < 1 || m.batchSize > MAX_SQS_BATCH)
    problems.push(`${fn.name}: batch size ${m.batchSize} is not an integer from 1 to ${MAX_SQS_BATCH}`);
  if (problems.length > before) return undefined;
  return {
    mappingUuid: m.uuid,
    batchSize: m.batchSize,
    enabled: m.enabled,
    reportsBatchItemFailures: m.reportsBatchItemFailures,
    functionName: fn.name,
    bundle,
    timeoutSeconds: fn.timeoutSeconds,
    env: fn.env,
  };
}

/** A forwarder sends to the other Region's order queue, with a client of that Region (SQS is regional). */
function peerProblems(site: SiteWiring, sites: readonly SiteWiring[], problems: string[]): void {
  const { functionName, env } = site.forwarder;
  const url = env[ORDER_FORWARDER_ENV.peerQueueUrl];
  const peer = sites.find((s) => s !== site && s.queue.url === url);
  if (!peer)
    problems.push(
      `${functionName}: ${ORDER_FORWARDER_ENV.peerQueueUrl} ${url} is no other Region's order queue`,
    );
  else if (env[ORDER_FORWARDER_ENV.peerRegion] !== peer.region)
    problems.push(
      `${functionName}: ${ORDER_FORWARDER_ENV.peerRegion} ${env[ORDER_FORWARDER_ENV.peerRegion]}, its queue in ${peer.region}`,
    );
}

const queueWiring = (q: QueueModel): QueueWiring => ({
  name: q.name,
  url: q.url,
  arn: q.arn,
  visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
});

/** The site of `region`; throws when the program has none there. */
export function siteIn(wiring: OrderPathWiring, region: string): SiteWiring {
  const site = wiring.sites.find((s) => s.region === region);
  if (!site) throw new Error(`the program has no order path in ${region}`);
  return site;
}
