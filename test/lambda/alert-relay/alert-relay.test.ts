import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { SNSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { makeHandler, snsSubject } from "../../../lambda/alert-relay";

const TARGET = "arn:aws:sns:us-west-2:123456789012:tap-dev-secondary-alerts-topic";
const SOURCE = "arn:aws:sns:us-east-1:123456789012:tap-dev-primary-alerts-topic";

const event = (topicArn: string, subject?: string): SNSEvent => ({
  Records: [
    {
      EventSource: "aws:sns",
      EventVersion: "1.0",
      EventSubscriptionArn: `${topicArn}:sub`,
      Sns: {
        Type: "Notification",
        MessageId: "m-1",
        TopicArn: topicArn,
        Subject: subject,
        Message: '{"AlarmName":"x","NewStateValue":"ALARM"}',
        Timestamp: "2026-11-28T00:00:00Z",
        SignatureVersion: "1",
        Signature: "",
        SigningCertUrl: "",
        UnsubscribeUrl: "",
        MessageAttributes: { severity: { Type: "String", Value: "critical" } },
      },
    },
  ],
});

describe("alert relay Lambda", () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());

  it("R23: republishes a primary-region alert to the secondary topic with its subject, body and attributes", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "out-1" });
    const result = await makeHandler(new SNSClient({}), TARGET)(event(SOURCE, "ALARM: primary health"));
    expect(result).toEqual({ relayed: 1 });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      TopicArn: TARGET,
      Subject: "ALARM: primary health",
      Message: '{"AlarmName":"x","NewStateValue":"ALARM"}',
      MessageAttributes: {
        severity: { DataType: "String", StringValue: "critical" },
        relayedFrom: { DataType: "String", StringValue: SOURCE },
      },
    });
  });

  it("S2: a subject longer than SNS allows is cut to 99 characters (SNS wants fewer than 100)", async () => {
    sns.on(PublishCommand).resolves({});
    await makeHandler(new SNSClient({}), TARGET)(event(SOURCE, "x".repeat(150)));
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Subject).toHaveLength(99);
  });

  it("S2: line breaks and non-ASCII characters, which SNS rejects in a subject, are replaced", () => {
    expect(snsSubject('ALARM:\r\n"primary" — health')).toBe('ALARM: "primary" ? health');
    expect(snsSubject("\n")).toBeUndefined();
    expect(snsSubject(undefined)).toBeUndefined();
  });

  it("R23: a failed publish throws so that SNS retries the delivery instead of dropping the alert", async () => {
    sns.on(PublishCommand).rejects(new Error("Throttling"));
    await expect(makeHandler(new SNSClient({}), TARGET)(event(SOURCE))).rejects.toThrow("Throttling");
  });

  it("R23: a message from the target topic itself is not looped back", async () => {
    const result = await makeHandler(new SNSClient({}), TARGET)(event(TARGET));
    expect(result).toEqual({ relayed: 0 });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it("R23: a missing TARGET_TOPIC_ARN is a clear error", async () => {
    await expect(makeHandler(new SNSClient({}), undefined)(event(SOURCE))).rejects.toThrow(
      "TARGET_TOPIC_ARN is not set",
    );
  });
});
