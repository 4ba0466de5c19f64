/**
 * B4: the deployed platform's resources, checked live with the AWS SDK in each resource's own region.
 * The health checks live in ./checks (functions taking clients, so unit tests feed them bad AWS answers
 * and prove each one fails: test/integration-unit/checks.test.ts). Each throws naming every problem.
 */
import { GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeContinuousBackupsCommand } from "@aws-sdk/client-dynamodb";
import { GetBucketReplicationCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { checkAlarms } from "./checks/alarms";
import { checkAuroraClusters, checkAuroraGlobalCluster } from "./checks/aurora";
import { checkProcessingFollowsWriter } from "./checks/processing";
import { checkCanaries } from "./checks/canaries";
import { checkOrdersTable, checkSecretReplica } from "./checks/data-stores";
import { checkFailoverFunction, INVOKE_DRY_RUN_ENV, invokeFailoverDryRun } from "./checks/failover-function";
import { checkOrderProcessors } from "./checks/processors";
import { checkDlqsEmpty, checkRejectsQueues } from "./checks/queues";
import { checkPrimaryHealthCheck, checkSecondaryHealthCheck } from "./checks/route53";
import { checkS3ObjectReplicates } from "./checks/s3-replication";
import { awsCall, isNotFound } from "./support/aws";
import { ClientPool } from "./support/clients";
import { checkHealth } from "./support/http";
import { regionOfArn } from "./support/outputs";
import { describeLive } from "./support/suite";

const CHECK_TIMEOUT_MS = 30_000;

describeLive("live platform", (outputs) => {
  const aws = new ClientPool();
  afterAll(() => aws.destroy());

  const bothRegions = () => [outputs().primaryRegion, outputs().secondaryRegion];

  it(
    "Aurora global cluster: available, no FailoverState, exactly one writer, every secondary connected",
    async () => {
      const report = await checkAuroraGlobalCluster(aws, outputs());
      console.info(`B4 Aurora writer: ${report.writer}`);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "F1/F2: processing follows the writer: its Region's processor mapping on, every other Region forwards",
    async () => {
      const { writer } = await checkAuroraGlobalCluster(aws, outputs());
      const states = await checkProcessingFollowsWriter(aws, outputs(), regionOfArn(writer));
      console.info(`F1 mappings: ${JSON.stringify(states)}`);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "Aurora regional clusters: available, encrypted, on dbEngineVersion, each with available DB instances (each asked in its own region)",
    () => checkAuroraClusters(aws, outputs()),
    CHECK_TIMEOUT_MS,
  );

  it(
    "DynamoDB global table: TableStatus ACTIVE and every replica (including the secondary) ACTIVE",
    () => checkOrdersTable(aws, outputs()),
    CHECK_TIMEOUT_MS,
  );

  it(
    "Secrets Manager: the DB secret's replica in the secondary region is InSync",
    () => checkSecretReplica(aws, outputs()),
    CHECK_TIMEOUT_MS,
  );

  it(
    "CloudWatch: the composite alarm and both failover-trigger alarms exist, are OK and have SNS actions enabled, in their own regions",
    () => checkAlarms(aws, outputs()),
    CHECK_TIMEOUT_MS,
  );

  it("SQS: both dead-letter queues are empty", () => checkDlqsEmpty(aws, outputs()), CHECK_TIMEOUT_MS);

  it(
    "SQS: both rejects queues exist in their region, encrypted, keep messages 14 days, and hold no refused order",
    () => checkRejectsQueues(aws, outputs()),
    CHECK_TIMEOUT_MS,
  );

  it(
    "Lambda: both order processors Active, last update Successful, parking in their region's rejects queue, not throttled to 0",
    () => checkOrderProcessors(aws, outputs()),
    CHECK_TIMEOUT_MS,
  );

  it("S3: an object written to the primary bucket arrives in the replica bucket (and is deleted again)", async () => {
    const trip = await checkS3ObjectReplicates(aws, outputs());
    console.info(`B4 S3 replication: ${trip.key} seen in the replica after ${trip.seenAfterMs} ms`);
  }, 330_000);

  it(
    "DynamoDB point-in-time recovery is ENABLED in both regions",
    async () => {
      const o = outputs();
      const pitr = await Promise.all(
        bothRegions().map(async (region) => {
          const out = await awsCall(
            `DynamoDB DescribeContinuousBackups ${o.dynamoTableName} (${region})`,
            (s) =>
              aws
                .dynamodb(region)
                .send(new DescribeContinuousBackupsCommand({ TableName: o.dynamoTableName }), {
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
      const s3 = aws.s3(o.primaryRegion);
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
    "Route 53 health check: enabled, not inverted, SNI on, the configured interval and threshold, most checkers see success",
    async () => {
      const r = await checkPrimaryHealthCheck(aws, outputs());
      console.info(`B4 Route 53: ${r.succeeding} of ${r.checkers} checkers report success`);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "Route 53 health check of the secondary: the same settings against the secondary's URL, most checkers see success",
    async () => {
      const r = await checkSecondaryHealthCheck(aws, outputs());
      console.info(`B4 Route 53 (secondary): ${r.succeeding} of ${r.checkers} checkers report success`);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "Synthetics: each canary RUNNING in its own region (probe in the secondary), its latest finished run PASSED and recent, no run hanging",
    () => checkCanaries(aws, outputs()),
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
    "failover function: in the secondary region, Active, its whole environment loadable, pointing at this stack's cluster, topic, trigger alarms and processing sites",
    () => checkFailoverFunction(aws, outputs()),
    CHECK_TIMEOUT_MS,
  );

  const invoke = process.env[INVOKE_DRY_RUN_ENV] === "1";
  const dryRunTitle =
    "failover function: a real dry-run invoke returns result dry-run (exercises its permissions)";
  (invoke ? it : it.skip)(
    invoke
      ? dryRunTitle
      : `${dryRunTitle} — skipped: opt in with ${INVOKE_DRY_RUN_ENV}=1 (it publishes the plan to the alert topic)`,
    async () => {
      const result = await invokeFailoverDryRun(aws, outputs());
      console.info(`B4 failover dry run: ${String(result.message)}`);
    },
    90_000,
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
          const sqs = aws.sqs(region);
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
              aws.cloudwatch(region).send(new GetDashboardCommand({ DashboardName: o.dashboardName }), {
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
