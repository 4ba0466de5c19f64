/**
 * The failover function in the day-one world: the real handler (lambda/failover/index.ts, as
 * gameday/failover-runner.ts runs it) with the environment the program gives it, unchanged, invoked with
 * the SNS event its trigger subscription delivers. Every AWS call it makes is authorized as AWS would
 * (iam.ts): its role's policies, the target's resource policy and, for a publish to a KMS-encrypted
 * topic, the key's policy. It is not in a VPC, so every regional endpoint is on its network path
 * (network.ts). What it reads is the program's own state as a fresh deploy has it: the global cluster
 * and its members (the writer in the global cluster's Region, each member available), each Route 53
 * health check as the world's checks last saw it, the mappings as the program declares them.
 *
 * Not modelled: a promotion (FailoverGlobalCluster / SwitchoverGlobalCluster answer with an error naming
 * that; the scenarios' world runs promotions), CloudWatch's metric data (the RPO lag reads as unknown),
 * the reconcile function (no Lambda Invoke).
 *  - DescribeGlobalClusters: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeGlobalClusters.html
 *  - DescribeDBClusters: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html
 *  - GetHealthCheckStatus: https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheckStatus.html
 *  - SNS Publish: as publish.ts decides it (role, topic and key policies).
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient } from "@aws-sdk/client-rds";
import { Route53Client } from "@aws-sdk/client-route-53";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createHandler, readCheckers } from "../../lambda/failover/index";
import type { FailoverResult } from "../../lambda/failover/orchestrator";
import { CHECKER_REGIONS } from "../failover-runner";
import { answeredBy, awsError } from "../fake-client";
import { recorded, type CallRecord } from "./iam";
import type { FunctionModel, PolicyDocument, ProgramModel } from "./model";
import { roleMayPublish } from "./publish";

export type FailoverOutcome = { readonly result: FailoverResult } | { readonly error: string };

/** What SNS took from the function (subject only: the body is the function's report). */
export interface Published {
  readonly topicArn: string;
  readonly subject: string;
}

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export class DayOneFailover {
  readonly published: Published[] = [];

  constructor(
    private readonly model: ProgramModel,
    readonly fn: FunctionModel,
    private readonly calls: CallRecord[],
    /** Whether the world's last check of a Route 53 health check passed (undefined: never checked). */
    private readonly lastCheck: (healthCheckId: string) => boolean | undefined,
  ) {}

  /** Invokes the handler with `event`, as Lambda does for an SNS delivery. */
  async invoke(event: unknown): Promise<FailoverOutcome> {
    const handler = createHandler({
      env: () => ({ ...this.fn.env, AWS_REGION: this.fn.region }),
      buildDeps: (region, _reconcile, healthCheckId) => ({
        rds: this.rds(region),
        rdsForRegion: (r) => this.rds(r),
        sns: this.sns(region),
        lambdaForRegion: (r) => this.unmodelled(new LambdaClient({ region: r }), "lambda"),
        sqsForRegion: (r) => this.unmodelled(new SQSClient({ region: r }), "sqs"),
        cloudwatch: this.unmodelled(new CloudWatchClient({ region }), "cloudwatch"),
        primaryCheckers: healthCheckId ? readCheckers(this.route53(), healthCheckId) : undefined,
        clock: { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
        random: Math.random,
        logger: quiet,
      }),
    });
    try {
      return {
        result: await handler(event, { getRemainingTimeInMillis: () => this.fn.timeoutSeconds * 1000 }),
      };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  /** Throws AccessDenied (as the service does) unless the function's role may do `action` on `resource`. */
  private async authorize(
    action: string,
    resource: string,
    resourcePolicy?: PolicyDocument,
    context?: Record<string, string>,
  ): Promise<void> {
    const decision = await recorded(
      {
        principal: this.fn.roleArn,
        action,
        resource,
        account: this.model.account,
        identityPolicies: this.model.rolePolicies[this.fn.roleArn] ?? [],
        resourcePolicy,
        context,
      },
      this.calls,
    );
    if (!decision.allowed) {
      const name = action.startsWith("rds:") ? "AccessDenied" : "AccessDeniedException";
      throw awsError(name, decision.reason, 403);
    }
  }

  private rds(region: string): RDSClient {
    return answeredBy(new RDSClient({ region }), async (cmd, input) => {
      const global = this.model.globalClusters[0];
      if (cmd === "DescribeGlobalClusters") {
        if (!global || input.GlobalClusterIdentifier !== global.id)
          throw awsError(
            "GlobalClusterNotFoundFault",
            `${String(input.GlobalClusterIdentifier)} not found`,
            404,
          );
        await this.authorize("rds:DescribeGlobalClusters", global.arn);
        return {
          GlobalClusters: [
            {
              GlobalClusterIdentifier: global.id,
              GlobalClusterArn: global.arn,
              Status: "available",
              GlobalClusterMembers: global.members.map((m) => ({
                DBClusterArn: m.arn,
                IsWriter: m.region === global.region,
                SynchronizationStatus: "connected",
              })),
            },
          ],
        };
      }
      if (cmd === "DescribeDBClusters") {
        const arn = String(input.DBClusterIdentifier);
        const member = global?.members.find((m) => m.arn === arn && m.region === region);
        if (!member) throw awsError("DBClusterNotFoundFault", `DBCluster ${arn} not found in ${region}`, 404);
        await this.authorize("rds:DescribeDBClusters", arn);
        return {
          DBClusters: [
            {
              DBClusterArn: arn,
              Status: "available",
              DBClusterMembers: [
                { DBInstanceIdentifier: `${arn.split(":").pop()}-1`, IsClusterWriter: true },
              ],
            },
          ],
        };
      }
      throw awsError("InvalidAction", `the day-one world does not run ${cmd} (the scenarios' world does)`);
    });
  }

  /** SNS Publish as the function's role: role, topic and key policies (publish.ts). */
  private sns(region: string): SNSClient {
    return answeredBy(new SNSClient({ region }), async (cmd, input) => {
      if (cmd !== "Publish") throw awsError("InvalidAction", `the day-one world does not answer SNS ${cmd}`);
      const arn = String(input.TopicArn);
      const refused = await roleMayPublish(this.model, this.fn, arn, this.calls);
      if (refused) {
        // SNS's errors: NotFoundException, AuthorizationErrorException, KMSAccessDeniedException.
        // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
        const kind = refused.split(":")[0];
        throw awsError(`${kind}Exception`, refused, kind === "NotFound" ? 404 : 403);
      }
      this.published.push({ topicArn: arn, subject: String(input.Subject ?? "") });
      return { MessageId: `day-one-${this.published.length}` };
    });
  }

  /** Route 53's checkers in CHECKER_REGIONS, each reporting the world's last check of the health check. */
  private route53(): Route53Client {
    return answeredBy(new Route53Client({ region: "us-east-1" }), async (cmd, input) => {
      if (cmd !== "GetHealthCheckStatus")
        throw awsError("InvalidAction", `the day-one world does not answer Route 53 ${cmd}`);
      const id = String(input.HealthCheckId);
      if (!this.model.healthChecks.some((h) => h.id === id))
        throw awsError("NoSuchHealthCheck", `No health check exists with the specified ID ${id}`, 404);
      await this.authorize("route53:GetHealthCheckStatus", `arn:aws:route53:::healthcheck/${id}`);
      const ok = this.lastCheck(id);
      const status = ok === false ? "Failure: HTTP Status Code 503" : "Success: HTTP Status Code 200, OK";
      return {
        HealthCheckObservations: CHECKER_REGIONS.flatMap((r) =>
          [0, 1, 2].map(() => ({ Region: r, StatusReport: { Status: status } })),
        ),
      };
    });
  }

  /** A client whose every call is refused as not modelled here (after nothing: no state to act on). */
  private unmodelled<C extends Parameters<typeof answeredBy>[0]>(client: C, service: string): C {
    return answeredBy(client, (cmd) =>
      Promise.reject(awsError("InvalidAction", `the day-one world does not answer ${service} ${cmd}`)),
    );
  }
}
