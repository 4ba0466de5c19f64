/**
 * Amazon SQS standard queues, as far as the order path depends on them:
 * - a received message stays in the queue, invisible for the visibility timeout, then is received again
 *   unless it was deleted; each receive increments ApproximateReceiveCount
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 * - with a redrive policy, a message received more than maxReceiveCount times is moved to the dead-letter
 *   queue instead of being delivered again
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 * - StartMessageMoveTask moves a DLQ's messages back to their source queue (or DestinationArn) as new
 *   messages; one active task per queue; ListMessageMoveTasks reports it
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 * - SendMessageBatch (the forwarder's call) reports each entry on its own; DelaySeconds (0-900) per entry
 *   keeps the new message invisible that long
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatchRequestEntry.html
 * - retention: a message expires retentionMs after its original enqueue time. A move to the DLQ keeps
 *   that time, so a message that waited in its source queue has that much less left in the DLQ; a
 *   redrive (message move task) makes a new message with a new enqueue time.
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
 * Not modelled: FIFO, long-poll wait time.
 * Time is real time: the processor under test is real and its timeouts are too.
 */
import { createHash, randomUUID } from "node:crypto";
import { ACCEPTED_AT_ATTRIBUTE } from "../lambda/order-authorizer/contract";
import { awsError } from "./fake-client";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

export const ACCOUNT = "123456789012";

export interface SqsMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  /** The original enqueue time, which retention counts from: kept by a move to the DLQ (standard queues). */
  readonly enqueuedAt: number;
  /** When the API accepted the order (its acceptedAt message attribute): kept by DLQ moves and redrives. */
  readonly acceptedAt: number;
  /**
   * Message attributes of a message sent through the SQS API (a forwarded order), kept by DLQ moves.
   * Absent for orders sent by the game day's API, whose attributes the mapping derives (intake.ts).
   */
  readonly attributes?: Readonly<Record<string, MessageAttribute>>;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
}

export interface Received {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly sentAt: number;
  readonly acceptedAt: number;
  readonly attributes?: Readonly<Record<string, MessageAttribute>>;
}

export interface MessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
}

/** Per message: a body of 1 byte to 256 KiB, at most 10 attributes.
 *  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html */
const MAX_ATTRIBUTES = 10;
const MAX_BODY_BYTES = 262_144;

export class Queue {
  private readonly messages = new Map<string, SqsMessage>();
  private readonly byHandle = new Map<string, string>();
  /** Where each message moved into this queue (as a DLQ) came from. */
  readonly sourceOf = new Map<string, Queue>();

  constructor(
    readonly name: string,
    readonly region: string,
    readonly visibilityTimeoutMs: number,
    readonly redrive?: { readonly dlq: Queue; readonly maxReceiveCount: number },
    /**
     * Game-day ms per production ms for ChangeMessageVisibility: the function under test asks for
     * production times (seconds of backoff), which the world scales like its other times.
     */
    readonly timeScale = 1,
    /** MessageRetentionPeriod in game-day ms; unbounded unless a test sets it. */
    readonly retentionMs = Number.POSITIVE_INFINITY,
  ) {}

  get arn(): string {
    return `arn:aws:sqs:${this.region}:${ACCOUNT}:${this.name}`;
  }

  get size(): number {
    this.expire(Date.now());
    return this.messages.size;
  }

  /** Deletes every message whose retention, counted from its original enqueue time, has run out. */
  private expire(now: number): void {
    for (const m of [...this.messages.values()]) {
      if (now >= m.enqueuedAt + this.retentionMs) this.remove(m);
    }
  }

  send(
    body: string,
    now = Date.now(),
    acceptedAt = now,
    attributes?: Readonly<Record<string, MessageAttribute>>,
    enqueuedAt = now,
    /** DelaySeconds, in ms of this world (scaled like visibility changes by the caller). */
    delayMs = 0,
  ): string {
    const messageId = randomUUID();
    this.messages.set(messageId, {
      messageId,
      body,
      sentAt: now,
      enqueuedAt,
      acceptedAt,
      attributes,
      receiveCount: 0,
      visibleAt: now + delayMs,
    });
    return messageId;
  }

  /** Up to `max` visible messages; over-received ones go to the DLQ on the way (SQS's redrive). */
  receive(max: number, now = Date.now()): Received[] {
    const out: Received[] = [];
    this.expire(now);
    for (const m of this.messages.values()) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (this.redrive && m.receiveCount >= this.redrive.maxReceiveCount) {
        this.remove(m);
        this.redrive.dlq.adopt(m, this, now);
        continue;
      }
      m.receiveCount += 1;
      m.visibleAt = now + this.visibilityTimeoutMs;
      if (m.receiptHandle) this.byHandle.delete(m.receiptHandle);
      m.receiptHandle = randomUUID();
      this.byHandle.set(m.receiptHandle, m.messageId);
      out.push({ ...m, receiptHandle: m.receiptHandle });
    }
    return out;
  }

  private adopt(m: SqsMessage, source: Queue, now: number): void {
    const id = this.send(m.body, now, m.acceptedAt, m.attributes, m.enqueuedAt);
    this.sourceOf.set(id, source);
  }

  private remove(m: SqsMessage): void {
    this.messages.delete(m.messageId);
    if (m.receiptHandle) this.byHandle.delete(m.receiptHandle);
  }

  delete(receiptHandle: string): void {
    const id = this.byHandle.get(receiptHandle);
    const m = id === undefined ? undefined : this.messages.get(id);
    if (m) this.remove(m);
  }

  changeVisibility(receiptHandle: string, seconds: number, now = Date.now()): boolean {
    const id = this.byHandle.get(receiptHandle);
    const m = id === undefined ? undefined : this.messages.get(id);
    if (!m) return false;
    m.visibleAt = now + seconds * 1000 * this.timeScale;
    return true;
  }

  /** Every message held, visible or not, with its attributes (read for counting, not a receive). */
  peek(): readonly SqsMessage[] {
    return [...this.messages.values()];
  }

  bodies(): string[] {
    this.expire(Date.now());
    return [...this.messages.values()].map((m) => m.body);
  }

  /** Moves every message to its source queue (or `destination`) as a new message; returns how many. */
  moveAll(destination?: Queue, now = Date.now()): number {
    this.expire(now);
    let moved = 0;
    for (const m of [...this.messages.values()]) {
      const to = destination ?? this.sourceOf.get(m.messageId);
      if (!to) continue;
      this.remove(m);
      this.sourceOf.delete(m.messageId);
      to.send(m.body, now, m.acceptedAt, m.attributes);
      moved += 1;
    }
    return moved;
  }
}

interface MoveTask {
  readonly TaskHandle: string;
  readonly SourceArn: string;
  readonly DestinationArn?: string;
  Status: "RUNNING" | "COMPLETED" | "FAILED";
  ApproximateNumberOfMessagesMoved: number;
  readonly StartedTimestamp: number;
}

/** One Region's SQS API over its queues: message move tasks and visibility changes. */
export class SqsService {
  private readonly tasks: MoveTask[] = [];

  constructor(
    readonly region: string,
    private readonly queues: readonly Queue[],
  ) {}

  queueByArn(arn: unknown): Queue {
    const q = this.queues.find((x) => x.arn === arn);
    if (!q) throw awsError("QueueDoesNotExist", `no queue ${String(arn)} in ${this.region}`);
    return q;
  }

  queueByUrl(url: unknown): Queue {
    const name = String(url).split("/").pop();
    const q = this.queues.find((x) => x.name === name);
    if (!q) throw awsError("QueueDoesNotExist", `no queue ${String(url)} in ${this.region}`);
    return q;
  }

  async handle(command: string, input: Record<string, unknown>): Promise<object> {
    switch (command) {
      case "StartMessageMoveTask":
        return this.startMove(input);
      case "ListMessageMoveTasks": {
        const source = this.queueByArn(input.SourceArn);
        return { Results: this.tasks.filter((t) => t.SourceArn === source.arn).slice(-10) };
      }
      case "SendMessageBatch":
        return this.sendBatch(input);
      case "GetQueueAttributes": {
        const q = this.queueByUrl(input.QueueUrl);
        return { Attributes: { ApproximateNumberOfMessages: String(q.size), QueueArn: q.arn } };
      }
      case "ChangeMessageVisibilityBatch": {
        const q = this.queueByUrl(input.QueueUrl);
        const entries = (input.Entries ?? []) as {
          Id: string;
          ReceiptHandle: string;
          VisibilityTimeout: number;
        }[];
        const ok = entries.filter((e) => q.changeVisibility(e.ReceiptHandle, e.VisibilityTimeout));
        const failed = entries.filter((e) => !ok.includes(e));
        return {
          Successful: ok.map((e) => ({ Id: e.Id })),
          Failed: failed.map((e) => ({ Id: e.Id, Code: "ReceiptHandleIsInvalid", SenderFault: true })),
        };
      }
      default:
        throw awsError("InvalidAction", `the game day's SQS does not answer ${command}`);
    }
  }

  /**
   * SendMessageBatch: up to 10 entries, each succeeding or failing on its own (a too-large body or too
   * many attributes fails that entry only); the HTTP status is 200 either way.
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
   */
  private sendBatch(input: Record<string, unknown>): object {
    const q = this.queueByUrl(input.QueueUrl);
    const entries = (input.Entries ?? []) as {
      Id: string;
      MessageBody: string;
      MessageAttributes?: Record<string, MessageAttribute>;
      DelaySeconds?: number;
    }[];
    if (entries.length === 0) throw awsError("EmptyBatchRequest", "no entries");
    if (entries.length > 10) throw awsError("TooManyEntriesInBatchRequest", `${entries.length} entries`);
    const Successful: object[] = [];
    const Failed: object[] = [];
    for (const e of entries) {
      const attrs = e.MessageAttributes ?? {};
      if (
        Buffer.byteLength(e.MessageBody ?? "") > MAX_BODY_BYTES ||
        Object.keys(attrs).length > MAX_ATTRIBUTES
      ) {
        Failed.push({ Id: e.Id, Code: "InvalidParameterValue", SenderFault: true, Message: "too large" });
        continue;
      }
      const accepted = Number(attrs[ACCEPTED_AT_ATTRIBUTE]?.StringValue);
      const now = Date.now();
      const delay = e.DelaySeconds ?? 0;
      if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
        Failed.push({ Id: e.Id, Code: "InvalidParameterValue", SenderFault: true, Message: "DelaySeconds" });
        continue;
      }
      const id = q.send(
        e.MessageBody,
        now,
        Number.isFinite(accepted) && accepted > 0 ? accepted : now,
        attrs,
        now,
        delay * 1000 * q.timeScale,
      );
      Successful.push({ Id: e.Id, MessageId: id, MD5OfMessageBody: md5(e.MessageBody) });
    }
    return { Successful, Failed };
  }

  private startMove(input: Record<string, unknown>): object {
    const source = this.queueByArn(input.SourceArn);
    const destination = input.DestinationArn ? this.queueByArn(input.DestinationArn) : undefined;
    if (this.tasks.some((t) => t.SourceArn === source.arn && t.Status === "RUNNING")) {
      throw awsError("UnsupportedOperation", "only one active message movement task per queue");
    }
    if (![...this.queues].some((q) => q.redrive?.dlq === source)) {
      throw awsError("InvalidParameterValue", `${source.arn} is not a dead-letter queue`);
    }
    const task: MoveTask = {
      TaskHandle: randomUUID(),
      SourceArn: source.arn,
      DestinationArn: destination?.arn,
      Status: "RUNNING",
      ApproximateNumberOfMessagesMoved: 0,
      StartedTimestamp: Date.now(),
    };
    this.tasks.push(task);
    // Asynchronous in AWS; here it finishes on the next turn of the event loop.
    setImmediate(() => {
      task.ApproximateNumberOfMessagesMoved = source.moveAll(destination);
      task.Status = "COMPLETED";
    });
    return { TaskHandle: task.TaskHandle };
  }
}
