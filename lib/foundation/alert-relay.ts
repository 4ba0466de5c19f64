import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ALERT_RELAY_ENV } from "../../lambda/alert-relay/env";
import { toEnvironment } from "../../lambda/shared/env";
import { NodeFunction } from "../compute/node-function";
import { Region } from "../config";
import { AlarmInfo } from "../monitoring/alarm";

export interface AlertRelayArgs {
  /** Topics whose messages must also reach `targetTopicArn`, each with the provider of its region. */
  readonly sources: { readonly topicArn: pulumi.Input<string>; readonly provider: aws.Provider }[];
  /** The topic in the region that must keep hearing alerts (the secondary). */
  readonly targetTopicArn: pulumi.Input<string>;
  /** Provider of the target topic's region, where the relay function runs. */
  readonly provider: aws.Provider;
  /** The target topic's region (the provider's): the function's error alarm lives there. */
  readonly region: Region;
  /** Key of the target region: encrypts the target topic and the function's logs. */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
}

/**
 * Cross-region alert delivery (R23). SNS cannot subscribe a topic to a topic, but it does deliver
 * across regions to Lambda functions, so a small function in the target region subscribes to each
 * source topic and republishes there. https://docs.aws.amazon.com/sns/latest/dg/sns-cross-region-delivery.html
 */
export class AlertRelay extends pulumi.ComponentResource {
  public readonly functionArn: pulumi.Output<string>;
  /** The function's error alarm, as data. */
  public readonly alarms: AlarmInfo[];

  constructor(name: string, args: AlertRelayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:foundation:AlertRelay", name, {}, opts);
    if (args.sources.length === 0) throw new Error("AlertRelay: needs at least one source topic");

    const fn = new NodeFunction(
      `${name}-fn`,
      {
        codeName: "alert-relay",
        description: "Republishes alerts from other regions' topics to this region's topic",
        provider: args.provider,
        region: args.region,
        timeout: 30,
        memorySize: 128,
        environment: toEnvironment(ALERT_RELAY_ENV, { targetTopicArn: args.targetTopicArn }),
        statements: [
          { Sid: "PublishToTarget", Effect: "Allow", Action: "sns:Publish", Resource: args.targetTopicArn },
          // Publishing to a KMS-encrypted topic needs the publisher to use the topic's key.
          // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
          {
            Sid: "EncryptForTarget",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: args.kmsKeyArn,
          },
        ],
        logKeyArn: args.kmsKeyArn,
        logRetentionDays: args.logRetentionDays,
        errorAlarmTopicArn: args.targetTopicArn,
      },
      { parent: this },
    );

    args.sources.forEach((source, i) => {
      const permission = new aws.lambda.Permission(
        `${name}-invoke-${i}`,
        {
          action: "lambda:InvokeFunction",
          function: fn.functionName,
          principal: "sns.amazonaws.com",
          sourceArn: source.topicArn,
        },
        { parent: this, provider: args.provider },
      );
      // The subscription is created in the topic's region, as SNS requires for cross-region endpoints.
      new aws.sns.TopicSubscription(
        `${name}-sub-${i}`,
        { topic: source.topicArn, protocol: "lambda", endpoint: fn.arn },
        { parent: this, provider: source.provider, dependsOn: [permission] },
      );
    });

    this.functionArn = fn.arn;
    this.alarms = fn.alarms;
    this.registerOutputs({ functionArn: this.functionArn });
  }
}
