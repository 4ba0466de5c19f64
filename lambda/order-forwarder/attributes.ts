/**
 * What the forwarder adds to an order it sends on, and how an SQS event's attributes become
 * SendMessage attributes. The order keeps exactly what the API set (INTAKE_ATTRIBUTES: entitlement,
 * principal, acceptedAt), so the processor in the writer's Region checks it as if the order had arrived
 * there, plus the forwarder's own hop markers; nothing else crosses the hop (S4).
 */
import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { ACCEPTED_AT_ATTRIBUTE, INTAKE_ATTRIBUTES } from "../order-authorizer/contract";

/** Region that forwarded the order last (for logs and for an operator reading a DLQ). */
export const FORWARDED_FROM_ATTRIBUTE = "forwardedFrom";
/** How many times the order was forwarded. */
export const FORWARD_HOPS_ATTRIBUTE = "forwardHops";
/**
 * An order is forwarded at most this often. Two hops happen legitimately (standby -> writer, then the
 * roles swap while it waits and it goes back); more means both Regions think the other is the writer,
 * a transient state while the orchestrator flips the mappings. Such an order is not sent again: it
 * returns to its queue and is retried after the visibility timeout, by then under settled mappings.
 */
export const MAX_FORWARD_HOPS = 3;

/** SQS allows 10 message attributes per message; the API sets 3 and the forwarder 2, so 5 cross a hop.
 *  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html */
export const MAX_MESSAGE_ATTRIBUTES = 10;

export function hopsOf(record: SQSRecord): number {
  const raw = record.messageAttributes?.[FORWARD_HOPS_ATTRIBUTE]?.stringValue;
  const n = raw === undefined ? 0 : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/**
 * The attributes to send `record` on with: the intake's attributes as they are when they hold a string
 * or number (the API sets nothing else), acceptedAt from SentTimestamp when the message predates that
 * attribute, and the forwarding pair, recomputed here. Any other attribute is dropped.
 */
export function forwardedAttributes(
  record: SQSRecord,
  fromRegion: string,
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const name of INTAKE_ATTRIBUTES) {
    const a = record.messageAttributes?.[name];
    if (a?.stringValue === undefined || !/^(String|Number)/.test(a.dataType)) continue;
    out[name] = { DataType: a.dataType, StringValue: a.stringValue };
  }
  if (!out[ACCEPTED_AT_ATTRIBUTE] && record.attributes?.SentTimestamp) {
    out[ACCEPTED_AT_ATTRIBUTE] = { DataType: "Number", StringValue: record.attributes.SentTimestamp };
  }
  out[FORWARDED_FROM_ATTRIBUTE] = { DataType: "String", StringValue: fromRegion };
  out[FORWARD_HOPS_ATTRIBUTE] = { DataType: "Number", StringValue: String(hopsOf(record) + 1) };
  return out;
}
