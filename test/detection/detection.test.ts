import { CANARY_HANDLER, CANARY_PACKAGE_PATH, CANARY_SOURCE } from "../../lib/detection/health-canary";
import { compositeRule } from "../../lib/monitoring/monitoring";
import { ProgramRun, runProgram } from "../program";

let run: ProgramRun;
const of = (type: string) => run.of(type);
const named = (type: string, name: string) => run.named(type, name);
const topicIn = (region: string) => of("aws:sns/topic:Topic").find((t) => t.region === region)!.state.arn;
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

beforeAll(async () => {
  run = await runProgram();
});

describe("Route 53 health checks", () => {
  it.each([
    ["primary", "us-east-1"],
    ["secondary", "us-west-2"],
  ])(
    "R5: the %s health check polls the regional /health over HTTPS on 443 every 30 s, threshold 3",
    (role, region) => {
      const hc = named("aws:route53/healthCheck:HealthCheck", `tap-dev-${role}-service-health-check`);
      const api = named("aws:apigateway/restApi:RestApi", `tap-dev-${role}-service-api`);
      expect(hc.inputs).toMatchObject({
        type: "HTTPS",
        port: 443,
        fqdn: `${api.id}.execute-api.${region}.amazonaws.com`,
        resourcePath: "/v1/health",
        requestInterval: 30,
        failureThreshold: 3,
        measureLatency: true,
        enableSni: true,
      });
    },
  );

  it("R5: the interval and threshold follow config", async () => {
    const other = await runProgram({ healthCheckIntervalSeconds: "10", healthCheckFailureThreshold: "5" });
    const hc = other.resources.find((r) => r.name === "tap-dev-primary-service-health-check")!;
    expect([hc.inputs.requestInterval, hc.inputs.failureThreshold]).toEqual([10, 5]);
  });

  it("R6: an alarm on the primary health check's status lives in us-east-1 and notifies the us-east-1 topic", () => {
    const hc = named("aws:route53/healthCheck:HealthCheck", "tap-dev-primary-service-health-check");
    const alarm = named(ALARM, "tap-dev-primary-service-health-alarm");
    expect(alarm.region).toBe("us-east-1");
    expect(hc.region).toBe("us-east-1");
    expect(alarm.inputs).toMatchObject({
      namespace: "AWS/Route53",
      metricName: "HealthCheckStatus",
      dimensions: { HealthCheckId: hc.id },
      statistic: "Minimum",
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      alarmActions: [topicIn("us-east-1")],
      okActions: [topicIn("us-east-1")],
    });
  });

  it("R6: with both regions outside us-east-1 the health-check alarm and its topic are still in us-east-1", async () => {
    const other = await runProgram({ primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
    const alarm = other.resources.find((r) => r.name === "tap-dev-primary-service-health-alarm")!;
    const topic = other.resources.find((r) => r.type === "aws:sns/topic:Topic" && r.region === "us-east-1")!;
    expect(alarm.region).toBe("us-east-1");
    expect(alarm.inputs.alarmActions).toEqual([topic.state.arn]);
    expect(other.resources.find((r) => r.name === "tap-dev-primary-service-health-check")!.region).toBe(
      "us-east-1",
    );
  });

  it("R5: without a hosted zone there are no DNS records or certificates, and everything else deploys", () => {
    expect(of("aws:route53/record:Record")).toEqual([]);
    expect(of("aws:acm/certificate:Certificate")).toEqual([]);
    expect(of("aws:route53/healthCheck:HealthCheck")).toHaveLength(2);
  });

  it("R5: with a hosted zone, failover records tie PRIMARY to the primary health check, with certificates in both regions", async () => {
    const other = await runProgram({
      hostedZoneName: "example.com",
      apiDomainName: "api.example.com",
      dnsTtlSeconds: "30",
    });
    const records = other.resources.filter(
      (r) => r.type === "aws:route53/record:Record" && r.name.endsWith("-record"),
    );
    const checks = other.resources.filter((r) => r.type === "aws:route53/healthCheck:HealthCheck");
    const primaryCheck = checks.find((c) => c.name === "tap-dev-primary-service-health-check")!;
    const secondaryCheck = checks.find((c) => c.name === "tap-dev-secondary-service-health-check")!;
    expect(
      records.map((r) => [
        (r.inputs.failoverRoutingPolicies as any)[0].type,
        r.inputs.healthCheckId,
        r.inputs.ttl,
        r.inputs.name,
      ]),
    ).toEqual([
      ["PRIMARY", primaryCheck.id, 30, "api.example.com"],
      ["SECONDARY", secondaryCheck.id, 30, "api.example.com"],
    ]);
    const certs = other.resources.filter((r) => r.type === "aws:acm/certificate:Certificate");
    expect(certs.map((c) => [c.region, c.inputs.domainName, c.inputs.validationMethod])).toEqual([
      ["us-east-1", "api.example.com", "DNS"],
      ["us-west-2", "api.example.com", "DNS"],
    ]);
    const domains = other.resources.filter((r) => r.type === "aws:apigateway/domainName:DomainName");
    expect(
      domains.map((d) => [d.region, (d.inputs.endpointConfiguration as any).types, d.inputs.securityPolicy]),
    ).toEqual([
      ["us-east-1", "REGIONAL", "TLS_1_2"],
      ["us-west-2", "REGIONAL", "TLS_1_2"],
    ]);
    expect(other.outputs.apiUrl).toBe("https://api.example.com");
    // One validation record serves both regions' certificates, so destroying one cannot orphan the other.
    const validationRecords = other.resources.filter(
      (r) => r.type === "aws:route53/record:Record" && r.name.endsWith("-cert-validation"),
    );
    expect(validationRecords).toHaveLength(1);
    const validations = other.resources.filter(
      (r) => r.type === "aws:acm/certificateValidation:CertificateValidation",
    );
    expect(validations.map((v) => [v.region, v.inputs.validationRecordFqdns])).toEqual([
      ["us-east-1", [validationRecords[0].state.fqdn]],
      ["us-west-2", [validationRecords[0].state.fqdn]],
    ]);
  });
});

describe("monitoring", () => {
  it("R20: every alarm, with no exception, has SNS alarm actions and OK actions in its own region", () => {
    const alarms = [...of(ALARM), ...of("aws:cloudwatch/compositeAlarm:CompositeAlarm")];
    expect(alarms.length).toBeGreaterThanOrEqual(20);
    for (const a of alarms) {
      const topic = topicIn(String(a.region));
      expect([a.name, a.inputs.alarmActions, a.inputs.okActions]).toEqual([a.name, [topic], [topic]]);
    }
  });

  it("B6: the alarms cover replication, processing, queues and the API in both regions", () => {
    const ids = of(ALARM).map((a) => a.name.replace(/^tap-dev-(monitoring-)?/, ""));
    for (const expected of [
      "aurora-replication-lag",
      "primary-service-processor-fn-errors",
      "secondary-service-processor-fn-errors",
      "primary-processor-throttles",
      "primary-dlq-depth",
      "secondary-dlq-depth",
      "primary-oldest-message",
      "primary-api-5xx",
      "primary-api-p99-latency",
      "secondary-api-p99-latency",
      "primary-dynamodb-replication-latency",
      "primary-s3-replication-failed",
      "secondary-s3-replication-latency",
    ]) {
      expect(ids).toContain(expected);
    }
    // One Errors alarm per processor, the processor's own: Monitoring no longer adds a second one.
    expect(ids.filter((id) => id.endsWith("processor-errors"))).toEqual([]);
    const p99 = named(ALARM, "tap-dev-monitoring-primary-api-p99-latency");
    expect(p99.inputs).toMatchObject({
      extendedStatistic: "p99",
      namespace: "AWS/ApiGateway",
      metricName: "Latency",
    });
    // S3 publishes failed operations in the source region and latency in the destination region.
    expect(named(ALARM, "tap-dev-monitoring-primary-s3-replication-failed").region).toBe("us-east-1");
    expect(named(ALARM, "tap-dev-monitoring-secondary-s3-replication-latency").region).toBe("us-west-2");
    const ddb = named(ALARM, "tap-dev-monitoring-primary-dynamodb-replication-latency");
    expect(ddb.region).toBe("us-east-1");
    expect((ddb.inputs.dimensions as any).ReceivingRegion).toBe("us-west-2");
  });

  it("R19: the composite alarm ORs the primary region's critical alarms and only alarms of its own region", () => {
    const composite = of("aws:cloudwatch/compositeAlarm:CompositeAlarm");
    expect(composite).toHaveLength(1);
    expect(composite[0].region).toBe("us-east-1");
    const rule = String(composite[0].inputs.alarmRule);
    const referenced = [...rule.matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(rule).toBe(referenced.map((n) => `ALARM("${n}")`).join(" OR "));
    expect(rule).not.toMatch(/ AND /);
    const byName = new Map(of(ALARM).map((a) => [String(a.state.name), a]));
    for (const n of referenced) expect([n, byName.get(n)?.region]).toEqual([n, "us-east-1"]);
    expect(referenced.length).toBeGreaterThanOrEqual(8);
    expect(referenced).toContain(named(ALARM, "tap-dev-primary-service-health-alarm").state.name);
    expect(referenced).toContain(named(ALARM, "tap-dev-primary-service-canary-success").state.name);
    // The primary processor's errors are critical, the secondary's (a standby) are not.
    expect(referenced).toContain(named(ALARM, "tap-dev-primary-service-processor-fn-errors").state.name);
    expect(referenced).not.toContain(
      named(ALARM, "tap-dev-secondary-service-processor-fn-errors").state.name,
    );
  });

  it("R19: the processor's Errors alarm (the composite's member) fires on one minute with any error", () => {
    for (const role of ["primary", "secondary"]) {
      const fn = named("aws:lambda/function:Function", `tap-dev-${role}-service-processor-fn`);
      const i = named(ALARM, `tap-dev-${role}-service-processor-fn-errors`).inputs;
      const evaluation = [
        i.period,
        i.evaluationPeriods,
        i.datapointsToAlarm,
        i.threshold,
        i.comparisonOperator,
      ];
      expect([i.metricName, i.dimensions, i.statistic, evaluation, i.treatMissingData]).toEqual([
        "Errors",
        { FunctionName: fn.state.name },
        "Sum",
        [60, 1, undefined, 1, "GreaterThanOrEqualToThreshold"],
        "notBreaching",
      ]);
    }
  });

  it("R19: the rule builder joins with OR and refuses what CloudWatch would refuse", () => {
    expect(compositeRule(["a", "b", "c"])).toBe('ALARM("a") OR ALARM("b") OR ALARM("c")');
    expect(() => compositeRule([])).toThrow(/at least one/);
    expect(() => compositeRule(Array.from({ length: 101 }, (_, i) => `a${i}`))).toThrow(/at most 100/);
  });

  it("R3: the monitoring component depends on Aurora, both order processors, both APIs and the SNS topics", () => {
    const monitoring = of("tap:monitoring:Monitoring")[0];
    const needed = [
      ...of("tap:data:AuroraGlobalDatabase"),
      ...of("tap:orders:OrderProcessor"),
      ...of("tap:orders:OrderApi"),
      ...of("tap:foundation:AlertTopic"),
    ];
    expect(needed).toHaveLength(1 + 2 + 2 + 2);
    for (const c of needed) expect([c.name, run.waitsFor(monitoring, c)]).toEqual([c.name, true]);
  });

  it("B6: one dashboard, in the secondary region, shows both regions side by side", () => {
    const dash = of("aws:cloudwatch/dashboard:Dashboard");
    expect(dash).toHaveLength(1);
    expect(dash[0].region).toBe("us-west-2");
    const body = JSON.parse(String(dash[0].inputs.dashboardBody));
    const titles = body.widgets.map((w: any) => w.properties.title);
    for (const t of [
      "us-east-1: canary success %",
      "us-west-2: canary success %",
      "us-east-1: queue depth and DLQ",
      "us-west-2: errors",
    ]) {
      expect(titles).toContain(t);
    }
    expect(titles).toContain("Replication lag (ms)");
    const hc = body.widgets.find((w: any) => w.properties.title.startsWith("Route 53"));
    expect(hc.properties.region).toBe("us-east-1");
    expect(run.outputs.dashboardName).toBe(dash[0].inputs.dashboardName);
  });
});

describe("failover orchestrator infrastructure", () => {
  const fn = () => named("aws:lambda/function:Function", "tap-dev-failover-fn");

  it("R21: the failover Lambda runs in the secondary region with a 300 s timeout", () => {
    expect(fn().region).toBe("us-west-2");
    expect(fn().inputs).toMatchObject({
      timeout: 300,
      runtime: "nodejs22.x",
    });
    const env = (fn().inputs.environment as any).variables;
    expect(Number(env.TIME_BUDGET_MS)).toBeLessThan(300_000);
    expect(env).toMatchObject({
      GLOBAL_CLUSTER_ID: run.outputs.globalClusterId,
      TARGET_CLUSTER_ARN: run.outputs.secondaryClusterArn,
      ALERT_TOPIC_ARN: topicIn("us-west-2"),
      ALARM_ACTION: "notify",
    });
  });

  it("X4: the failover Lambda knows the primary's cluster, so a failback is the same function aimed at it", () => {
    const env = (fn().inputs.environment as any).variables;
    expect(env.FAILBACK_CLUSTER_ARN).toBe(run.outputs.primaryClusterArn);
    expect(env.FAILBACK_CLUSTER_ARN).not.toBe(env.TARGET_CLUSTER_ARN);
  });

  it("R22: Lambda never retries a run by itself (a retry could act twice)", () => {
    const cfg = named(
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
      "tap-dev-failover-async",
    );
    expect(cfg.inputs.maximumRetryAttempts).toBe(0);
  });

  it("P7: the role may only touch the global cluster and its members, and publish to the two topics", () => {
    const statements = JSON.parse(
      String(named("aws:iam/rolePolicy:RolePolicy", "tap-dev-failover-fn-policy").inputs.policy),
    ).Statement;
    const promote = statements.find((s: any) => s.Sid === "PromoteSecondary");
    const globalArn = of("aws:rds/globalCluster:GlobalCluster")[0].state.arn;
    const clusterArns = of("aws:rds/cluster:Cluster").map((c) => c.state.arn);
    expect(promote.Action).toEqual(["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"]);
    expect(promote.Resource.sort()).toEqual([globalArn, ...clusterArns].sort());
    expect(statements.find((s: any) => s.Sid === "Notify").Resource.sort()).toEqual(
      [topicIn("us-east-1"), topicIn("us-west-2")].sort(),
    );
    const wildcard = statements.filter((s: any) => s.Resource === "*").flatMap((s: any) => [s.Action].flat());
    // GetMetricData has no resource-level permissions (the RPO lag read before a failover, F3).
    expect(wildcard).toEqual([
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "cloudwatch:GetMetricData",
    ]);
  });

  it("F2/F3: the orchestrator knows both regions' intake, acts only on its trigger alarms, and may flip mappings and redrive DLQs", () => {
    const env = (fn().inputs.environment as any).variables;
    const mapping = (role: string, consumer = "processor") =>
      named("aws:lambda/eventSourceMapping:EventSourceMapping", `tap-dev-${role}-service-${consumer}-sqs`);
    const queue = (role: string, suffix: string) =>
      named("aws:sqs/queue:Queue", `tap-dev-${role}-service-orders${suffix ? `-${suffix}` : ""}`);
    expect(JSON.parse(env.PROCESSING_SITES)).toEqual(
      (["primary", "secondary"] as const).map((role) => ({
        region: role === "primary" ? "us-east-1" : "us-west-2",
        mappingUuid: mapping(role).state.uuid,
        forwarderMappingUuid: mapping(role, "forwarder").state.uuid,
        queueArn: queue(role, "").state.arn,
        dlqArn: queue(role, "dlq").state.arn,
      })),
    );
    expect(env.ALLOWED_ALARMS.split(",")).toEqual([
      named(ALARM, "tap-dev-primary-service-health-alarm").state.name,
    ]);
    const statements = JSON.parse(
      String(named("aws:iam/rolePolicy:RolePolicy", "tap-dev-failover-fn-policy").inputs.policy),
    ).Statement;
    const sid = (id: string) => statements.find((s: any) => s.Sid === id);
    expect(sid("ProcessingFollowsWriter").Resource).toEqual([
      mapping("primary").state.arn,
      mapping("primary", "forwarder").state.arn,
      mapping("secondary").state.arn,
      mapping("secondary", "forwarder").state.arn,
    ]);
    expect(sid("RedriveDeadLetters").Resource).toEqual([
      queue("primary", "dlq").state.arn,
      queue("secondary", "dlq").state.arn,
    ]);
    expect(sid("RedriveDeadLetters").Action).toContain("sqs:StartMessageMoveTask");
  });

  it("F4: the alarms that can start a failover don't fire on missing data and need 2 bad periods of 3", () => {
    const health = named(ALARM, "tap-dev-primary-service-health-alarm").inputs;
    const probe = named(ALARM, "tap-dev-secondary-service-probe-success").inputs;
    expect([health.treatMissingData, health.datapointsToAlarm, health.evaluationPeriods]).toEqual([
      "notBreaching",
      2,
      3,
    ]);
    expect([probe.treatMissingData, probe.datapointsToAlarm, probe.evaluationPeriods]).toEqual([
      "ignore",
      2,
      3,
    ]);
  });

  it("F4: every function on the DR path has an error alarm to its own region's topic", () => {
    for (const [fnName, region] of [
      ["tap-dev-failover-fn", "us-west-2"],
      ["tap-dev-alert-relay-fn", "us-west-2"],
      ["tap-dev-primary-service-api-health", "us-east-1"],
      ["tap-dev-secondary-service-api-health", "us-west-2"],
      ["tap-dev-primary-service-processor-fn", "us-east-1"],
      ["tap-dev-secondary-service-processor-fn", "us-west-2"],
    ]) {
      const alarm = named(ALARM, `${fnName}-errors`);
      expect([alarm.region, alarm.inputs.metricName, alarm.inputs.treatMissingData]).toEqual([
        region,
        "Errors",
        "notBreaching",
      ]);
      expect(alarm.inputs.alarmActions).toEqual([topicIn(region)]);
    }
  });

  it("F4: a replication-lag alarm watches each cluster in its own region and is quiet where no lag is published", () => {
    for (const [name, region] of [
      ["tap-dev-aurora-replication-lag", "us-west-2"],
      ["tap-dev-aurora-primary-replication-lag", "us-east-1"],
    ]) {
      const alarm = named(ALARM, name);
      expect([alarm.region, alarm.inputs.metricName, alarm.inputs.treatMissingData]).toEqual([
        region,
        "AuroraGlobalDBReplicationLag",
        "notBreaching",
      ]);
    }
  });

  it("F4: the canary and the flow log wait for their role policies", () => {
    const canary = named("aws:synthetics/canary:Canary", "tap-dev-secondary-service-probe");
    const canaryPolicy = of("aws:iam/rolePolicy:RolePolicy").find((r) =>
      r.name.startsWith("tap-dev-secondary-service-probe"),
    )!;
    expect(canary.dependencies).toContain(canaryPolicy.urn);
    const flowLog = of("aws:ec2/flowLog:FlowLog").find((r) => r.region === "us-west-2")!;
    const flowPolicy = named("aws:iam/rolePolicy:RolePolicy", "tap-dev-secondary-net-flow-logs-policy");
    expect(flowLog.dependencies).toContain(flowPolicy.urn);
  });

  it("X2/P7: only Route 53's health alarm (checkers in several Regions) triggers it; the secondary's probe alone never does", () => {
    const subs = of("aws:sns/topicSubscription:TopicSubscription").filter(
      (x) => x.inputs.endpoint === fn().state.arn,
    );
    const health = named(ALARM, "tap-dev-primary-service-health-alarm");
    expect(
      subs.map((x) => [
        x.name,
        x.region,
        x.inputs.topic,
        x.inputs.filterPolicyScope,
        JSON.parse(String(x.inputs.filterPolicy)),
      ]),
    ).toEqual([
      [
        "tap-dev-failover-primary-health-trigger",
        "us-east-1",
        topicIn("us-east-1"),
        "MessageBody",
        { AlarmName: [health.state.name], NewStateValue: ["ALARM"] },
      ],
    ]);
    const perm = named("aws:lambda/permission:Permission", "tap-dev-failover-primary-health-invoke");
    expect(perm.inputs.principal).toBe("sns.amazonaws.com");
    expect(run.resources.some((r) => r.name === "tap-dev-failover-secondary-probe-trigger")).toBe(false);
  });

  it("X2: the function reads the primary's Route 53 health check, and may read only that one", () => {
    const hc = named("aws:route53/healthCheck:HealthCheck", "tap-dev-primary-service-health-check");
    const env = (fn().inputs.environment as any).variables;
    expect(env.PRIMARY_HEALTH_CHECK_ID).toBe(hc.id);
    const statements = JSON.parse(
      String(named("aws:iam/rolePolicy:RolePolicy", "tap-dev-failover-fn-policy").inputs.policy),
    ).Statement;
    expect(statements.find((s: any) => s.Sid === "ReadPrimaryCheckers")).toEqual({
      Sid: "ReadPrimaryCheckers",
      Effect: "Allow",
      Action: "route53:GetHealthCheckStatus",
      Resource: `arn:aws:route53:::healthcheck/${hc.id}`,
    });
  });

  it("P7: the probe watches the primary's API from the secondary region, so detection survives the loss of us-east-1", () => {
    const probe = named("aws:synthetics/canary:Canary", "tap-dev-secondary-service-probe");
    expect(probe.region).toBe("us-west-2");
    expect(probe.inputs.name).toBe("tap-dev-x-cnry");
    expect((probe.inputs.runConfig as any).environmentVariables.API_BASE_URL).toBe(
      run.outputs.primaryApiEndpoint,
    );
    expect(named(ALARM, "tap-dev-secondary-service-probe-success").inputs.alarmActions).toEqual([
      topicIn("us-west-2"),
    ]);
  });

  it("R4: the failover function ARN, health checks, canaries, composite alarm and dashboard are outputs", () => {
    expect(run.outputs.failoverFunctionArn).toBe(fn().state.arn);
    expect(run.outputs.primaryHealthCheckId).toBe(
      named("aws:route53/healthCheck:HealthCheck", "tap-dev-primary-service-health-check").id,
    );
    expect(run.outputs.canaryNames).toEqual(["tap-dev-p-cnry", "tap-dev-s-cnry", "tap-dev-x-cnry"]);
    expect(run.outputs.compositeAlarmName).toBe("tap-dev-monitoring-primary-critical");
  });
});

describe("Synthetics canaries", () => {
  it.each([
    ["primary", "us-east-1", "tap-dev-p-cnry"],
    ["secondary", "us-west-2", "tap-dev-s-cnry"],
  ])(
    "R24: the %s canary runs the Node.js script on the configured Puppeteer runtime against its own API",
    (role, region, name) => {
      const canary = named("aws:synthetics/canary:Canary", `tap-dev-${role}-service-canary`);
      expect(canary.region).toBe(region);
      expect(canary.inputs).toMatchObject({
        name,
        runtimeVersion: "syn-nodejs-puppeteer-15.0",
        handler: "health-canary.handler",
        startCanary: true,
        schedule: { expression: "rate(5 minutes)" },
      });
      expect((canary.inputs.runConfig as any).environmentVariables.API_BASE_URL).toBe(
        run.outputs[`${role}ApiEndpoint`],
      );
      expect(String(canary.inputs.name).length).toBeLessThanOrEqual(21);
      expect((canary.inputs.artifactConfig as any).s3Encryption.encryptionMode).toBe("SSE_KMS");
    },
  );

  it("R24: the code package puts the script where Node.js Puppeteer runtimes load it", () => {
    const code = named("aws:s3/bucketObjectv2:BucketObjectv2", "tap-dev-primary-service-canary-code");
    const source = code.inputs.source as any;
    const assets = JSON.stringify(source);
    expect(assets).toContain(CANARY_PACKAGE_PATH);
    expect(CANARY_PACKAGE_PATH).toBe("nodejs/node_modules/health-canary.js");
    expect(CANARY_HANDLER).toBe("health-canary.handler");
    expect(assets).toContain(CANARY_SOURCE);
  });

  it("R24: the handler named in the canary is an exported function of the packaged file", () => {
    const [file, fnName] = CANARY_HANDLER.split(".");
    expect(CANARY_PACKAGE_PATH.endsWith(`/${file}.js`)).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(CANARY_SOURCE);
    expect(typeof mod[fnName]).toBe("function");
  });

  it.each([
    ["primary", "us-east-1"],
    ["secondary", "us-west-2"],
  ])("R25: the %s canary's SuccessPercent below 90%% raises an alarm to SNS", (role, region) => {
    const alarm = named(ALARM, `tap-dev-${role}-service-canary-success`);
    const canary = named("aws:synthetics/canary:Canary", `tap-dev-${role}-service-canary`);
    expect(alarm.region).toBe(region);
    expect(alarm.inputs).toMatchObject({
      namespace: "CloudWatchSynthetics",
      metricName: "SuccessPercent",
      dimensions: { CanaryName: canary.state.name },
      threshold: 90,
      comparisonOperator: "LessThanThreshold",
      alarmActions: [topicIn(region)],
    });
  });

  it("R24: canary results expire after 30 days but the canary's own code is kept", () => {
    const bucket = named("aws:s3/bucket:Bucket", "tap-dev-primary-service-canary-artifacts");
    const lifecycle = of("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find(
      (l) => l.inputs.bucket === bucket.id,
    )!;
    const expiring = (lifecycle.inputs.rules as any[]).filter((r) => r.expiration);
    expect(expiring).toEqual([
      { id: "expire-current", status: "Enabled", filter: { prefix: "results/" }, expiration: { days: 30 } },
    ]);
    const code = named("aws:s3/bucketObjectv2:BucketObjectv2", "tap-dev-primary-service-canary-code");
    expect(String(code.inputs.key).startsWith("results/")).toBe(false);
    const versioning = of("aws:s3/bucketVersioning:BucketVersioning").find(
      (v) => v.inputs.bucket === bucket.id,
    )!;
    expect(code.dependencies).toContain(versioning.urn);
    const canary = named("aws:synthetics/canary:Canary", "tap-dev-primary-service-canary");
    expect(String(canary.inputs.artifactS3Location)).toBe(`s3://${bucket.state.bucket}/results/`);
  });

  it("R24: the canary role has what AWS documents for canaries, scoped where AWS allows", () => {
    const statements = JSON.parse(
      String(named("aws:iam/rolePolicy:RolePolicy", "tap-dev-primary-service-canary-policy").inputs.policy),
    ).Statement;
    const bySid = Object.fromEntries(statements.map((s: any) => [s.Sid, s]));
    expect(bySid.CanaryMetrics.Condition).toEqual({
      StringEquals: { "cloudwatch:namespace": "CloudWatchSynthetics" },
    });
    expect(bySid.CanaryLogs.Resource).toBe(
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/cwsyn-*",
    );
    expect(bySid.WriteArtifacts.Action).toContain("s3:PutObject");
    expect(bySid.ListBuckets.Action).toBe("s3:ListAllMyBuckets");
    expect(bySid.Tracing.Action).toBe("xray:PutTraceSegments");
  });
});
