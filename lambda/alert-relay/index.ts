/**
 * Relays SNS notifications from another region's alert topic to this region's topic (R23), so that
 * subscribers in the surviving region hear everything the primary publishes.
 */
import { MessageAttributeValue, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { SNSEvent } from "aws-lambda";
import { ALERT_RELAY_ENV, parseAlertRelayEnv } from "./env";

/**
 * SNS subjects must be ASCII, free of line breaks and control characters, and fewer than 100 characters.
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject)
 */
export const SUBJECT_MAX = 99;

/** The subject as SNS accepts it: non-ASCII and control characters replaced, cut below 100 characters. */
export function snsSubject(subject: string | undefined): string | undefined {
  if (!subject) return undefined;
  const clean = subject
    .replace(/[\r\n\t]+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .trim();
  return clean ? clean.slice(0, SUBJECT_MAX) : undefined;
}

export function relayRequest(record: SNSEvent["Records"][number], targetTopicArn: string) {
  const { Sns } = record;
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [key, attr] of Object.entries(Sns.MessageAttributes ?? {})) {
    if (attr.Type === "String" || attr.Type === "Number")
      attributes[key] = { DataType: attr.Type, StringValue: attr.Value };
  }
  attributes.relayedFrom = { DataType: "String", StringValue: Sns.TopicArn };
  return new PublishCommand({
    TopicArn: targetTopicArn,
    Subject: snsSubject(Sns.Subject),
    Message: Sns.Message,
    MessageAttributes: attributes,
  });
}

export function makeHandler(client: SNSClient, targetTopicArn: string | undefined) {
  return async (event: SNSEvent): Promise<{ relayed: number }> => {
    if (!targetTopicArn) throw new Error(`${ALERT_RELAY_ENV.targetTopicArn} is not set`);
    // Throwing on any failure makes SNS retry the whole delivery; a duplicate alert beats a lost one.
    for (const record of event.Records) {
      if (record.Sns.TopicArn === targetTopicArn) continue; // never loop a message back into its own topic
      await client.send(relayRequest(record, targetTopicArn));
    }
    return { relayed: event.Records.filter((r) => r.Sns.TopicArn !== targetTopicArn).length };
  };
}

export const handler = makeHandler(new SNSClient({}), parseAlertRelayEnv(process.env).targetTopicArn);
