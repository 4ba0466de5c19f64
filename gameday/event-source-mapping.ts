/**
 * Lambda's SQS event source mapping for one Region, with the behaviour the order path relies on:
 * - pollers receive up to BatchSize messages and invoke the function once per batch; with
 *   ReportBatchItemFailures, the messages named in batchItemFailures stay in the queue (visible again
 *   after the visibility timeout) and the others are deleted; a function error (an exception, e.g.
 *   Powertools' FullBatchFailureError) leaves the whole batch in the queue
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * - UpdateEventSourceMapping Enabled=false stops polling (messages stay in the queue, held) and
 *   Enabled=true resumes; State goes Disabling -> Disabled / Enabling -> Enabled after `transitionMs`
 *   (gameday/realism.ts). No kinder than AWS: an Enabling mapping does not poll yet, and a Disabling one
 *   still does, so a batch may arrive after the update was answered.
 *   https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html
 * Not modelled: poller scaling and backoff (one poller, polling every pollIntervalMs), batching window.
 */
import type { SQSEvent, SQSMessageAttributes } from "aws-lambda";
import { ACCOUNT, type MessageAttribute, type Queue } from "./sqs";
import { awsError } from "./fake-client";
import type { Invocation } from "./function-host";
import { intakeAttributes } from "./intake";
import type { ConsumerWiring } from "./wiring";

export const FUNCTION_NAME = "order-processor";
export const FORWARDER_FUNCTION_NAME = "order-forwarder";

type State = "Enabled" | "Disabled" | "Enabling" | "Disabling";

export interface MappingOptions {
  readonly region: string;
  /** The function it invokes. Default: the order processor. */
  readonly functionName?: string;
  readonly queue: Queue;
  /** The mapping as the program declares it: UUID, batch size, partial batch responses. */
  readonly wiring: Pick<ConsumerWiring, "mappingUuid" | "batchSize" | "reportsBatchItemFailures">;
  readonly invoke: (event: SQSEvent) => Promise<Invocation>;
  /** Only a Region that is up polls. */
  readonly regionUp: () => boolean;
  readonly pollIntervalMs: number;
  readonly enabled: boolean;
  /** How long Enabling/Disabling lasts before the update takes effect. Default: 50 ms. */
  readonly transitionMs?: number;
  /**
   * Whether the function's execution role may receive from the queue, as Lambda's pollers receive with it
   * (sqs:ReceiveMessage and, for an encrypted queue, kms:Decrypt through SQS): when not, Lambda does not
   * poll and the messages stay in the queue.
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html
   * Default: it may.
   */
  readonly mayReceive?: () => Promise<boolean>;
  /** Called with every batch outcome, for the game day's counters. */
  readonly onBatch?: (region: string, received: number, failed: number, error?: string) => void;
}

/** A message's SQS attributes as Lambda's SQS event carries them. */
function lambdaAttributes(attrs: Readonly<Record<string, MessageAttribute>>): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attrs).map(([name, a]) => [
      name,
      {
        dataType: a.DataType as SQSMessageAttributes[string]["dataType"],
        stringValue: a.StringValue,
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  );
}

export class EventSourceMapping {
  readonly uuid: string;
  private state: State;
  private running = false;
  private loop?: Promise<void>;
  invocations = 0;

  constructor(private readonly opts: MappingOptions) {
    this.state = opts.enabled ? "Enabled" : "Disabled";
    this.uuid = opts.wiring.mappingUuid;
  }

  get functionName(): string {
    return this.opts.functionName ?? FUNCTION_NAME;
  }

  get functionArn(): string {
    return `arn:aws:lambda:${this.opts.region}:${ACCOUNT}:function:${this.functionName}`;
  }

  /** Whether the last update asked for polling (what the orchestrator set). */
  get enabled(): boolean {
    return this.state === "Enabled" || this.state === "Enabling";
  }

  /** Whether pollers run now: Enabled, or Disabling (the update has not taken effect yet). */
  get polling(): boolean {
    return this.state === "Enabled" || this.state === "Disabling";
  }

  get currentState(): State {
    return this.state;
  }

  describe(): object {
    return {
      UUID: this.uuid,
      EventSourceArn: this.opts.queue.arn,
      FunctionArn: this.functionArn,
      State: this.state,
      BatchSize: this.opts.wiring.batchSize,
      FunctionResponseTypes: this.opts.wiring.reportsBatchItemFailures ? ["ReportBatchItemFailures"] : [],
      LastModified: new Date(),
    };
  }

  /** The Lambda API of this mapping's Region (list/get/update). */
  async handle(command: string, input: Record<string, unknown>): Promise<object> {
    switch (command) {
      case "ListEventSourceMappings": {
        const match =
          (input.EventSourceArn === undefined || input.EventSourceArn === this.opts.queue.arn) &&
          (input.FunctionName === undefined ||
            [this.functionName, this.functionArn].includes(String(input.FunctionName)));
        return { EventSourceMappings: match ? [this.describe()] : [] };
      }
      case "GetEventSourceMapping":
        this.requireUuid(input.UUID);
        return this.describe();
      case "UpdateEventSourceMapping": {
        this.requireUuid(input.UUID);
        if (typeof input.Enabled === "boolean") this.setEnabled(input.Enabled);
        return this.describe();
      }
      default:
        throw awsError("InvalidParameterValueException", `the game day's Lambda does not answer ${command}`);
    }
  }

  private requireUuid(uuid: unknown): void {
    if (uuid !== this.uuid)
      throw awsError("ResourceNotFoundException", `no event source mapping ${String(uuid)}`, 404);
  }

  setEnabled(enabled: boolean): void {
    if (this.state === (enabled ? "Enabled" : "Disabled")) return;
    const next = enabled ? "Enabling" : "Disabling";
    this.state = next;
    setTimeout(() => {
      if (this.state === next) this.state = enabled ? "Enabled" : "Disabled";
    }, this.opts.transitionMs ?? 50);
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const busy = this.polling && this.opts.regionUp() ? await this.pollOnce() : false;
      if (!busy) await new Promise((r) => setTimeout(r, this.opts.pollIntervalMs));
    }
  }

  /** One receive and invocation; false when there was nothing to do. */
  async pollOnce(): Promise<boolean> {
    const { queue, region } = this.opts;
    if (this.opts.mayReceive && !(await this.opts.mayReceive())) return false;
    const batch = queue.receive(this.opts.wiring.batchSize);
    if (batch.length === 0) return false;
    const event: SQSEvent = {
      Records: batch.map((m) => ({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
          SenderId: ACCOUNT,
          ApproximateFirstReceiveTimestamp: String(m.sentAt),
        },
        messageAttributes: m.attributes
          ? lambdaAttributes(m.attributes)
          : intakeAttributes(m.body, m.acceptedAt),
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: queue.arn,
        awsRegion: region,
      })),
    };
    this.invocations += 1;
    const outcome = await this.opts.invoke(event);
    if ("error" in outcome) {
      this.opts.onBatch?.(region, batch.length, batch.length, outcome.error);
      return true; // the whole batch stays; visible again after the visibility timeout
    }
    // Without ReportBatchItemFailures Lambda ignores the response: a returned batch is a processed batch.
    const failed = new Set(
      this.opts.wiring.reportsBatchItemFailures
        ? outcome.result.batchItemFailures.map((f) => f.itemIdentifier)
        : [],
    );
    for (const m of batch) if (!failed.has(m.messageId)) queue.delete(m.receiptHandle);
    this.opts.onBatch?.(region, batch.length, failed.size);
    return true;
  }
}
