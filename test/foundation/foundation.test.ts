import { subnetCidrs, usableZoneIds } from "../../lib/foundation/network";
import { KEY_VIA_SERVICES } from "../../lib/foundation/regional-key";
import { RecordedResource } from "../../tooling/mocks/recorded";
import { PRODUCTION_CONFIG, runProgram, ProgramRun } from "../program";

type Doc = {
  Statement: {
    Sid?: string;
    Effect: string;
    Principal?: unknown;
    Action: string | string[];
    Condition?: any;
  }[];
};
const doc = (r: RecordedResource, key = "policy"): Doc => JSON.parse(String(r.inputs[key]));
const byName = (run: ProgramRun, type: string, name: string) => run.named(type, name);

describe("foundation, default dev stack", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram();
  });

  it("P3: every resource names an explicit provider, and every AWS resource is in the primary, secondary or us-east-1 region", () => {
    const custom = run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    expect(custom.length).toBeGreaterThan(50);
    const noProvider = custom.filter((r) => !r.providerUrn || r.providerUrn.includes("default_"));
    expect(noProvider.map((r) => `${r.type} ${r.name}`)).toEqual([]);
    // X3: the writer lease's witness is the one thing in a third Region (tap:witnessRegion).
    const witness = (r: RecordedResource) =>
      r.name.startsWith("tap-dev-witness-") && r.region === "us-east-2";
    const misplaced = custom.filter(
      (r) =>
        r.type.startsWith("aws:") && !["us-east-1", "us-west-2"].includes(String(r.region)) && !witness(r),
    );
    expect(misplaced.map((r) => `${r.type} ${r.name} ${r.region}`)).toEqual([]);
    expect(custom.filter(witness).map((r) => r.type)).toEqual([
      "aws:kms/key:Key",
      "aws:kms/alias:Alias",
      "aws:dynamodb/table:Table",
      "aws:dynamodb/tableItem:TableItem",
    ]);
  });

  it("P3: only the explicit providers exist, each pinned to its region", () => {
    const providers = run.resources.filter((r) => r.type === "pulumi:providers:aws");
    expect(providers.map((p) => [p.name, p.inputs.region]).sort()).toEqual([
      ["tap-dev-primary", "us-east-1"],
      ["tap-dev-secondary", "us-west-2"],
      ["tap-dev-witness", "us-east-2"],
    ]);
  });

  it("P2: providers tag every resource with Environment, Project, ManagedBy and CostCenter", () => {
    for (const p of run.of("pulumi:providers:aws")) {
      expect(JSON.parse(String(p.inputs.defaultTags))).toEqual({
        tags: { Environment: "dev", Project: "tap", ManagedBy: "pulumi", CostCenter: "trading-platform" },
      });
    }
  });

  it("P2: every resource name carries the environment suffix", () => {
    const unsuffixed = run.resources.filter((r) => !r.name.startsWith("tap-dev"));
    expect(unsuffixed.map((r) => r.name)).toEqual([]);
  });

  it("P4: each region has a VPC with private subnets in at least two distinct AZs inside its CIDR", () => {
    for (const [role, cidr, region] of [
      ["primary", "10.10.0.0/16", "us-east-1"],
      ["secondary", "10.20.0.0/16", "us-west-2"],
    ]) {
      const vpc = byName(run, "aws:ec2/vpc:Vpc", `tap-dev-${role}-net-vpc`);
      expect(vpc.inputs).toMatchObject({ cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true });
      expect(vpc.region).toBe(region);
      const subnets = run
        .of("aws:ec2/subnet:Subnet")
        .filter((s) => s.name.startsWith(`tap-dev-${role}-net-`));
      expect(subnets.length).toBeGreaterThanOrEqual(2);
      expect(new Set(subnets.map((s) => s.inputs.availabilityZoneId)).size).toBe(subnets.length);
      expect(subnets.map((s) => s.inputs.cidrBlock)).toEqual(subnetCidrs(cidr, subnets.length));
      expect(subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false)).toBe(true);
    }
  });

  it("S2: subnets are placed by zone ID and never in use1-az3 (no RDS Proxy there)", () => {
    const zones = (role: string) =>
      run
        .of("aws:ec2/subnet:Subnet")
        .filter((s) => s.name.startsWith(`tap-dev-${role}-net-`))
        .map((s) => s.inputs.availabilityZoneId);
    // The mocked us-east-1 offers use1-az1..az4; az3 is skipped.
    expect(zones("primary")).toEqual(["use1-az1", "use1-az2", "use1-az4"]);
    expect(zones("secondary")).toEqual(["usw2-az1", "usw2-az2", "usw2-az3"]);
    expect(usableZoneIds(["use1-az3", "use1-az5"], "us-east-1", 1)).toEqual(["use1-az5"]);
    expect(() => usableZoneIds(["use1-az1", "use1-az3"], "us-east-1", 2)).toThrow(
      "us-east-1 has 1 usable AZs (use1-az1), need 2",
    );
  });

  it("P4: subnet CIDRs are carved without overlap", () => {
    expect(subnetCidrs("10.10.0.0/16", 3)).toEqual(["10.10.0.0/20", "10.10.16.0/20", "10.10.32.0/20"]);
    expect(subnetCidrs("172.16.4.0/22", 2)).toEqual(["172.16.4.0/26", "172.16.4.64/26"]);
  });

  it("P4: the network is private: no internet or NAT gateway, each subnet has its own route table", () => {
    expect(run.of("aws:ec2/internetGateway:InternetGateway")).toHaveLength(0);
    expect(run.of("aws:ec2/natGateway:NatGateway")).toHaveLength(0);
    const subnets = run.of("aws:ec2/subnet:Subnet").length;
    expect(run.of("aws:ec2/routeTable:RouteTable")).toHaveLength(subnets);
    expect(run.of("aws:ec2/routeTableAssociation:RouteTableAssociation")).toHaveLength(subnets);
  });

  it("P4: VPC flow logs capture all traffic into an encrypted log group with retention", () => {
    const logs = run.of("aws:ec2/flowLog:FlowLog");
    expect(logs).toHaveLength(2);
    for (const fl of logs) {
      expect(fl.inputs).toMatchObject({ trafficType: "ALL", logDestinationType: "cloud-watch-logs" });
    }
    const groups = run.of("aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.endsWith("-flow-logs"));
    expect(groups.map((g) => g.inputs.retentionInDays)).toEqual([30, 30]);
    expect(groups.every((g) => String(g.inputs.kmsKeyId).startsWith("arn:aws:kms:"))).toBe(true);
  });

  it("P4: the flow-log role has the actions AWS lists as its minimum, scoped to the region's log groups", () => {
    const policy = byName(run, "aws:iam/rolePolicy:RolePolicy", "tap-dev-secondary-net-flow-logs-policy");
    const statements = doc(policy).Statement as any[];
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual(
      [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
      ].sort(),
    );
    expect(
      statements
        .flatMap((s) => [s.Resource].flat())
        .every((r) => String(r).startsWith("arn:aws:logs:us-west-2:123456789012:log-group:")),
    ).toBe(true);
  });

  it("P4: the endpoints the Lambdas need exist in both regions", () => {
    const endpoints = run.of("aws:ec2/vpcEndpoint:VpcEndpoint");
    for (const region of ["us-east-1", "us-west-2"]) {
      const mine = endpoints.filter((e) => e.region === region);
      expect(mine.map((e) => [e.inputs.serviceName, e.inputs.vpcEndpointType]).sort()).toEqual(
        [
          [`com.amazonaws.${region}.dynamodb`, "Gateway"],
          [`com.amazonaws.${region}.s3`, "Gateway"],
          [`com.amazonaws.${region}.secretsmanager`, "Interface"],
          [`com.amazonaws.${region}.sqs`, "Interface"],
          [`com.amazonaws.${region}.lambda`, "Interface"],
        ].sort(),
      );
      for (const e of mine.filter((x) => x.inputs.vpcEndpointType === "Interface")) {
        expect(e.inputs.privateDnsEnabled).toBe(true);
      }
    }
  });

  it("P4: no security group opens anything to 0.0.0.0/0, and the default group is emptied", () => {
    for (const sg of run.of("aws:ec2/securityGroup:SecurityGroup")) {
      const rules = [...((sg.inputs.ingress as any[]) ?? []), ...((sg.inputs.egress as any[]) ?? [])];
      for (const rule of rules) expect(rule.cidrBlocks ?? []).not.toContain("0.0.0.0/0");
    }
    for (const d of run.of("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")) {
      expect(d.inputs.ingress).toEqual([]);
      expect(d.inputs.egress).toEqual([]);
    }
  });

  it("keys: one customer-managed key per region, rotated, aliased", () => {
    const keys = run.of("aws:kms/key:Key");
    expect(keys.map((k) => k.region).sort()).toEqual(["us-east-1", "us-east-2", "us-west-2"]); // us-east-2: X3's witness
    for (const k of keys) {
      expect(k.inputs.enableKeyRotation).toBe(true);
      expect(k.inputs.deletionWindowInDays).toBe(7);
    }
    expect(
      run
        .of("aws:kms/alias:Alias")
        .map((a) => a.inputs.name)
        .sort(),
    ).toEqual(["alias/tap-dev-primary-kms", "alias/tap-dev-secondary-kms", "alias/tap-dev-witness-key"]);
  });

  it("keys: the policy allows use only through the stack's services, logs of its region and alarm publishing", () => {
    const key = byName(run, "aws:kms/key:Key", "tap-dev-secondary-kms-key");
    const statements = doc(key).Statement;
    expect(statements.map((s) => s.Sid)).toEqual([
      "AccountAdministersKey",
      "UseThroughStackServices",
      "CloudWatchLogsForThisRegion",
      "CloudWatchAlarmsToEncryptedTopics",
    ]);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain("kms:*");
    const admin = statements[0];
    expect([admin.Action].flat()).not.toContain("kms:Decrypt");
    const via = statements[1].Condition.StringEquals;
    expect(via["kms:ViaService"]).toEqual(KEY_VIA_SERVICES.map((s) => `${s}.us-west-2.amazonaws.com`));
    expect(via["kms:CallerAccount"]).toBe("123456789012");
    expect(statements[2].Principal).toEqual({ Service: "logs.us-west-2.amazonaws.com" });
    expect(statements[2].Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toBe(
      "arn:aws:logs:us-west-2:123456789012:log-group:*",
    );
  });

  it("R1: an alert topic in each region, encrypted with that region's key", () => {
    const topics = run.of("aws:sns/topic:Topic");
    const keys = run.of("aws:kms/key:Key");
    expect(topics.map((t) => t.region).sort()).toEqual(["us-east-1", "us-west-2"]);
    for (const t of topics) {
      const key = keys.find((k) => k.region === t.region)!;
      expect(t.inputs.kmsMasterKeyId).toBe(key.state.arn);
    }
  });

  it("R1: topic policies let CloudWatch alarms publish and deny insecure transport", () => {
    for (const tp of run.of("aws:sns/topicPolicy:TopicPolicy")) {
      const s = doc(tp).Statement;
      expect(s.find((x) => x.Sid === "CloudWatchAlarmsPublish")?.Principal).toEqual({
        Service: "cloudwatch.amazonaws.com",
      });
      expect(s.find((x) => x.Sid === "DenyInsecureTransport")?.Effect).toBe("Deny");
    }
  });

  it("R1: without an alert e-mail there is no e-mail subscription", () => {
    expect(
      run.of("aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.protocol === "email"),
    ).toEqual([]);
  });

  it("R23: the primary topic delivers cross-region to a relay function that publishes to the secondary topic", () => {
    const relay = run.of("aws:lambda/function:Function").find((f) => f.name === "tap-dev-alert-relay-fn")!;
    const subs = run
      .of("aws:sns/topicSubscription:TopicSubscription")
      .filter((s) => s.inputs.endpoint === relay.state.arn);
    const primaryTopic = run.of("aws:sns/topic:Topic").find((t) => t.region === "us-east-1")!;
    const secondaryTopic = run.of("aws:sns/topic:Topic").find((t) => t.region === "us-west-2")!;
    expect(subs).toHaveLength(1);
    expect(subs[0].region).toBe("us-east-1"); // subscriptions are made in the topic's region
    expect(subs[0].inputs.topic).toBe(primaryTopic.state.arn);
    expect(relay.region).toBe("us-west-2");
    expect(subs[0].inputs.endpoint).toBe(relay.state.arn);
    expect((relay.inputs.environment as any).variables.TARGET_TOPIC_ARN).toBe(secondaryTopic.state.arn);
    const perm = run
      .of("aws:lambda/permission:Permission")
      .find((p) => p.name === "tap-dev-alert-relay-invoke-0")!;
    expect(perm.inputs).toMatchObject({ principal: "sns.amazonaws.com", sourceArn: primaryTopic.state.arn });
    const policy = run
      .of("aws:iam/rolePolicy:RolePolicy")
      .find((p) => p.name === "tap-dev-alert-relay-fn-policy")!;
    const publish = doc(policy).Statement.find((s) => s.Sid === "PublishToTarget")!;
    expect(publish).toMatchObject({ Action: "sns:Publish", Resource: secondaryTopic.state.arn });
  });
});

describe("publishing to encrypted topics", () => {
  it("R23: every role that may publish to a KMS-encrypted topic may also use that topic's key", async () => {
    const run = await runProgram();
    const topics = run.of("aws:sns/topic:Topic");
    const publishers = run
      .of("aws:iam/rolePolicy:RolePolicy")
      .filter((p) => String(p.inputs.policy).includes("sns:Publish"));
    expect(publishers.length).toBeGreaterThanOrEqual(2);
    for (const p of publishers) {
      const statements = doc(p).Statement as any[];
      const published = statements
        .filter((s) => [s.Action].flat().includes("sns:Publish"))
        .flatMap((s) => [s.Resource].flat());
      const usable = statements
        .filter((s) => [s.Action].flat().includes("kms:GenerateDataKey"))
        .flatMap((s) => [s.Resource].flat());
      for (const arn of published) {
        const topic = topics.find((t) => t.state.arn === arn)!;
        expect([p.name, arn, usable]).toEqual([
          p.name,
          arn,
          expect.arrayContaining([topic.inputs.kmsMasterKeyId]),
        ]);
      }
    }
  });
});

describe("foundation, other configurations", () => {
  it("R1: an alert e-mail subscribes to the topic in each region", async () => {
    const run = await runProgram({ alertEmail: "oncall@example.com" });
    const emails = run.resources.filter(
      (r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.inputs.protocol === "email",
    );
    expect(emails.map((e) => [e.region, e.inputs.endpoint]).sort()).toEqual([
      ["us-east-1", "oncall@example.com"],
      ["us-west-2", "oncall@example.com"],
    ]);
  });

  it("P3: with neither region in us-east-1, a us-east-1 key and topic exist for Route 53 alarms and relay to the secondary", async () => {
    const run = await runProgram({ primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
    const providers = run.resources
      .filter((r) => r.type === "pulumi:providers:aws")
      .map((p) => p.inputs.region);
    expect(providers.sort()).toEqual(["eu-central-1", "eu-west-1", "us-east-1", "us-east-2"]); // us-east-2: X3's witness
    const topics = run.resources.filter((r) => r.type === "aws:sns/topic:Topic").map((t) => t.region);
    expect(topics.sort()).toEqual(["eu-central-1", "eu-west-1", "us-east-1"]);
    const relaySubs = run.resources.filter(
      (r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.name.includes("-alert-relay-"),
    );
    expect(relaySubs.map((s) => s.region).sort()).toEqual(["eu-west-1", "us-east-1"]);
    expect(
      run.resources
        .filter((r) => r.type === "aws:ec2/vpc:Vpc")
        .map((v) => v.region)
        .sort(),
    ).toEqual(["eu-central-1", "eu-west-1"]);
  });

  it("P1: invalid config fails before any resource is declared, listing every problem", async () => {
    await expect(runProgram({ secondaryRegion: "us-east-1", environmentSuffix: "" })).rejects.toThrow(
      /Invalid stack configuration \(2 problem\(s\)\):\n {2}- environmentSuffix: must not be empty\n {2}- primaryRegion and secondaryRegion/,
    );
    const { recorded } = await import("../../tooling/mocks/recorder");
    expect(recorded().filter((r) => r.custom)).toEqual([]);
  });

  it("P3: the program refuses to run unless default providers are disabled", async () => {
    await expect(runProgram({ "pulumi:disable-default-providers": "[]" })).rejects.toThrow(
      /pulumi:disable-default-providers must be \["\*"\]/,
    );
  });

  it("P8: production keeps keys for 30 days and protects them", async () => {
    const run = await runProgram(PRODUCTION_CONFIG, "prod");
    for (const k of run.resources.filter((r) => r.type === "aws:kms/key:Key")) {
      expect(k.inputs.deletionWindowInDays).toBe(30);
      expect(k.protect).toBe(true);
    }
  });
});
