import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { CHECK_TIMEOUT_MS, HEALTH_ENV } from "../../lambda/health/env";
import { orderJsonSchema } from "../../lambda/order-processor/order-schema";
import { toEnvironment } from "../../lambda/shared/env";
import { NodeFunction } from "../compute/node-function";
import { Region } from "../config";
import { AlarmInfo } from "../monitoring/alarm";
import { policyJson, serviceTrustPolicy } from "../policy-documents";
import type { AuthConfig } from "../config/security";
import { ANONYMOUS_REFUSAL_STATUS, OrderAuthorization } from "./anonymous-refusal";
import { OrderAuthorizer } from "./order-authorizer";
import {
  ACCEPTED_TEMPLATE,
  ACCESS_LOG_FORMAT,
  BAD_BODY_TEMPLATE,
  sqsRequestTemplate,
  UNAVAILABLE_TEMPLATE,
} from "./order-api-templates";

import { API_THROTTLE } from "../config/api-limits";

export { API_THROTTLE };
export const STAGE_NAME = "v1";

export interface OrderApiArgs {
  readonly region: Region;
  readonly provider: aws.Provider;
  readonly accountId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** Queue that POST /orders writes to. */
  readonly queue: {
    readonly arn: pulumi.Input<string>;
    readonly name: pulumi.Input<string>;
    readonly url: pulumi.Input<string>;
  };
  /** For the health function: the table and the database host the order processor writes to. */
  readonly tableName: pulumi.Input<string>;
  /** This region's copy of the table, for the health check's DescribeTable. */
  readonly tableArn: pulumi.Input<string>;
  readonly dbHost: pulumi.Input<string>;
  readonly dbPort: number;
  /** This region's order-processor event source mapping: its state is the region's role (F1). */
  readonly mapping: { readonly uuid: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /**
   * Executions reserved for GET /health so a busy account cannot starve it (F1); 5 is plenty (Route 53
   * checkers and the canary call a few times a second at most). Reserving needs at least 100 unreserved
   * executions left in the account's regional quota, so a new account may refuse it (S5).
   * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   * Default 0: none reserved.
   */
  readonly healthReservedConcurrency?: number;
  /** This region's alert topic: the health function's error alarm (F4). */
  readonly alarmTopicArn: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string>[];
  readonly securityGroupId: pulumi.Input<string>;
  /** How `POST /orders` authenticates (S1): a JWT authorizer, or IAM for dev stacks. Never anonymous. */
  readonly auth: AuthConfig;
  /**
   * Whether this stack sets the region's account-wide API Gateway CloudWatch role (S7). It is one setting
   * per account and region: exactly one stack should own it; the others rely on it. Default: true.
   */
  readonly manageAccountSetting?: boolean;
}

/**
 * The regional REST API (P5, R17, R18): `POST /orders` validates the body against the order model and
 * sends it straight to SQS; `GET /health` answers from a small function that checks this region's
 * dependencies. Access logs, X-Ray, stage throttling and a usage plan on the stage.
 */
export class OrderApi extends pulumi.ComponentResource {
  public readonly restApiId: pulumi.Output<string>;
  /** Base URL of the stage, e.g. https://abc.execute-api.us-east-1.amazonaws.com/v1 */
  public readonly endpoint: pulumi.Output<string>;
  public readonly healthUrl: pulumi.Output<string>;
  /** Host name of the stage, for the Route 53 health check. */
  public readonly host: pulumi.Output<string>;
  public readonly stageName = STAGE_NAME;
  public readonly apiName: pulumi.Output<string>;
  /** ARN of the stage, for the web ACL association. */
  public readonly stageArn: pulumi.Output<string>;
  /** The health function's error alarm, as data. */
  public readonly alarms: AlarmInfo[];
  /** What POST /orders answers a request with no credentials (anonymous-refusal.ts): the canaries expect it. */
  public readonly anonymousOrderStatus: number;
  /** The role POST /orders sends to the queue with: the intake's writer (S4). */
  public readonly sqsRoleArn: pulumi.Output<string>;

  constructor(name: string, args: OrderApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:orders:OrderApi", name, {}, opts);
    const child = { parent: this, provider: args.provider };

    // API Gateway writes access logs through an account-wide role, one per account and region; without it
    // the stage's access logging fails to deploy. The last writer wins and a destroy leaves the setting
    // pointing at a deleted role, so only the stack chosen by config owns it (S7); the others depend on
    // it being there. https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
    const accountSetting = (args.manageAccountSetting ?? true) ? this.accountSetting(name, child) : [];

    const api = new aws.apigateway.RestApi(
      name,
      { description: `Order intake (${args.region})`, endpointConfiguration: { types: "REGIONAL" } },
      child,
    );

    // POST /orders -> SQS
    const validation = this.orderValidation(name, api, child);
    const sqsRole = this.sqsRole(name, args, child);
    const authorizer = this.authorizer(name, args, api);
    const requestTemplate = sqsRequestTemplate(args.auth);
    const post = this.postOrders(name, args, { api, validation, sqsRole, authorizer, requestTemplate });
    const postResponses = this.postOrdersResponses(name, api, post, child);

    // GET /health -> health function
    const healthFn = this.healthFunction(name, args);
    const get = this.getHealth(name, api, healthFn, child);

    // What the deployment snapshots, and the targets whose change must force a new one.
    const shape = [
      validation.badBody,
      validation.model,
      validation.validator,
      post.resource,
      post.method,
      post.integration,
      get.resource,
      get.method,
      get.integration,
      ...postResponses,
    ];
    const targets = [
      post.integration.uri,
      sqsRole.arn,
      healthFn.function.invokeArn,
      authorizer?.authorizerId ?? "AWS_IAM",
    ];
    const deployment = this.deployment(name, args, api, { shape, targets, requestTemplate });
    const stage = this.stage(name, args, api, deployment, accountSetting);
    this.stageSettings(name, args, api, stage, accountSetting);

    this.alarms = healthFn.alarms;
    this.anonymousOrderStatus = ANONYMOUS_REFUSAL_STATUS[orderAuthorization(authorizer)];
    this.sqsRoleArn = sqsRole.arn;
    this.stageArn = stage.arn;
    this.restApiId = api.id;
    this.apiName = api.name;
    this.endpoint = stage.invokeUrl;
    this.healthUrl = pulumi.interpolate`${stage.invokeUrl}/health`;
    this.host = pulumi.interpolate`${api.id}.execute-api.${args.region}.amazonaws.com`;
    this.registerOutputs({ endpoint: this.endpoint, healthUrl: this.healthUrl });
  }

  /** The order model, a validator that applies it to bodies, and the 400 answer to a bad body. */
  private orderValidation(
    name: string,
    api: aws.apigateway.RestApi,
    child: pulumi.CustomResourceOptions,
  ): OrderValidation {
    const model = new aws.apigateway.Model(
      `${name}-order-model`,
      {
        restApi: api.id,
        name: "Order",
        contentType: "application/json",
        schema: JSON.stringify(orderJsonSchema),
      },
      child,
    );
    const validator = new aws.apigateway.RequestValidator(
      `${name}-validator`,
      { restApi: api.id, name: "body", validateRequestBody: true, validateRequestParameters: false },
      child,
    );
    const badBody = new aws.apigateway.Response(
      `${name}-bad-body`,
      {
        restApiId: api.id,
        responseType: "BAD_REQUEST_BODY",
        statusCode: "400",
        responseTemplates: {
          "application/json": BAD_BODY_TEMPLATE,
        },
      },
      child,
    );
    return { model, validator, badBody };
  }

  /** The role API Gateway sends orders to the (encrypted) queue with. */
  private sqsRole(name: string, args: OrderApiArgs, child: pulumi.CustomResourceOptions): aws.iam.Role {
    const sqsRole = new aws.iam.Role(
      `${name}-sqs-role`,
      { assumeRolePolicy: serviceTrustPolicy("apigateway.amazonaws.com") },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-sqs-policy`,
      {
        role: sqsRole.id,
        policy: policyJson([
          { Sid: "SendOrders", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.queue.arn },
          {
            Sid: "EncryptForQueue",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: args.kmsKeyArn,
          },
        ]),
      },
      child,
    );
    return sqsRole;
  }

  /** The JWT authorizer in jwt mode; none in iam mode, where IAM authorizes instead. */
  private authorizer(
    name: string,
    args: OrderApiArgs,
    api: aws.apigateway.RestApi,
  ): OrderAuthorizer | undefined {
    if (args.auth.mode !== "jwt") return undefined;
    return new OrderAuthorizer(
      `${name}-auth`,
      {
        provider: args.provider,
        region: args.region,
        restApiId: api.id,
        executionArn: api.executionArn,
        issuer: args.auth.issuer,
        audience: args.auth.audience,
        jwksUrl: args.auth.jwksUrl,
        accountsClaim: args.auth.accountsClaim,
        resultTtlSeconds: args.auth.resultTtlSeconds,
        maxTokenAgeSeconds: args.auth.maxTokenAgeSeconds,
        logKeyArn: args.kmsKeyArn,
        logRetentionDays: args.logRetentionDays,
      },
      { parent: this },
    );
  }

  private postOrders(name: string, args: OrderApiArgs, on: PostOrdersInputs): Route {
    const child = { parent: this, provider: args.provider };
    const { api, validation, authorizer } = on;
    // POST /orders is never anonymous (S1).
    const methodAuth = {
      authorization: orderAuthorization(authorizer),
      ...(authorizer ? { authorizerId: authorizer.authorizerId } : {}),
    };
    const resource = new aws.apigateway.Resource(
      `${name}-orders`,
      { restApi: api.id, parentId: api.rootResourceId, pathPart: "orders" },
      child,
    );
    const method = new aws.apigateway.Method(
      `${name}-post-orders`,
      {
        restApi: api.id,
        resourceId: resource.id,
        httpMethod: "POST",
        ...methodAuth,
        requestValidatorId: validation.validator.id,
        requestModels: { "application/json": validation.model.name },
      },
      child,
    );
    const integration = new aws.apigateway.Integration(
      `${name}-post-orders-sqs`,
      {
        restApi: api.id,
        resourceId: resource.id,
        httpMethod: method.httpMethod,
        type: "AWS",
        integrationHttpMethod: "POST",
        uri: pulumi.interpolate`arn:aws:apigateway:${args.region}:sqs:path/${args.accountId}/${args.queue.name}`,
        credentials: on.sqsRole.arn,
        passthroughBehavior: "NEVER",
        requestParameters: {
          "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'",
        },
        requestTemplates: { "application/json": on.requestTemplate },
      },
      child,
    );
    return { resource, method, integration };
  }

  private postOrdersResponses(
    name: string,
    api: aws.apigateway.RestApi,
    post: Route,
    child: pulumi.CustomResourceOptions,
  ): aws.apigateway.IntegrationResponse[] {
    // 202 is the default mapping; any SQS error becomes a retryable 503 (the client keeps the order).
    const responses = [
      { statusCode: "202", selectionPattern: undefined, template: ACCEPTED_TEMPLATE },
      { statusCode: "503", selectionPattern: "[45]\\d{2}", template: UNAVAILABLE_TEMPLATE },
    ];
    return responses.map((r) => {
      const method = {
        restApi: api.id,
        resourceId: post.resource.id,
        httpMethod: post.method.httpMethod,
        statusCode: r.statusCode,
      };
      const methodResponse = new aws.apigateway.MethodResponse(
        `${name}-post-orders-${r.statusCode}`,
        method,
        child,
      );
      return new aws.apigateway.IntegrationResponse(
        `${name}-post-orders-${r.statusCode}`,
        {
          ...method,
          statusCode: methodResponse.statusCode,
          selectionPattern: r.selectionPattern,
          responseTemplates: { "application/json": r.template },
        },
        { ...child, dependsOn: [post.integration] },
      );
    });
  }

  private healthFunction(name: string, args: OrderApiArgs): NodeFunction {
    return new NodeFunction(
      `${name}-health`,
      {
        codeName: "health",
        description: "Reports whether this region can take orders",
        provider: args.provider,
        region: args.region,
        timeout: 5,
        memorySize: 256,
        vpc: { subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] },
        reservedConcurrentExecutions: args.healthReservedConcurrency || undefined,
        errorAlarmTopicArn: args.alarmTopicArn,
        environment: toEnvironment(HEALTH_ENV, {
          queueUrl: args.queue.url,
          tableName: args.tableName,
          dbHost: args.dbHost,
          dbPort: String(args.dbPort),
          checkTimeoutMs: String(CHECK_TIMEOUT_MS.default),
          mappingUuid: args.mapping.uuid,
        }),
        statements: [
          {
            Sid: "QueueReachable",
            Effect: "Allow",
            Action: "sqs:GetQueueAttributes",
            Resource: args.queue.arn,
          },
          {
            Sid: "TableActive",
            Effect: "Allow",
            Action: "dynamodb:DescribeTable",
            Resource: args.tableArn,
          },
          {
            Sid: "ReadRole",
            Effect: "Allow",
            Action: "lambda:GetEventSourceMapping",
            Resource: args.mapping.arn,
          },
        ],
        logKeyArn: args.kmsKeyArn,
        logRetentionDays: args.logRetentionDays,
      },
      { parent: this },
    );
  }

  private getHealth(
    name: string,
    api: aws.apigateway.RestApi,
    healthFn: NodeFunction,
    child: pulumi.CustomResourceOptions,
  ): Route {
    const resource = new aws.apigateway.Resource(
      `${name}-health`,
      { restApi: api.id, parentId: api.rootResourceId, pathPart: "health" },
      child,
    );
    const method = new aws.apigateway.Method(
      `${name}-get-health`,
      { restApi: api.id, resourceId: resource.id, httpMethod: "GET", authorization: "NONE" },
      child,
    );
    const integration = new aws.apigateway.Integration(
      `${name}-get-health-lambda`,
      {
        restApi: api.id,
        resourceId: resource.id,
        httpMethod: method.httpMethod,
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: healthFn.function.invokeArn,
      },
      child,
    );
    new aws.lambda.Permission(
      `${name}-health-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: healthFn.functionName,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${api.executionArn}/*/GET/health`,
      },
      child,
    );
    return { resource, method, integration };
  }

  // A new deployment whenever the API's shape or its targets change; otherwise the stage keeps
  // serving the old snapshot (gateway responses and integrations apply only on redeployment).
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/updating-api.html
  private deployment(
    name: string,
    args: OrderApiArgs,
    api: aws.apigateway.RestApi,
    of: { shape: pulumi.Resource[]; targets: pulumi.Input<string | undefined>[]; requestTemplate: string },
  ): aws.apigateway.Deployment {
    return new aws.apigateway.Deployment(
      `${name}-deployment`,
      {
        restApi: api.id,
        triggers: {
          redeployment: pulumi
            .all(of.targets)
            .apply((targets) => apiFingerprint(args.region, targets, of.requestTemplate)),
        },
      },
      { parent: this, provider: args.provider, dependsOn: of.shape },
    );
  }

  /** The stage, with access logs and X-Ray tracing. */
  private stage(
    name: string,
    args: OrderApiArgs,
    api: aws.apigateway.RestApi,
    deployment: aws.apigateway.Deployment,
    accountSetting: pulumi.Resource[],
  ): aws.apigateway.Stage {
    const child = { parent: this, provider: args.provider };
    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-access-logs`,
      { retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
      child,
    );
    const stage = new aws.apigateway.Stage(
      `${name}-stage`,
      {
        restApi: api.id,
        deployment: deployment.id,
        stageName: STAGE_NAME,
        xrayTracingEnabled: true,
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      },
      { ...child, dependsOn: accountSetting },
    );
    return stage;
  }

  /** Execution logging and throttling for every method of the stage, and the usage plan (R18). */
  private stageSettings(
    name: string,
    args: OrderApiArgs,
    api: aws.apigateway.RestApi,
    stage: aws.apigateway.Stage,
    accountSetting: pulumi.Resource[],
  ): void {
    const child = { parent: this, provider: args.provider };
    // Execution logs (ERROR level) go to a group API Gateway names itself; create it first for retention.
    const executionLogs = new aws.cloudwatch.LogGroup(
      `${name}-execution-logs`,
      {
        name: pulumi.interpolate`API-Gateway-Execution-Logs_${api.id}/${STAGE_NAME}`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.kmsKeyArn,
      },
      child,
    );
    new aws.apigateway.MethodSettings(
      `${name}-throttling`,
      {
        restApi: api.id,
        stageName: stage.stageName,
        methodPath: "*/*",
        settings: {
          throttlingBurstLimit: API_THROTTLE.burstLimit,
          throttlingRateLimit: API_THROTTLE.rateLimit,
          metricsEnabled: true,
          loggingLevel: "ERROR",
        },
      },
      { ...child, dependsOn: [...accountSetting, executionLogs] },
    );
    // Usage-plan limits apply per API key; the stage throttling above is what binds callers without an API key.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
    new aws.apigateway.UsagePlan(
      `${name}-usage-plan`,
      {
        description: "Order intake limits (R18)",
        apiStages: [{ apiId: api.id, stage: stage.stageName }],
        throttleSettings: { burstLimit: API_THROTTLE.burstLimit, rateLimit: API_THROTTLE.rateLimit },
      },
      child,
    );
  }

  /** The account-wide CloudWatch role setting for this region, with its role. */
  private accountSetting(name: string, child: pulumi.CustomResourceOptions): pulumi.Resource[] {
    const cwRole = new aws.iam.Role(
      `${name}-cw-role`,
      { assumeRolePolicy: serviceTrustPolicy("apigateway.amazonaws.com") },
      child,
    );
    const cwAttach = new aws.iam.RolePolicyAttachment(
      `${name}-cw-attach`,
      {
        role: cwRole.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
      },
      child,
    );
    return [
      new aws.apigateway.Account(
        `${name}-account`,
        { cloudwatchRoleArn: cwRole.arn },
        { ...child, dependsOn: [cwAttach] },
      ),
    ];
  }
}

/** POST /orders' authorization type: the JWT authorizer in jwt mode, IAM otherwise. */
function orderAuthorization(authorizer: OrderAuthorizer | undefined): OrderAuthorization {
  return authorizer ? "CUSTOM" : "AWS_IAM";
}

/** What validates an order body, and answers when it is invalid. */
interface OrderValidation {
  readonly model: aws.apigateway.Model;
  readonly validator: aws.apigateway.RequestValidator;
  readonly badBody: aws.apigateway.Response;
}

/** What POST /orders is built on. */
interface PostOrdersInputs {
  readonly api: aws.apigateway.RestApi;
  readonly validation: OrderValidation;
  readonly sqsRole: aws.iam.Role;
  readonly authorizer?: OrderAuthorizer;
  readonly requestTemplate: string;
}

/** One route of the API: its path, its method and where the method sends requests. */
interface Route {
  readonly resource: aws.apigateway.Resource;
  readonly method: aws.apigateway.Method;
  readonly integration: aws.apigateway.Integration;
}

/** A digest of everything that defines the API, so any change to it yields a new deployment. */
export function apiFingerprint(
  region: string,
  targets: (string | undefined)[],
  requestTemplate: string,
): string {
  return createHash("sha256")
    .update(
      JSON.stringify({
        region,
        targets,
        orderJsonSchema,
        routes: ["POST /orders -> sqs", "GET /health -> lambda"],
        templates: [requestTemplate, ACCEPTED_TEMPLATE, UNAVAILABLE_TEMPLATE, BAD_BODY_TEMPLATE],
      }),
    )
    .digest("hex");
}
