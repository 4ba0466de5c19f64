/**
 * Why an order did not show up in time, in words an operator can act on: was it never written in the
 * primary (then the queue and DLQ say where it is: still queued, being processed, or dead-lettered),
 * or written there but not yet replicated to the secondary.
 */
import type { AwsClients } from "../support/clients";
import type { StackOutputs } from "../support/outputs";
import type { Watch } from "../support/replication-window";
import { queueCounts, type QueueCounts } from "./queues";

type DiagnosisOutputs = Pick<
  StackOutputs,
  "primaryRegion" | "secondaryRegion" | "primaryQueueUrl" | "primaryDlqUrl" | "dynamoTableName"
>;

const show = (q: QueueCounts) => `${q.visible} waiting, ${q.inFlight} in flight, ${q.delayed} delayed`;

export async function explainMissingOrder(
  c: AwsClients,
  o: DiagnosisOutputs,
  orderId: string,
  watch: Watch,
  waitedMs: number,
): Promise<string> {
  const inPrimary = watch.ticks.some((t) => t.primary);
  if (inPrimary) {
    return `order ${orderId} reached ${o.dynamoTableName} in ${o.primaryRegion} but not the replica in ${o.secondaryRegion} within ${waitedMs} ms (${watch.ticks.length} polls): replication is slow or stalled; read the table's ReplicationLatency metric (ReceivingRegion=${o.secondaryRegion}) in ${o.primaryRegion}`;
  }
  const [queue, dlq] = await Promise.all([
    queueCounts(c, o.primaryRegion, o.primaryQueueUrl).then(show, (e: Error) => `unknown (${e.message})`),
    queueCounts(c, o.primaryRegion, o.primaryDlqUrl).then(show, (e: Error) => `unknown (${e.message})`),
  ]);
  return `order ${orderId} never reached ${o.dynamoTableName} in ${o.primaryRegion} within ${waitedMs} ms (${watch.ticks.length} polls): the order queue holds ${queue}; its DLQ holds ${dlq}`;
}
