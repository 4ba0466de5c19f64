import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyJson } from "../policy-documents";

export interface AlertTopicArgs {
  /** Provider for the topic's region. */
  readonly provider: aws.Provider;
  /** Customer-managed KMS key of that region. */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
  /** Operator address to subscribe. Default: none. */
  readonly alertEmail?: string;
}

/** An encrypted SNS topic for alarms and failover notifications in one region (R1). */
export class AlertTopic extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:foundation:AlertTopic", name, {}, opts);
    const child = { parent: this, provider: args.provider };

    const topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: args.kmsKeyArn }, child);
    new aws.sns.TopicPolicy(
      `${name}-policy`,
      {
        arn: topic.arn,
        policy: policyJson([
          {
            Sid: "AccountPublishesAndSubscribes",
            Effect: "Allow",
            Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
            Action: [
              "sns:Publish",
              "sns:Subscribe",
              "sns:GetTopicAttributes",
              "sns:ListSubscriptionsByTopic",
            ],
            Resource: topic.arn,
          },
          {
            Sid: "CloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic.arn,
            Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
          },
          denyInsecureTransport("sns:Publish", topic.arn),
        ]),
      },
      child,
    );
    if (args.alertEmail) {
      new aws.sns.TopicSubscription(
        `${name}-email`,
        { topic: topic.arn, protocol: "email", endpoint: args.alertEmail },
        child,
      );
    }

    this.arn = topic.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
