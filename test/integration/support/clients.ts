/**
 * One SDK client per service and region for the live checks, built with the suite's timeouts and
 * destroyed together. Checks take this interface, so unit tests can hand them clients whose answers are
 * mocked per region (a check that asks the wrong region gets the wrong region's answer).
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient } from "@aws-sdk/client-rds";
import { Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SyntheticsClient } from "@aws-sdk/client-synthetics";
import { awsClientConfig, ROUTE53_REGION } from "./aws";

export interface AwsClients {
  rds(region: string): RDSClient;
  dynamodb(region: string): DynamoDBClient;
  /** Route 53's API is global and served from us-east-1. */
  route53(): Route53Client;
  synthetics(region: string): SyntheticsClient;
  lambda(region: string): LambdaClient;
  cloudwatch(region: string): CloudWatchClient;
  secretsManager(region: string): SecretsManagerClient;
  sqs(region: string): SQSClient;
  s3(region: string): S3Client;
}

type Config = ReturnType<typeof awsClientConfig>;

export class ClientPool implements AwsClients {
  private readonly clients = new Map<string, { destroy(): void }>();

  constructor(private readonly config: (region: string) => Config = awsClientConfig) {}

  private get<C extends { destroy(): void }>(kind: string, region: string, make: (cfg: Config) => C): C {
    const key = `${kind}:${region}`;
    if (!this.clients.has(key)) this.clients.set(key, make(this.config(region)));
    return this.clients.get(key) as C;
  }

  rds = (region: string) => this.get("rds", region, (c) => new RDSClient(c));
  dynamodb = (region: string) => this.get("ddb", region, (c) => new DynamoDBClient(c));
  route53 = () => this.get("r53", ROUTE53_REGION, (c) => new Route53Client(c));
  synthetics = (region: string) => this.get("syn", region, (c) => new SyntheticsClient(c));
  lambda = (region: string) => this.get("lambda", region, (c) => new LambdaClient(c));
  cloudwatch = (region: string) => this.get("cw", region, (c) => new CloudWatchClient(c));
  secretsManager = (region: string) => this.get("sm", region, (c) => new SecretsManagerClient(c));
  sqs = (region: string) => this.get("sqs", region, (c) => new SQSClient(c));
  s3 = (region: string) => this.get("s3", region, (c) => new S3Client(c));

  destroy(): void {
    this.clients.forEach((c) => c.destroy());
    this.clients.clear();
  }
}
