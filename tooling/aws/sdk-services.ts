/**
 * Which AWS service (the `<service>` of an endpoint's `com.amazonaws.<region>.<service>`) each SDK v3
 * client package calls, and which SDK clients a Lambda bundle holds. Test-time and game-day tooling:
 * what a function can reach from a VPC is decided by these names.
 * https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html
 */
import { readFileSync } from "node:fs";

export const SDK_CLIENT_SERVICE: Readonly<Record<string, string>> = {
  "client-cloudwatch": "monitoring",
  "client-dynamodb": "dynamodb",
  "client-kms": "kms",
  "client-lambda": "lambda",
  "client-rds": "rds",
  "client-s3": "s3",
  "client-secrets-manager": "secretsmanager",
  "client-sns": "sns",
  "client-sqs": "sqs",
  "client-sts": "sts",
};

/**
 * The service-specific endpoint variable each SDK v3 client reads (AWS_ENDPOINT_URL_<id>), by service.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export const SERVICE_ENDPOINT_ENV: Readonly<Record<string, string>> = {
  dynamodb: "AWS_ENDPOINT_URL_DYNAMODB",
  kms: "AWS_ENDPOINT_URL_KMS",
  lambda: "AWS_ENDPOINT_URL_LAMBDA",
  monitoring: "AWS_ENDPOINT_URL_CLOUDWATCH",
  rds: "AWS_ENDPOINT_URL_RDS",
  s3: "AWS_ENDPOINT_URL_S3",
  secretsmanager: "AWS_ENDPOINT_URL_SECRETS_MANAGER",
  sns: "AWS_ENDPOINT_URL_SNS",
  sqs: "AWS_ENDPOINT_URL_SQS",
  sts: "AWS_ENDPOINT_URL_STS",
};

/** The service names of the SDK clients esbuild put in the bundle at `bundleDir` (from its stamp). */
export function bundleServices(bundleDir: string): string[] {
  const stamp = JSON.parse(readFileSync(`${bundleDir}.stamp.json`, "utf8")) as {
    inputs: Record<string, unknown>;
  };
  const clients = new Set<string>();
  for (const input of Object.keys(stamp.inputs)) {
    const m = /^node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input);
    if (m) clients.add(m[1]);
  }
  return [...clients].sort().map((client) => {
    const service = SDK_CLIENT_SERVICE[client];
    if (!service) throw new Error(`@aws-sdk/${client}: add its service name to SDK_CLIENT_SERVICE`);
    return service;
  });
}
