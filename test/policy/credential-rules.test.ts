/** S3: the credential rule, with a passing and a failing fixture, through the plan adapter. */
import { prodSecretsRotate } from "../../policy/rules/credentials";
import { runPolicies } from "../../tooling/plan/policy-check";
import { PRODUCTION_CONFIG, runProgram } from "../program";
import { check, res } from "./fixtures";

const messages = (vs: { message: string }[]) => vs.map((v) => v.message);
const ARN = (n: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${n}-AbCdEf`;

const secret = (name: string, stack = "prod") =>
  res("aws:secretsmanager/secret:Secret", name, {}, { stack, state: { arn: ARN(name) }, id: ARN(name) });
const rotation = (name: string, stack = "prod") =>
  res(
    "aws:secretsmanager/secretRotation:SecretRotation",
    `${name}-schedule`,
    { secretId: ARN(name), rotationRules: { automaticallyAfterDays: 30 } },
    { stack },
  );
const rotationApp = (master: string) =>
  res(
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack",
    "rotation-fn",
    { parameters: { masterSecretArn: ARN(master), functionName: "rotation-fn" } },
    { stack: "prod" },
  );

describe("prod-secrets-rotate", () => {
  it("S3: a production secret with a rotation schedule passes; one without is flagged", async () => {
    expect(await check(prodSecretsRotate, [secret("app"), rotation("app")])).toEqual([]);
    expect(
      messages(await check(prodSecretsRotate, [secret("app"), secret("other"), rotation("app")])),
    ).toEqual(["secret other has no rotation schedule"]);
  });

  it("S3: the superuser secret a rotation function logs in with is exempt, no other", async () => {
    const resources = [secret("app"), rotation("app"), secret("master"), rotationApp("master")];
    expect(await check(prodSecretsRotate, resources)).toEqual([]);
    expect(
      messages(await check(prodSecretsRotate, [secret("app"), secret("master"), rotationApp("master")])),
    ).toEqual(["secret app has no rotation schedule"]);
  });

  it("S3: only production is held to it (dev may turn rotation off)", async () => {
    expect(await check(prodSecretsRotate, [secret("app", "dev")])).toEqual([]);
    expect(
      await check(prodSecretsRotate, [secret("app")], { "prod-secrets-rotate": { production: false } }),
    ).toEqual([]);
  });
});

it("S3: the real production program passes, and fails on the processor's secret once its schedule is gone", async () => {
  const run = await runProgram(PRODUCTION_CONFIG, "prod");
  const rule = { policies: [prodSecretsRotate] };
  expect((await runPolicies(run.resources, rule)).violations).toEqual([]);
  const unscheduled = run.resources.filter(
    (r) => r.type !== "aws:secretsmanager/secretRotation:SecretRotation",
  );
  expect(messages((await runPolicies(unscheduled, rule)).violations)).toEqual([
    "secret tap-prod-db-app-credentials-creds-secret has no rotation schedule",
  ]);
}, 60_000);
