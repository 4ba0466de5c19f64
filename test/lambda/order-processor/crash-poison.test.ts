/**
 * X1: crash-type poison (a message that crashes the processor or makes it time out) is parked on its
 * last receive instead of reaching the DLQ, which the convergence schedule redrives every tick. Driven
 * against the real stores (PostgreSQL, dynalite) with SQS's receive attributes as Lambda passes them.
 */
import { SendMessageBatchCommand, type SendMessageBatchCommandOutput } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { crashSuspectReason } from "../../../lambda/order-processor/crash-suspect";
import {
  LOCAL_DATABASE_URL_ENV,
  ORDER_PROCESSOR_ENV,
  parseOrderProcessorEnv,
} from "../../../lambda/order-processor/env";
import { createRejectParker } from "../../../lambda/order-processor/park";
import { MAX_RECEIVE_COUNT } from "../../../lambda/shared/order-queue-contract";
import { event, failedIds, ledgerRows, order, processor, quiet, record, useStores } from "./helpers";

const VISIBILITY = 1_800; // 6 x the 300 s function timeout (lib/orders/order-queue.ts)
const NOW = new Date(); // orders are stamped now: the processor bounds their clock skew
const QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/tap-rejects";

/** A record on receive `n`, first received `elapsedSeconds` before NOW. */
function received(body: unknown, n: number, elapsedSeconds: number): SQSRecord {
  const r = record(body);
  r.attributes.ApproximateReceiveCount = String(n);
  r.attributes.ApproximateFirstReceiveTimestamp = String(NOW.getTime() - elapsedSeconds * 1000);
  return r;
}

function parkingSqs(refuse = false) {
  const sent: SendMessageBatchCommand[] = [];
  return {
    sent,
    send: async (command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> => {
      sent.push(command);
      if (refuse) throw new Error("rejects queue unreachable");
      const entries = command.input.Entries ?? [];
      return {
        $metadata: {},
        Successful: entries.map((e) => ({ Id: e.Id, MessageId: "p", MD5OfMessageBody: "x" })),
        Failed: [],
      };
    },
  };
}

describe("X1: telling crash-type poison apart by how long its receives lasted", () => {
  const last = MAX_RECEIVE_COUNT;
  const crashedEveryTime = (last - 1) * VISIBILITY;

  it("X1: on its last receive, earlier receives that each lasted the whole visibility timeout mean a crash or timeout every time", () => {
    expect(crashSuspectReason(received(order(), last, crashedEveryTime), VISIBILITY, NOW)).toMatch(
      /^crash-type poison: none of its 4 earlier receives ended with an outcome/,
    );
  });

  it("X1: reported failures (the 30 s doubling backoff: 450 s over four receives) are not poison, nor is one that crashed only sometimes", () => {
    expect(crashSuspectReason(received(order(), last, 30 + 60 + 120 + 240), VISIBILITY, NOW)).toBeUndefined();
    expect(
      crashSuspectReason(received(order(), last, crashedEveryTime - 900), VISIBILITY, NOW),
    ).toBeUndefined();
  });

  it("X1: before its last receive nothing is decided; a visibility timeout no longer than the backoff cap cannot tell them apart", () => {
    expect(
      crashSuspectReason(received(order(), last - 1, 10 * crashedEveryTime), VISIBILITY, NOW),
    ).toBeUndefined();
    expect(crashSuspectReason(received(order(), last, 10 * crashedEveryTime), 900, NOW)).toBeUndefined();
  });

  it("X1: the processor reads the queue's visibility timeout from its environment, and refuses a bad one clearly", () => {
    const env = {
      AWS_REGION: "us-east-1",
      [ORDER_PROCESSOR_ENV.tableName]: "t",
      [LOCAL_DATABASE_URL_ENV]: "postgres://u@h/d",
    };
    const k = ORDER_PROCESSOR_ENV.queueVisibilitySeconds;
    expect(parseOrderProcessorEnv({ ...env, [k]: "1800" }).queueVisibilitySeconds).toBe(1800);
    expect(parseOrderProcessorEnv(env).queueVisibilitySeconds).toBeUndefined();
    expect(() => parseOrderProcessorEnv({ ...env, [k]: "30m" })).toThrow(
      'QUEUE_VISIBILITY_SECONDS must be a whole number of seconds from 0 to 43200, got "30m"',
    );
  });
});

const stores = useStores();

describe("X1: crash-type poison stays bounded and parked", () => {
  it("X1: it is parked with its reason before it is processed (never booked, never in the DLQ); its batch-mates are booked", async () => {
    const sqs = parkingSqs();
    const poison = order();
    const fine = order();
    const suspect = received(poison, MAX_RECEIVE_COUNT, (MAX_RECEIVE_COUNT - 1) * VISIBILITY);
    const { handler, metrics } = processor(stores.db, stores.dynamo.doc, stores.table, {
      now: () => NOW,
      queueVisibilitySeconds: VISIBILITY,
      parkRejected: createRejectParker(sqs, QUEUE, quiet),
    });
    const fresh = received(fine, 1, 0);
    fresh.attributes.SentTimestamp = String(NOW.getTime());
    expect(await failedIds(handler, event(suspect, fresh))).toEqual([]);
    expect(await ledgerRows(stores.db, [poison.orderId as string])).toEqual([]);
    expect(await ledgerRows(stores.db, [fine.orderId as string])).toHaveLength(1);
    const parked = sqs.sent.flatMap((c) => c.input.Entries ?? []);
    expect(parked.map((e) => [e.MessageBody, e.MessageAttributes?.rejectReason.StringValue])).toEqual([
      [suspect.body, expect.stringMatching(/^crash-type poison: none of its 4 earlier receives/)],
    ]);
    expect(metrics.OrdersRejected).toBe(1);
  });

  it("X1: if the rejects queue refuses it, it takes the old path (reported failed, to the DLQ), still unbooked", async () => {
    const poison = order();
    const suspect = received(poison, MAX_RECEIVE_COUNT, (MAX_RECEIVE_COUNT - 1) * VISIBILITY);
    const { handler } = processor(stores.db, stores.dynamo.doc, stores.table, {
      now: () => NOW,
      queueVisibilitySeconds: VISIBILITY,
      parkRejected: createRejectParker(parkingSqs(true), QUEUE, quiet),
    });
    expect(await failedIds(handler, event(suspect))).toEqual([suspect.messageId]);
    expect(await ledgerRows(stores.db, [poison.orderId as string])).toEqual([]);
  });
});
