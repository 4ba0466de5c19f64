/**
 * S1, S2, S7, S8 under the Pulumi mocks: POST /orders is never anonymous, the JWT authorizer and its
 * cache bound, the entitlement attributes the SQS integration sets, the web ACL, the account setting,
 * and templates that stay valid JSON whatever API Gateway substitutes into them.
 */
import {
  ACCESS_LOG_FORMAT,
  BAD_BODY_TEMPLATE,
  sqsRequestTemplate,
} from "../../lib/orders/order-api-templates";
import {
  checkWebAclArgs,
  MANAGED_RULE_GROUPS,
  WAF_LOG_GROUP_PREFIX,
  WebAcl,
} from "../../lib/security/web-acl";
import { checkOrderAuthorizerArgs } from "../../lib/orders/order-authorizer";
import { ProgramRun, runProgram } from "../program";

const ROLES = [
  ["primary", "us-east-1"],
  ["secondary", "us-west-2"],
] as const;
const JWT = {
  authMode: "jwt",
  authIssuer: "https://idp.example.com/",
  authAudience: "tap-orders",
  authJwksUrl: "https://idp.example.com/.well-known/jwks.json",
  authResultTtlSeconds: "120",
};

describe("jwt stack", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(JWT);
  });

  it.each(ROLES)("S1: %s POST /orders uses the JWT authorizer; GET /health alone stays open", (role) => {
    const methods = run
      .of("aws:apigateway/method:Method")
      .filter((m) => m.name.startsWith(`tap-dev-${role}-`));
    const auth = run.named(
      "aws:apigateway/authorizer:Authorizer",
      `tap-dev-${role}-service-api-auth-authorizer`,
    );
    const seen = methods.map((m) => [m.inputs.httpMethod, m.inputs.authorization, m.inputs.authorizerId]);
    expect(seen.sort()).toEqual([
      ["GET", "NONE", undefined],
      ["POST", "CUSTOM", auth.id],
    ]);
  });

  it.each(ROLES)(
    "S1, S4: the %s authorizer reads the bearer token, caches answers 120 s and bounds token age",
    (role, region) => {
      const auth = run.named(
        "aws:apigateway/authorizer:Authorizer",
        `tap-dev-${role}-service-api-auth-authorizer`,
      );
      const fn = run.named("aws:lambda/function:Function", `tap-dev-${role}-service-api-auth-fn`);
      expect(auth.region).toBe(region);
      expect(auth.inputs).toMatchObject({
        type: "TOKEN",
        identitySource: "method.request.header.Authorization",
        authorizerResultTtlInSeconds: 120,
        authorizerUri: fn.state.invokeArn,
      });
      expect((fn.inputs.environment as any).variables).toEqual({
        AUTH_ISSUER: "https://idp.example.com/",
        AUTH_AUDIENCE: "tap-orders",
        AUTH_JWKS_URL: "https://idp.example.com/.well-known/jwks.json",
        AUTH_ACCOUNTS_CLAIM: "accounts",
        AUTH_MAX_TOKEN_AGE_SECONDS: "3600",
      });
      // The same issuer in both regions: one token works wherever DNS sends the client.
      expect(fn.inputs.vpcConfig).toBeUndefined();
    },
  );

  it.each(ROLES)("S4: only this API's authorizer may invoke the %s authorizer function", (role) => {
    const perm = run.named("aws:lambda/permission:Permission", `tap-dev-${role}-service-api-auth-invoke`);
    const api = run.named("aws:apigateway/restApi:RestApi", `tap-dev-${role}-service-api`);
    const auth = run.named(
      "aws:apigateway/authorizer:Authorizer",
      `tap-dev-${role}-service-api-auth-authorizer`,
    );
    expect(perm.inputs).toMatchObject({
      principal: "apigateway.amazonaws.com",
      sourceArn: `${api.state.executionArn}/authorizers/${auth.id}`,
    });
  });

  it.each(ROLES)("S1: the %s SQS integration carries the authorizer's accounts and principal", (role) => {
    const integ = run.named(
      "aws:apigateway/integration:Integration",
      `tap-dev-${role}-service-api-post-orders-sqs`,
    );
    const template = String((integ.inputs.requestTemplates as any)["application/json"]);
    expect(template).toBe(
      "Action=SendMessage&MessageBody=$util.urlEncode($input.body)" +
        "&MessageAttribute.1.Name=entitledAccounts&MessageAttribute.1.Value.DataType=String" +
        "&MessageAttribute.1.Value.StringValue=$util.urlEncode($context.authorizer.accounts)" +
        "&MessageAttribute.2.Name=principal&MessageAttribute.2.Value.DataType=String" +
        "&MessageAttribute.2.Value.StringValue=$util.urlEncode($context.authorizer.principalId)" +
        "&MessageAttribute.3.Name=acceptedAt&MessageAttribute.3.Value.DataType=String" +
        "&MessageAttribute.3.Value.StringValue=$context.requestTimeEpoch",
    );
  });
});

describe("dev stack defaults", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram({ iamEntitledAccounts: "ACC-1,ACC-2" });
  });

  it("S1: iam mode: POST /orders needs SigV4 (AWS_IAM), and no authorizer exists", () => {
    const posts = run.of("aws:apigateway/method:Method").filter((m) => m.inputs.httpMethod === "POST");
    expect(posts.map((m) => m.inputs.authorization)).toEqual(["AWS_IAM", "AWS_IAM"]);
    expect(run.of("aws:apigateway/authorizer:Authorizer")).toEqual([]);
    expect(sqsRequestTemplate({ mode: "iam", entitledAccounts: ["ACC-1", "ACC-2"] })).toContain(
      "MessageAttribute.1.Value.StringValue=ACC-1%2CACC-2&",
    );
  });

  it.each(ROLES)(
    "S2, S5: the %s stage has a regional web ACL with managed rules and a per-IP rate limit the API agrees with",
    (role, region) => {
      const acl = run.named("aws:wafv2/webAcl:WebAcl", `tap-dev-${role}-service-waf-acl`);
      const stage = run.named("aws:apigateway/stage:Stage", `tap-dev-${role}-service-api-stage`);
      const assoc = run.named(
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        `tap-dev-${role}-service-waf-association`,
      );
      expect(acl.region).toBe(region);
      expect(acl.inputs).toMatchObject({ scope: "REGIONAL", defaultAction: { allow: {} } });
      const rules = acl.inputs.rules as any[];
      expect(rules.map((r) => [r.priority, r.name])).toEqual([
        [0, "AWSManagedRulesAmazonIpReputationList"],
        [1, "AWSManagedRulesCommonRuleSet"],
        [2, "AWSManagedRulesKnownBadInputsRuleSet"],
        [3, "rate-per-client-ip"],
      ]);
      expect(rules[3]).toMatchObject({
        action: { block: {} },
        statement: {
          rateBasedStatement: { limit: 600_000, aggregateKeyType: "IP", evaluationWindowSec: 300 },
        },
      });
      expect(assoc.inputs).toEqual({ resourceArn: stage.state.arn, webAclArn: acl.state.arn });
    },
  );

  it.each(ROLES)("S2: %s WAF logs go to an aws-waf-logs- group with retention, token redacted", (role) => {
    const group = run.named("aws:cloudwatch/logGroup:LogGroup", `tap-dev-${role}-service-waf-logs`);
    const logging = run.named(
      "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
      `tap-dev-${role}-service-waf-logging`,
    );
    expect(String(group.inputs.name)).toBe(`${WAF_LOG_GROUP_PREFIX}tap-dev-${role}-service-waf`);
    expect(group.inputs.retentionInDays).toBe(30);
    expect(logging.inputs).toMatchObject({
      logDestinationConfigs: [group.state.arn],
      redactedFields: [{ singleHeader: { name: "authorization" } }],
    });
  });

  it("S2: the stack that owns the account setting creates it in both regions", () => {
    expect(
      run
        .of("aws:apigateway/account:Account")
        .map((a) => a.region)
        .sort(),
    ).toEqual(["us-east-1", "us-west-2"]);
  });
});

it("S2: wafEnabled=false and manageApiGatewayAccount=false leave those resources out", async () => {
  const run = await runProgram({ wafEnabled: "false", manageApiGatewayAccount: "false" });
  expect(run.of("aws:wafv2/webAcl:WebAcl")).toEqual([]);
  expect(run.of("aws:apigateway/account:Account")).toEqual([]);
  expect(run.of("aws:iam/role:Role").filter((r) => r.name.endsWith("-api-cw-role"))).toEqual([]);
  // The stages still deploy: they rely on the owning stack's setting.
  expect(run.of("aws:apigateway/stage:Stage")).toHaveLength(2);
});

describe("templates (S2)", () => {
  /**
   * Renders a gateway-response or access-log template the way API Gateway does: plain substitution, no
   * escaping, except `messageString`, which API Gateway supplies already quoted.
   */
  const render = (template: string, message: string, other: string) =>
    template
      .replace(/\$context\.error\.messageString/g, JSON.stringify(message))
      .replace(/\$context\.[A-Za-z.]+/g, other);

  const hostile = 'object has missing required properties (["account"]) \\ "quoted" \n';

  it("S2: the 400 body is valid JSON whatever the error message holds", () => {
    const body = JSON.parse(render(BAD_BODY_TEMPLATE, hostile, "req-1"));
    expect(body).toEqual({ error: "invalid order", message: hostile, requestId: "req-1" });
  });

  it("S2: every access log line is valid JSON whatever the error message holds", () => {
    const line = JSON.parse(render(ACCESS_LOG_FORMAT, hostile, "1"));
    expect(line.errorMessage).toBe(hostile);
    expect(ACCESS_LOG_FORMAT).not.toMatch(/validationErrorString|userAgent|identity\.caller/);
  });
});

describe("component checks", () => {
  const base = {
    provider: undefined as never,
    region: "us-east-1" as const,
    restApiId: "api",
    executionArn: "arn",
    issuer: "https://idp.example.com/",
    audience: "aud",
    jwksUrl: "https://idp.example.com/jwks",
    accountsClaim: "accounts",
    resultTtlSeconds: 300,
    logKeyArn: "k",
    logRetentionDays: 30,
  };
  it("S1: OrderAuthorizer refuses http URLs, an empty audience and a TTL over 3600", () => {
    expect(() => checkOrderAuthorizerArgs(base)).not.toThrow();
    expect(() =>
      checkOrderAuthorizerArgs({ ...base, jwksUrl: "http://x", audience: " ", resultTtlSeconds: 3601 }),
    ).toThrow(
      'OrderAuthorizer: jwksUrl must be an https URL, got "http://x"; audience must not be empty; resultTtlSeconds must be 0..3600, got 3601',
    );
  });
  it("S4: OrderAuthorizer refuses a maximum token age outside 300..86400 s", () => {
    expect(() => checkOrderAuthorizerArgs({ ...base, maxTokenAgeSeconds: 3600 })).not.toThrow();
    expect(() => checkOrderAuthorizerArgs({ ...base, maxTokenAgeSeconds: 0 })).toThrow(
      "OrderAuthorizer: maxTokenAgeSeconds must be 300..86400, got 0",
    );
  });
  it("S5: WebAcl refuses a per-IP limit below what the API serves one client", () => {
    const acl = (rateLimitPer5Min: number) => () =>
      new WebAcl("w", {
        provider: undefined as never,
        stageArn: "arn",
        rateLimitPer5Min,
        kmsKeyArn: "k",
        logRetentionDays: 30,
      });
    expect(acl(599_999)).toThrow(
      "WebAcl: rateLimitPer5Min 599999 is below what the API serves one client (600000 per 5 minutes)",
    );
    expect(() =>
      checkWebAclArgs({
        provider: undefined as never,
        stageArn: "arn",
        rateLimitPer5Min: 600_000,
        kmsKeyArn: "k",
        logRetentionDays: 30,
      }),
    ).not.toThrow();
  });
  it("S2: WebAcl refuses a rate limit below WAF's minimum of 10", () => {
    expect(
      () =>
        new WebAcl("w", {
          provider: undefined as never,
          stageArn: "arn",
          rateLimitPer5Min: 9,
          kmsKeyArn: "k",
          logRetentionDays: 30,
        }),
    ).toThrow("WebAcl: rateLimitPer5Min must be an integer from 10 to 2000000000, got 9");
    expect(MANAGED_RULE_GROUPS).toHaveLength(3);
  });
});
