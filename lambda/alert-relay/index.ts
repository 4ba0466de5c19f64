/**
 * Relays SNS notifications from another region's alert topic to this region's topic (R23), so that
 * subscribers in the surviving region hear everything the primary publishes.
 */
import { MessageAttributeValue, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { SNSEvent } from "aws-lambda";
import { ALERT_RELAY_ENV, parseAlertRelayEnv } from "./env";

const SUBJECT_MAX = 100; // SNS rejects longer subjects

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
    Subject: Sns.Subject ? Sns.Subject.slice(0, SUBJECT_MAX) : undefined,
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
