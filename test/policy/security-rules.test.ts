/** The security rules (issue S), each with a passing and a failing fixture, through the plan adapter. */
import { s3BucketEncryption } from "../../policy/rules/encryption";
import {
  apiNoAnonymousMethods,
  prodOrdersUseJwtAuthorizer,
  prodWebAclOnEveryStage,
  s3BucketAccessLogging,
  servicePrincipalsBoundToSource,
} from "../../policy/rules/security";
import { bucketWith, check, res } from "./fixtures";

const messages = (vs: { message: string }[]) => vs.map((v) => v.message);
const doc = (...statements: Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });

const apiResource = (name: string, pathPart: string) =>
  res("aws:apigateway/resource:Resource", name, { pathPart });
const method = (name: string, resourceId: string, httpMethod: string, authorization: string) =>
  res("aws:apigateway/method:Method", name, { resourceId, httpMethod, authorization });

describe("api-no-anonymous-methods", () => {
  it("S1: GET /health may be anonymous; POST /orders with authorization NONE may not", async () => {
    const resources = [
      apiResource("health", "health"),
      apiResource("orders", "orders"),
      method("get-health", "health-id", "GET", "NONE"),
    ];
    expect(
      await check(apiNoAnonymousMethods, [...resources, method("post", "orders-id", "POST", "CUSTOM")]),
    ).toEqual([]);
    expect(
      await check(apiNoAnonymousMethods, [...resources, method("post", "orders-id", "POST", "AWS_IAM")]),
    ).toEqual([]);
    expect(
      messages(
        await check(apiNoAnonymousMethods, [...resources, method("post", "orders-id", "POST", "NONE")]),
      ),
    ).toEqual(["POST method post is anonymous (authorization NONE)"]);
  });

  it("S1: a POST on the health path, or GET elsewhere, is not let through", async () => {
    const resources = [apiResource("health", "health"), apiResource("orders", "orders")];
    expect(
      messages(
        await check(apiNoAnonymousMethods, [
          ...resources,
          method("post-health", "health-id", "POST", "NONE"),
          method("get-orders", "orders-id", "GET", "NONE"),
        ]),
      ),
    ).toEqual([
      "POST method post-health is anonymous (authorization NONE)",
      "GET method get-orders is anonymous (authorization NONE)",
    ]);
  });
});

describe("production rules", () => {
  const post = (authorization: string, stack = "prod") =>
    res("aws:apigateway/method:Method", "post", { httpMethod: "POST", authorization }, { stack });

  it("S1: production POST methods use the JWT authorizer; iam is refused there only", async () => {
    expect(await check(prodOrdersUseJwtAuthorizer, [post("CUSTOM")])).toEqual([]);
    expect(messages(await check(prodOrdersUseJwtAuthorizer, [post("AWS_IAM")]))).toEqual([
      "POST method post uses AWS_IAM; production requires the JWT authorizer",
    ]);
    expect(await check(prodOrdersUseJwtAuthorizer, [post("AWS_IAM", "dev")])).toEqual([]);
    expect(
      await check(prodOrdersUseJwtAuthorizer, [post("AWS_IAM")], {
        "prod-orders-use-jwt-authorizer": { production: false },
      }),
    ).toEqual([]);
  });

  it("S2: every production stage has a web ACL association", async () => {
    const stage = (stack: string) =>
      res("aws:apigateway/stage:Stage", "stage", {}, { stack, state: { arn: "arn:stage" } });
    const assoc = res(
      "aws:wafv2/webAclAssociation:WebAclAssociation",
      "assoc",
      {
        resourceArn: "arn:stage",
        webAclArn: "arn:acl",
      },
      { stack: "prod" },
    );
    expect(await check(prodWebAclOnEveryStage, [stage("prod"), assoc])).toEqual([]);
    expect(messages(await check(prodWebAclOnEveryStage, [stage("prod")]))).toEqual([
      "stage stage has no web ACL association",
    ]);
    expect(await check(prodWebAclOnEveryStage, [stage("dev")])).toEqual([]);
  });
});

describe("server access logging (S3)", () => {
  const logBucket = () =>
    res("aws:s3/bucket:Bucket", "logs", {}, { state: { bucket: "logs-1" }, id: "logs-1" });
  const logging = (bucket: string) =>
    res("aws:s3/bucketLogging:BucketLogging", `${bucket}-logging`, {
      bucket,
      targetBucket: "logs-1",
      targetPrefix: "x/",
    });
  const aes = (bucket: string, sseAlgorithm = "AES256") =>
    res(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      `${bucket}-sse`,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm } }] },
    );

  it("S3: a data bucket without BucketLogging is flagged; the log bucket itself is not", async () => {
    const data = bucketWith("data");
    expect(await check(s3BucketAccessLogging, [...data, logBucket(), logging("data-1234567")])).toEqual([]);
    expect(messages(await check(s3BucketAccessLogging, [...data, logBucket()]))).toEqual([
      "bucket data has no server access logging",
      "bucket logs has no server access logging",
    ]);
  });

  it("S3: a log bucket must use SSE-S3 (AES256), the only default encryption a log target may have", async () => {
    const data = bucketWith("data");
    expect(
      await check(s3BucketEncryption, [...data, logBucket(), logging("data-1234567"), aes("logs-1")]),
    ).toEqual([]);
    expect(
      messages(
        await check(s3BucketEncryption, [
          ...data,
          logBucket(),
          logging("data-1234567"),
          aes("logs-1", "aws:kms"),
        ]),
      ),
    ).toEqual(["access log bucket logs must use SSE-S3 (AES256) default encryption"]);
  });
});

describe("service-principals-bound-to-source (S2)", () => {
  const key = (statement: Record<string, unknown>) =>
    res("aws:kms/key:Key", "key", { policy: doc(statement) });
  const cw = {
    Sid: "Alarms",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: "kms:Decrypt",
    Resource: "*",
  };

  it("S2: a key policy statement for a service principal needs aws:SourceAccount/SourceArn", async () => {
    expect(
      await check(servicePrincipalsBoundToSource, [
        key({ ...cw, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }),
      ]),
    ).toEqual([]);
    expect(messages(await check(servicePrincipalsBoundToSource, [key(cw)]))).toEqual([
      "key: statement Alarms allows cloudwatch.amazonaws.com without a source condition",
    ]);
  });

  it("S2: trust policies too; Lambda and API Gateway roles are exempt (no documented source keys)", async () => {
    const role = (service: string, condition?: Record<string, unknown>) =>
      res("aws:iam/role:Role", "role", {
        assumeRolePolicy: doc({
          Effect: "Allow",
          Principal: { Service: service },
          Action: "sts:AssumeRole",
          ...(condition ? { Condition: condition } : {}),
        }),
      });
    expect(messages(await check(servicePrincipalsBoundToSource, [role("s3.amazonaws.com")]))).toEqual([
      "role: statement #0 allows s3.amazonaws.com without a source condition",
    ]);
    expect(
      await check(servicePrincipalsBoundToSource, [
        role("s3.amazonaws.com", { ArnLike: { "aws:SourceArn": "arn:aws:s3:::b" } }),
        role("lambda.amazonaws.com"),
        role("apigateway.amazonaws.com"),
      ]),
    ).toEqual([]);
  });

  it("S2: the logs principal is bound by its encryption-context condition", async () => {
    const logs = {
      Effect: "Allow",
      Principal: { Service: "logs.us-east-1.amazonaws.com" },
      Action: "kms:Encrypt*",
      Resource: "*",
      Condition: {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:1:log-group:*" },
      },
    };
    expect(await check(servicePrincipalsBoundToSource, [key(logs)])).toEqual([]);
  });
});
