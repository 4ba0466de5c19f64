import { orderJsonSchema } from "../../lambda/order-processor/order-schema";
import { API_THROTTLE, apiFingerprint } from "../../lib/orders/order-api";
import { ACCESS_LOG_FORMAT, sqsRequestTemplate } from "../../lib/orders/order-api-templates";
import { ProgramRun, runProgram } from "../program";

let run: ProgramRun;
const of = (type: string) => run.of(type);
const named = (type: string, name: string) => run.named(type, name);
const policyOf = (fn: string) =>
  JSON.parse(String(named("aws:iam/rolePolicy:RolePolicy", `${fn}-policy`).inputs.policy)).Statement as any[];
const ROLES = [
  ["primary", "us-east-1"],
  ["secondary", "us-west-2"],
] as const;

beforeAll(async () => {
  run = await runProgram();
});

describe("order processor infrastructure", () => {
  it.each(ROLES)("R11: the %s order processor runs Node.js 22 with a 300 s timeout", (role, region) => {
    const fn = named("aws:lambda/function:Function", `tap-dev-${role}-service-processor-fn`);
    expect(fn.region).toBe(region);
    expect(fn.inputs).toMatchObject({
      runtime: "nodejs22.x",
      timeout: 300,
      handler: "index.handler",
      tracingConfig: { mode: "Active" },
    });
  });

  it.each(ROLES)(
    "R12: the %s order processor runs in the VPC's private subnets with the Lambda security group",
    (role, region) => {
      const fn = named("aws:lambda/function:Function", `tap-dev-${role}-service-processor-fn`);
      const subnets = of("aws:ec2/subnet:Subnet")
        .filter((s) => s.region === region)
        .map((s) => s.id);
      const sg = named("aws:ec2/securityGroup:SecurityGroup", `tap-dev-${role}-net-lambda-sg`);
      expect((fn.inputs.vpcConfig as any).subnetIds).toEqual(subnets);
      expect((fn.inputs.vpcConfig as any).securityGroupIds).toEqual([sg.id]);
      // S4: the network-interface rights are inline (test/compute/role-scope.test.ts), no managed policy.
      const eni = policyOf(`tap-dev-${role}-service-processor-fn`).filter((s) =>
        String(s.Sid).startsWith("VpcNetworkInterfaces"),
      );
      expect(eni.map((s) => s.Sid)).toEqual([
        "VpcNetworkInterfacesAnywhere",
        "VpcNetworkInterfacesOfThisAccount",
      ]);
    },
  );

  it.each(ROLES)(
    "R13: the %s processor may read only its region's copy of the DB secret and decrypt with that region's key",
    (role, region) => {
      const statements = policyOf(`tap-dev-${role}-service-processor-fn`);
      // L6: its own data-only role's secret, not the master secret.
      const appSecret = named("aws:secretsmanager/secret:Secret", "tap-dev-db-app-credentials-creds-secret");
      const secretArn = String(appSecret.state.arn).replace("us-east-1", region);
      const read = statements.filter((s) => [s.Action].flat().includes("secretsmanager:GetSecretValue"));
      expect(read).toEqual([
        {
          Sid: "ReadDbSecret",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: secretArn,
        },
      ]);
      const key = of("aws:kms/key:Key").find((k) => k.region === region)!;
      expect(statements.find((s) => s.Sid === "DecryptSecretAndQueues")).toMatchObject({
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: key.state.arn,
      });
      const wildcard = statements.filter((s) => s.Resource === "*").flatMap((s) => [s.Action].flat());
      expect(wildcard).toEqual([
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        // No resource-level permissions (Describe*) or Lambda's create-time check (S4, node-function.ts).
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
      ]);
    },
  );

  it.each(ROLES)(
    "R13: the %s processor's queue and table permissions name only its own queue and table",
    (role, region) => {
      const statements = policyOf(`tap-dev-${role}-service-processor-fn`);
      const queue = named("aws:sqs/queue:Queue", `tap-dev-${role}-service-orders`);
      const table = named("aws:dynamodb/table:Table", "tap-dev-orders-table");
      expect(statements.find((s) => s.Sid === "ConsumeQueue").Resource).toBe(queue.state.arn);
      expect(statements.find((s) => s.Sid === "WriteOrderState").Resource).toBe(
        `arn:aws:dynamodb:${region}:123456789012:table/${table.state.name}`,
      );
    },
  );

  it.each(ROLES)(
    "P6: the %s processor gets the failover-following writer endpoint, its secret and the table",
    (role) => {
      const env = (
        named("aws:lambda/function:Function", `tap-dev-${role}-service-processor-fn`).inputs
          .environment as any
      ).variables;
      expect(env.DB_HOST).toBe(run.outputs.globalWriterEndpoint);
      expect(env).toMatchObject({
        DB_PORT: "5432",
        DB_NAME: "orders",
        DB_SSL: "require",
        NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
      });
      expect(env.ORDERS_TABLE_NAME).toBe(run.outputs.dynamoTableName);
      expect(env.DB_SECRET_ARN).toMatch(/^arn:aws:secretsmanager:/);
    },
  );

  it.each(ROLES)(
    "P5: the %s event source mapping reports batch item failures and caps concurrency",
    (role) => {
      const esm = named(
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        `tap-dev-${role}-service-processor-sqs`,
      );
      const queue = named("aws:sqs/queue:Queue", `tap-dev-${role}-service-orders`);
      expect(esm.inputs).toMatchObject({
        eventSourceArn: queue.state.arn,
        batchSize: 10,
        maximumBatchingWindowInSeconds: 1,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: 10 },
      });
    },
  );

  it.each(ROLES)(
    "P5: the %s queue is KMS-encrypted, hides messages for 6x the processor timeout and redrives to its DLQ",
    (role, region) => {
      const queue = named("aws:sqs/queue:Queue", `tap-dev-${role}-service-orders`);
      const dlq = named("aws:sqs/queue:Queue", `tap-dev-${role}-service-orders-dlq`);
      const key = of("aws:kms/key:Key").find((k) => k.region === region)!;
      expect(queue.inputs.visibilityTimeoutSeconds).toBe(1800);
      expect(queue.inputs.kmsMasterKeyId).toBe(key.state.arn);
      expect(dlq.inputs.kmsMasterKeyId).toBe(key.state.arn);
      expect(JSON.parse(String(queue.inputs.redrivePolicy))).toEqual({
        deadLetterTargetArn: dlq.state.arn,
        maxReceiveCount: 5,
      });
      expect(Number(dlq.inputs.messageRetentionSeconds)).toBeGreaterThan(
        Number(queue.inputs.messageRetentionSeconds),
      );
    },
  );

  it("R2: the order-processing Lambda component depends on the Aurora and DynamoDB components", () => {
    const aurora = run.resources.find((r) => r.type === "tap:data:AuroraGlobalDatabase")!;
    const table = run.resources.find((r) => r.type === "tap:data:OrdersTable")!;
    for (const processor of of("tap:orders:OrderProcessor")) {
      expect([processor.name, run.waitsFor(processor, aurora), run.waitsFor(processor, table)]).toEqual([
        processor.name,
        true,
        true,
      ]);
    }
    expect(of("tap:orders:OrderProcessor")).toHaveLength(2);
  });

  it("P9: every function's code is its own esbuild bundle with an encrypted, retained log group", () => {
    for (const fn of of("aws:lambda/function:Function")) {
      expect(String((fn.inputs.code as any)?.path ?? JSON.stringify(fn.inputs.code))).toMatch(
        /dist\/lambda\/[a-z-]+/,
      );
      const logGroup = (fn.inputs.loggingConfig as any).logGroup;
      const group = of("aws:cloudwatch/logGroup:LogGroup").find((g) => g.state.name === logGroup)!;
      expect(group.inputs.retentionInDays).toBe(30);
      expect(String(group.inputs.kmsKeyId)).toMatch(/^arn:aws:kms:/);
    }
  });
});

describe("API Gateway", () => {
  it.each(ROLES)("P5: the %s POST /orders validates the body against the order model", (role) => {
    const model = named("aws:apigateway/model:Model", `tap-dev-${role}-service-api-order-model`);
    expect(JSON.parse(String(model.inputs.schema))).toEqual(orderJsonSchema);
    expect(model.inputs.contentType).toBe("application/json");
    const method = named("aws:apigateway/method:Method", `tap-dev-${role}-service-api-post-orders`);
    const validator = named(
      "aws:apigateway/requestValidator:RequestValidator",
      `tap-dev-${role}-service-api-validator`,
    );
    expect(validator.inputs).toMatchObject({ validateRequestBody: true });
    expect(method.inputs).toMatchObject({
      httpMethod: "POST",
      requestValidatorId: validator.id,
      requestModels: { "application/json": "Order" },
    });
    const bad = named("aws:apigateway/response:Response", `tap-dev-${role}-service-api-bad-body`);
    expect(bad.inputs).toMatchObject({ responseType: "BAD_REQUEST_BODY", statusCode: "400" });
    // S8: only a value API Gateway quotes itself; validationErrorString cannot be escaped here.
    expect(String((bad.inputs.responseTemplates as any)["application/json"])).toContain(
      '"message":$context.error.messageString',
    );
  });

  it("P5: the order model requires every order field and rejects unknown ones", () => {
    expect(orderJsonSchema.required).toEqual([
      "orderId",
      "account",
      "symbol",
      "side",
      "quantity",
      "orderType",
      "clientTimestamp",
    ]);
    expect(orderJsonSchema.additionalProperties).toBe(false);
    expect(orderJsonSchema.properties.side.enum).toEqual(["BUY", "SELL"]);
  });

  it.each(ROLES)(
    "P5: the %s POST /orders sends the body straight to its regional queue with a least-privilege role",
    (role, region) => {
      const integ = named(
        "aws:apigateway/integration:Integration",
        `tap-dev-${role}-service-api-post-orders-sqs`,
      );
      const queue = named("aws:sqs/queue:Queue", `tap-dev-${role}-service-orders`);
      expect(integ.inputs).toMatchObject({
        type: "AWS",
        integrationHttpMethod: "POST",
        uri: `arn:aws:apigateway:${region}:sqs:path/123456789012/${queue.state.name}`,
        requestParameters: {
          "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'",
        },
        requestTemplates: {
          "application/json":
            "Action=SendMessage&MessageBody=$util.urlEncode($input.body)" +
            "&MessageAttribute.1.Name=entitledAccounts&MessageAttribute.1.Value.DataType=String" +
            "&MessageAttribute.1.Value.StringValue=(none)" +
            "&MessageAttribute.2.Name=principal&MessageAttribute.2.Value.DataType=String" +
            "&MessageAttribute.2.Value.StringValue=$util.urlEncode($context.identity.userArn)" +
            "&MessageAttribute.3.Name=acceptedAt&MessageAttribute.3.Value.DataType=String" +
            "&MessageAttribute.3.Value.StringValue=$context.requestTimeEpoch",
        },
      });
      const statements = JSON.parse(
        String(
          named("aws:iam/rolePolicy:RolePolicy", `tap-dev-${role}-service-api-sqs-policy`).inputs.policy,
        ),
      ).Statement;
      expect(statements[0]).toMatchObject({ Action: "sqs:SendMessage", Resource: queue.state.arn });
    },
  );

  it.each(ROLES)(
    "P5: the %s POST /orders answers 202 by default and 503 when SQS refuses the order",
    (role) => {
      const ok = named(
        "aws:apigateway/integrationResponse:IntegrationResponse",
        `tap-dev-${role}-service-api-post-orders-202`,
      );
      const refused = named(
        "aws:apigateway/integrationResponse:IntegrationResponse",
        `tap-dev-${role}-service-api-post-orders-503`,
      );
      expect(ok.inputs.selectionPattern).toBeUndefined();
      expect(refused.inputs.selectionPattern).toBe("[45]\\d{2}");
      expect(new RegExp(`^${refused.inputs.selectionPattern}$`).test("403")).toBe(true);
      expect(new RegExp(`^${refused.inputs.selectionPattern}$`).test("200")).toBe(false);
      expect(String((ok.inputs.responseTemplates as any)["application/json"])).toContain(
        '"status":"accepted"',
      );
    },
  );

  it.each(ROLES)(
    "R17: the %s stage writes JSON access logs with request id, status, latency, error and source",
    (role) => {
      const stage = named("aws:apigateway/stage:Stage", `tap-dev-${role}-service-api-stage`);
      const group = named("aws:cloudwatch/logGroup:LogGroup", `tap-dev-${role}-service-api-access-logs`);
      const settings = stage.inputs.accessLogSettings as any;
      expect(settings.destinationArn).toBe(group.state.arn);
      // messageString arrives quoted, so the format is JSON once API Gateway substitutes it.
      const format = JSON.parse(settings.format.replace("$context.error.messageString", '"-"'));
      expect(settings.format).toContain('"errorMessage":$context.error.messageString');
      expect(format).toMatchObject({
        requestId: "$context.requestId",
        status: "$context.status",
        responseLatency: "$context.responseLatency",
        authorizeStatus: "$context.authorize.status",
        sourceIp: "$context.identity.sourceIp",
      });
      expect(settings.format).toBe(ACCESS_LOG_FORMAT);
      expect(stage.inputs.xrayTracingEnabled).toBe(true);
      expect(group.inputs.retentionInDays).toBe(30);
    },
  );

  it.each(ROLES)(
    "R17: the %s region has the account-level CloudWatch role that access logging needs, before the stage",
    (role) => {
      const account = named("aws:apigateway/account:Account", `tap-dev-${role}-service-api-account`);
      const roleRes = named("aws:iam/role:Role", `tap-dev-${role}-service-api-cw-role`);
      expect(account.inputs.cloudwatchRoleArn).toBe(roleRes.state.arn);
      expect(named("aws:apigateway/stage:Stage", `tap-dev-${role}-service-api-stage`).dependencies).toContain(
        account.urn,
      );
    },
  );

  it.each(ROLES)(
    "R18: the %s stage throttles every method and has a usage plan at burst 5000, rate 2000",
    (role) => {
      expect(API_THROTTLE).toEqual({ burstLimit: 5000, rateLimit: 2000 });
      const settings = named(
        "aws:apigateway/methodSettings:MethodSettings",
        `tap-dev-${role}-service-api-throttling`,
      );
      expect(settings.inputs).toMatchObject({
        methodPath: "*/*",
        settings: { throttlingBurstLimit: 5000, throttlingRateLimit: 2000 },
      });
      const plan = named("aws:apigateway/usagePlan:UsagePlan", `tap-dev-${role}-service-api-usage-plan`);
      const api = named("aws:apigateway/restApi:RestApi", `tap-dev-${role}-service-api`);
      expect(plan.inputs.throttleSettings).toEqual({ burstLimit: 5000, rateLimit: 2000 });
      expect(plan.inputs.apiStages).toEqual([{ apiId: api.id, stage: "v1" }]);
    },
  );

  it.each(ROLES)(
    "P5: the %s deployment is re-created when the API changes and waits for every route",
    (role) => {
      const dep = named("aws:apigateway/deployment:Deployment", `tap-dev-${role}-service-api-deployment`);
      expect(String((dep.inputs.triggers as any).redeployment)).toMatch(/^[0-9a-f]{64}$/);
      const integ = named(
        "aws:apigateway/integration:Integration",
        `tap-dev-${role}-service-api-get-health-lambda`,
      );
      expect(dep.dependencies).toContain(integ.urn);
      const badBody = named("aws:apigateway/response:Response", `tap-dev-${role}-service-api-bad-body`);
      expect(dep.dependencies).toContain(badBody.urn);
      // The trigger covers where requests go, so a replaced queue or function redeploys the stage.
      const sqs = named(
        "aws:apigateway/integration:Integration",
        `tap-dev-${role}-service-api-post-orders-sqs`,
      );
      const sqsRole = named("aws:iam/role:Role", `tap-dev-${role}-service-api-sqs-role`);
      const health = named("aws:lambda/function:Function", `tap-dev-${role}-service-api-health`);
      const region = role === "primary" ? "us-east-1" : "us-west-2";
      expect((dep.inputs.triggers as any).redeployment).toBe(
        apiFingerprint(
          region,
          [String(sqs.inputs.uri), String(sqsRole.state.arn), String(health.state.invokeArn), "AWS_IAM"],
          sqsRequestTemplate({ mode: "iam", entitledAccounts: [] }),
        ),
      );
      const t = "template";
      expect(apiFingerprint(region, ["queue-a"], t)).not.toBe(apiFingerprint(region, ["queue-b"], t));
      expect(apiFingerprint(region, ["q"], "a")).not.toBe(apiFingerprint(region, ["q"], "b"));
    },
  );

  it.each(ROLES)(
    "P5: the %s GET /health is served by the health function, in the VPC, allowed to check only its dependencies",
    (role) => {
      const integ = named(
        "aws:apigateway/integration:Integration",
        `tap-dev-${role}-service-api-get-health-lambda`,
      );
      const fn = named("aws:lambda/function:Function", `tap-dev-${role}-service-api-health`);
      expect(integ.inputs).toMatchObject({ type: "AWS_PROXY", uri: fn.state.invokeArn });
      expect(fn.inputs.timeout).toBe(5);
      expect((fn.inputs.vpcConfig as any).subnetIds.length).toBeGreaterThanOrEqual(2);
      const env = (fn.inputs.environment as any).variables;
      expect(env.QUEUE_URL).toBe(named("aws:sqs/queue:Queue", `tap-dev-${role}-service-orders`).state.url);
      const actions = policyOf(`tap-dev-${role}-service-api-health`).flatMap((s) => [s.Action].flat());
      expect(actions.sort()).toEqual(
        [
          "dynamodb:DescribeTable",
          "ec2:AssignPrivateIpAddresses",
          "ec2:CreateNetworkInterface",
          "ec2:DeleteNetworkInterface",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeSubnets",
          "ec2:UnassignPrivateIpAddresses",
          "lambda:GetEventSourceMapping",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
          "sqs:GetQueueAttributes",
          "xray:PutTelemetryRecords",
          "xray:PutTraceSegments",
        ].sort(),
      );
      const perm = named("aws:lambda/permission:Permission", `tap-dev-${role}-service-api-health-invoke`);
      expect(String(perm.inputs.sourceArn)).toMatch(/\/\*\/GET\/health$/);
    },
  );

  it.each(ROLES)(
    "F1: the %s health function probes the processor's database path and reads its role from the processor's mapping; S5: it reserves no concurrency by default",
    (role) => {
      const fn = named("aws:lambda/function:Function", `tap-dev-${role}-service-api-health`);
      const processor = named("aws:lambda/function:Function", `tap-dev-${role}-service-processor-fn`);
      const mapping = named(
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        `tap-dev-${role}-service-processor-sqs`,
      );
      const env = (fn.inputs.environment as any).variables;
      expect(env.DB_HOST).toBe((processor.inputs.environment as any).variables.DB_HOST);
      expect(env.EVENT_SOURCE_MAPPING_UUID).toBe(mapping.state.uuid);
      expect(Number(env.CHECK_TIMEOUT_MS)).toBe(1_000);
      // S5: a reservation is opt-in (healthReservedConcurrency, test/plan/concurrency-quota.test.ts).
      expect(fn.inputs.reservedConcurrentExecutions).toBeUndefined();
      const read = policyOf(`tap-dev-${role}-service-api-health`).find((s) => s.Sid === "ReadRole");
      expect(read).toMatchObject({ Action: "lambda:GetEventSourceMapping", Resource: mapping.state.arn });
    },
  );

  it("F1: only the processing region (default primary) books its queue; the standby's forwarder consumes the other", () => {
    const enabled = (role: string, consumer: string) =>
      named("aws:lambda/eventSourceMapping:EventSourceMapping", `tap-dev-${role}-service-${consumer}-sqs`)
        .inputs.enabled;
    expect([enabled("primary", "processor"), enabled("primary", "forwarder")]).toEqual([true, false]);
    expect([enabled("secondary", "processor"), enabled("secondary", "forwarder")]).toEqual([false, true]);
  });

  it.each([
    ["primary", "us-east-1", "secondary", "us-west-2"],
    ["secondary", "us-west-2", "primary", "us-east-1"],
  ] as const)(
    "F1: the %s forwarder (%s) sends to the %s queue in %s, outside the VPC, allowed exactly that",
    (role, region, peer, peerRegion) => {
      const fn = named("aws:lambda/function:Function", `tap-dev-${role}-service-forwarder-fn`);
      const ownQueue = named("aws:sqs/queue:Queue", `tap-dev-${role}-service-orders`);
      const peerQueue = named("aws:sqs/queue:Queue", `tap-dev-${peer}-service-orders`);
      const key = (r: string) => of("aws:kms/key:Key").find((k) => k.region === r)!.state.arn;
      expect(fn.region).toBe(region);
      expect(fn.inputs).toMatchObject({
        runtime: "nodejs22.x",
        timeout: 30,
        tracingConfig: { mode: "Active" },
      });
      // Interface endpoints reach only their own region's SQS: the peer queue is reached over its public endpoint.
      expect(fn.inputs.vpcConfig).toBeUndefined();
      expect((fn.inputs.environment as any).variables).toMatchObject({
        PEER_QUEUE_URL: peerQueue.state.url,
        PEER_REGION: peerRegion,
        POWERTOOLS_SERVICE_NAME: "order-forwarder",
      });
      const statements = policyOf(`tap-dev-${role}-service-forwarder-fn`).filter(
        (s) => !["WriteOwnLogs", "Tracing"].includes(s.Sid),
      );
      expect(statements).toEqual([
        {
          Sid: "ConsumeQueue",
          Effect: "Allow",
          Action: [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ChangeMessageVisibility",
          ],
          Resource: ownQueue.state.arn,
        },
        {
          Sid: "UseOwnQueueKey",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: key(region),
        },
        // X1: what it could not send on goes back to its own queue on its last receive.
        {
          Sid: "RequeueToOwnQueue",
          Effect: "Allow",
          Action: "sqs:SendMessage",
          Resource: ownQueue.state.arn,
        },
        { Sid: "SendToPeerQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: peerQueue.state.arn },
        {
          Sid: "EncryptForPeerQueue",
          Effect: "Allow",
          Action: ["kms:GenerateDataKey", "kms:Decrypt"],
          Resource: key(peerRegion),
        },
      ]);
      const mapping = named(
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        `tap-dev-${role}-service-forwarder-sqs`,
      );
      expect(mapping.inputs).toMatchObject({
        eventSourceArn: ownQueue.state.arn,
        functionName: fn.state.arn,
        batchSize: 10,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: 2 },
      });
      // The forwarder's timeout fits the queue's visibility timeout, like the processor's.
      expect(Number(ownQueue.inputs.visibilityTimeoutSeconds)).toBeGreaterThanOrEqual(6 * 30);
    },
  );

  it.each(ROLES)("F1/F4: the %s forwarder alarms on errors and on minutes of failed forwards", (role) => {
    const failed = named(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      `tap-dev-${role}-service-forwarder-failed`,
    );
    expect(failed.inputs).toMatchObject({
      namespace: "Tap/Orders",
      metricName: "OrdersForwardFailed",
      dimensions: { service: "order-forwarder" },
      evaluationPeriods: 5,
      treatMissingData: "notBreaching",
    });
    const errors = named(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      `tap-dev-${role}-service-forwarder-fn-errors`,
    );
    expect(errors.inputs.metricName).toBe("Errors");
  });

  it.each(ROLES)(
    "L1/F2: the %s conflict alarm sends the operator to the rejects queue, where conflicts are parked",
    (role) => {
      const alarm = named(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        `tap-dev-${role}-service-processor-conflicts`,
      );
      expect(alarm.inputs.alarmDescription).toBe(
        "An orderId was reused with different contents; the message is parked in the rejects queue",
      );
      expect(alarm.inputs).toMatchObject({
        metricName: "OrdersConflicting",
        threshold: 0,
        evaluationPeriods: 1,
      });
    },
  );

  it.each(ROLES)(
    "F2: the %s processor parks rejected orders in its own rejects queue (14-day retention)",
    (role) => {
      const rejects = named("aws:sqs/queue:Queue", `tap-dev-${role}-service-orders-rejects`);
      expect(rejects.inputs.messageRetentionSeconds).toBe(14 * 24 * 3600);
      const fn = named("aws:lambda/function:Function", `tap-dev-${role}-service-processor-fn`);
      expect((fn.inputs.environment as any).variables.REJECTS_QUEUE_URL).toBe(rejects.state.url);
      expect(
        policyOf(`tap-dev-${role}-service-processor-fn`).find((s) => s.Sid === "ParkRejectedOrders"),
      ).toEqual({
        Sid: "ParkRejectedOrders",
        Effect: "Allow",
        Action: "sqs:SendMessage",
        Resource: rejects.state.arn,
      });
    },
  );

  it("R4: API endpoints, health URLs and queue URLs of both regions are outputs", () => {
    expect(String(run.outputs.primaryApiEndpoint)).toMatch(
      /^https:\/\/[a-f0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/v1$/,
    );
    expect(String(run.outputs.secondaryApiEndpoint)).toMatch(/\.us-west-2\.amazonaws\.com\/v1$/);
    expect(run.outputs.primaryHealthUrl).toBe(`${run.outputs.primaryApiEndpoint}/health`);
    expect(run.outputs.secondaryHealthUrl).toBe(`${run.outputs.secondaryApiEndpoint}/health`);
    expect(String(run.outputs.primaryQueueUrl)).toMatch(
      /^https:\/\/sqs\.us-east-1\.amazonaws\.com\/123456789012\//,
    );
    expect(String(run.outputs.secondaryQueueUrl)).toMatch(
      /^https:\/\/sqs\.us-west-2\.amazonaws\.com\/123456789012\//,
    );
  });
});

describe("F1: processing follows the Aurora writer", () => {
  it("F1: with the writer in the secondary, the secondary's mapping is enabled and the primary's disabled", async () => {
    const moved = await runProgram({}, "dev", { aurora: { writer: "secondary" } });
    const enabled = (role: string, consumer = "processor") =>
      moved.named(
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        `tap-dev-${role}-service-${consumer}-sqs`,
      ).inputs.enabled;
    expect([enabled("primary"), enabled("secondary")]).toEqual([false, true]);
    expect([enabled("primary", "forwarder"), enabled("secondary", "forwarder")]).toEqual([true, false]);
  });
});
