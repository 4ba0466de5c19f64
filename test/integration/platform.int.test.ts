/**
 * B4: the deployed platform's resources, checked live with the AWS SDK in each resource's own region.
 * Assertions compare small summaries with toEqual, so a failure's diff shows exactly which setting is off.
 */
import { CloudWatchClient, GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetHealthCheckCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetBucketReplicationCommand, S3Client } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCanaryCommand, SyntheticsClient } from "@aws-sdk/client-synthetics";
import { awsCall, awsClientConfig, isNotFound, ROUTE53_REGION } from "./support/aws";
import { checkHealth } from "./support/http";
import { regionOfArn } from "./support/outputs";
import { describeLive } from "./support/suite";

const CHECK_TIMEOUT_MS = 30_000;

describeLive("live platform", (outputs) => {
  const clients = new Map<string, { destroy(): void }>();
  function client<C extends { destroy(): void }>(kind: string, region: string, make: () => C): C {
    const key = `${kind}:${region}`;
    if (!clients.has(key)) clients.set(key, make());
    return clients.get(key) as C;
  }
  const rds = (r: string) => client("rds", r, () => new RDSClient(awsClientConfig(r)));
  const ddb = (r: string) => client("ddb", r, () => new DynamoDBClient(awsClientConfig(r)));
  const synthetics = (r: string) => client("syn", r, () => new SyntheticsClient(awsClientConfig(r)));
  const cloudwatch = (r: string) => client("cw", r, () => new CloudWatchClient(awsClientConfig(r)));
  afterAll(() => clients.forEach((c) => c.destroy()));

  const bothRegions = () => [outputs().primaryRegion, outputs().secondaryRegion];

  it(
    "Aurora global cluster: exactly the two regional clusters, both encrypted, on dbEngineVersion",
    async () => {
      const o = outputs();
      const home = regionOfArn(o.primaryClusterArn);
      const global = await awsCall(
        `RDS DescribeGlobalClusters ${o.globalClusterId} (${home})`,
        (abortSignal) =>
          rds(home).send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: o.globalClusterId }), {
            abortSignal,
          }),
      );
      const members = (global.GlobalClusters?.[0]?.GlobalClusterMembers ?? []).map((m) => m.DBClusterArn);
      expect(members.sort()).toEqual([o.primaryClusterArn, o.secondaryClusterArn].sort());

      const clusters = await Promise.all(
        [o.primaryClusterArn, o.secondaryClusterArn].map(async (arn) => {
          const region = regionOfArn(arn);
          const out = await awsCall(`RDS DescribeDBClusters ${arn}`, (abortSignal) =>
            rds(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: arn }), { abortSignal }),
          );
          const c = out.DBClusters?.[0];
          return { arn, storageEncrypted: c?.StorageEncrypted, engineVersion: c?.EngineVersion };
        }),
      );
      expect(clusters).toEqual(
        [o.primaryClusterArn, o.secondaryClusterArn].map((arn) => ({
          arn,
          storageEncrypted: true,
          engineVersion: o.dbEngineVersion,
        })),
      );
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "DynamoDB global table: every replica (including the secondary region) is ACTIVE",
    async () => {
      const o = outputs();
      const out = await awsCall(
        `DynamoDB DescribeTable ${o.dynamoTableName} (${o.primaryRegion})`,
        (abortSignal) =>
          ddb(o.primaryRegion).send(new DescribeTableCommand({ TableName: o.dynamoTableName }), {
            abortSignal,
          }),
      );
      const status = Object.fromEntries(
        (out.Table?.Replicas ?? []).map((r) => [r.RegionName, r.ReplicaStatus]),
      );
      const allActive = Object.fromEntries(Object.keys(status).map((r) => [r, "ACTIVE"]));
      expect(status).toEqual({ ...allActive, [o.secondaryRegion]: "ACTIVE" });
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "DynamoDB point-in-time recovery is ENABLED in both regions",
    async () => {
      const o = outputs();
      const pitr = await Promise.all(
        bothRegions().map(async (region) => {
          const out = await awsCall(
            `DynamoDB DescribeContinuousBackups ${o.dynamoTableName} (${region})`,
            (s) =>
              ddb(region).send(new DescribeContinuousBackupsCommand({ TableName: o.dynamoTableName }), {
                abortSignal: s,
              }),
          );
          const d = out.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
          return [region, d?.PointInTimeRecoveryStatus] as const;
        }),
      );
      expect(Object.fromEntries(pitr)).toEqual(Object.fromEntries(bothRegions().map((r) => [r, "ENABLED"])));
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "S3 replication to the secondary bucket uses Replication Time Control (Enabled, 15 minutes)",
    async () => {
      const o = outputs();
      const s3 = client("s3", o.primaryRegion, () => new S3Client(awsClientConfig(o.primaryRegion)));
      const out = await awsCall(`S3 GetBucketReplication ${o.primaryBucketName}`, (abortSignal) =>
        s3.send(new GetBucketReplicationCommand({ Bucket: o.primaryBucketName }), { abortSignal }),
      );
      const partition = o.dbSecretArn.split(":")[1];
      const target = `arn:${partition}:s3:::${o.secondaryBucketName}`;
      const rules = (out.ReplicationConfiguration?.Rules ?? [])
        .filter((r) => r.Status === "Enabled" && r.Destination?.Bucket === target)
        .map((r) => ({
          rule: r.ID,
          replicationTime: {
            status: r.Destination?.ReplicationTime?.Status,
            minutes: r.Destination?.ReplicationTime?.Time?.Minutes,
          },
        }));
      expect(rules.length).toBeGreaterThan(0);
      expect(rules).toEqual(
        rules.map((r) => ({ ...r, replicationTime: { status: "Enabled", minutes: 15 } })),
      );
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "Route 53 health check: HTTPS, port 443, every 30 s, failure threshold 3, probing primaryHealthUrl",
    async () => {
      const o = outputs();
      const r53 = client("r53", ROUTE53_REGION, () => new Route53Client(awsClientConfig(ROUTE53_REGION)));
      const out = await awsCall(`Route53 GetHealthCheck ${o.primaryHealthCheckId}`, (abortSignal) =>
        r53.send(new GetHealthCheckCommand({ HealthCheckId: o.primaryHealthCheckId }), { abortSignal }),
      );
      const cfg = out.HealthCheck?.HealthCheckConfig;
      const url = new URL(o.primaryHealthUrl);
      expect({
        type: cfg?.Type,
        port: cfg?.Port,
        requestInterval: cfg?.RequestInterval,
        failureThreshold: cfg?.FailureThreshold,
        host: cfg?.FullyQualifiedDomainName,
        path: cfg?.ResourcePath,
      }).toEqual({
        type: "HTTPS",
        port: 443,
        requestInterval: 30,
        failureThreshold: 3,
        host: url.hostname,
        path: `${url.pathname}${url.search}`,
      });
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "every canary in canaryNames exists in one of the two regions and is RUNNING",
    async () => {
      const o = outputs();
      const found = await Promise.all(
        o.canaryNames.map(async (name) => {
          const states = await Promise.all(
            bothRegions().map(async (region) => {
              try {
                const out = await awsCall(`Synthetics GetCanary ${name} (${region})`, (abortSignal) =>
                  synthetics(region).send(new GetCanaryCommand({ Name: name }), { abortSignal }),
                );
                return `${region}:${out.Canary?.Status?.State}`;
              } catch (err) {
                if (isNotFound(err)) return undefined;
                throw err;
              }
            }),
          );
          return [name, states.filter((s): s is string => s !== undefined)] as const;
        }),
      );
      const observed = Object.fromEntries(found);
      const expected = Object.fromEntries(
        found.map(([name, states]) => [
          name,
          states.length > 0
            ? states.map((s) => `${s.split(":")[0]}:RUNNING`)
            : ["<found in one region>:RUNNING"],
        ]),
      );
      expect(observed).toEqual(expected);
    },
    CHECK_TIMEOUT_MS,
  );

  it.each([
    ["primary", "primaryHealthUrl"],
    ["secondary", "secondaryHealthUrl"],
  ] as const)(
    "GET /health returns 200 in the %s region",
    async (_role, key) => {
      const result = await checkHealth(outputs()[key], 10_000);
      expect(result.status).toBe(200);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "failover Lambda exists and is Active",
    async () => {
      const o = outputs();
      const region = regionOfArn(o.failoverFunctionArn);
      const lambda = client("lambda", region, () => new LambdaClient(awsClientConfig(region)));
      const out = await awsCall(`Lambda GetFunctionConfiguration ${o.failoverFunctionArn}`, (abortSignal) =>
        lambda.send(new GetFunctionConfigurationCommand({ FunctionName: o.failoverFunctionArn }), {
          abortSignal,
        }),
      );
      expect(out.State).toBe("Active");
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "order queues exist in both regions and the dashboard exists in one of them",
    async () => {
      const o = outputs();
      const queues = await Promise.all(
        [
          [o.primaryRegion, o.primaryQueueUrl],
          [o.secondaryRegion, o.secondaryQueueUrl],
        ].map(async ([region, queueUrl]) => {
          const sqs = client("sqs", region, () => new SQSClient(awsClientConfig(region)));
          const out = await awsCall(`SQS GetQueueAttributes ${queueUrl}`, (abortSignal) =>
            sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }), {
              abortSignal,
            }),
          );
          return out.Attributes?.QueueArn?.split(":")[3];
        }),
      );
      expect(queues).toEqual(bothRegions());

      const dashboards = await Promise.all(
        bothRegions().map(async (region) => {
          try {
            await awsCall(`CloudWatch GetDashboard ${o.dashboardName} (${region})`, (abortSignal) =>
              cloudwatch(region).send(new GetDashboardCommand({ DashboardName: o.dashboardName }), {
                abortSignal,
              }),
            );
            return region;
          } catch (err) {
            if (isNotFound(err)) return undefined;
            throw err;
          }
        }),
      );
      expect(dashboards.filter((r) => r !== undefined).length).toBeGreaterThan(0);
    },
    CHECK_TIMEOUT_MS,
  );
});
