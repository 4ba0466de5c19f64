/** F2: the reconcile step runs by itself after a data-losing failover: a function beside the orchestrator. */
import { RECONCILE_ENV } from "../../lambda/reconcile/env";
import { FAILOVER_ENV } from "../../lambda/failover/env-keys";
import { ProgramRun, runProgram } from "../program";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram();
});
const fn = (name: string) => run.named("aws:lambda/function:Function", name);
const policyOf = (name: string) =>
  JSON.parse(String(run.named("aws:iam/rolePolicy:RolePolicy", `${name}-policy`).inputs.policy))
    .Statement as {
    Sid: string;
    Action: string | string[];
    Resource: unknown;
  }[];

it("F2: the reconcile function runs in the secondary region, in its VPC, on the processor's database path", () => {
  const reconcile = fn("tap-dev-failover-reconcile-fn");
  const processor = fn("tap-dev-secondary-service-processor-fn");
  expect(reconcile.region).toBe("us-west-2");
  expect(reconcile.inputs.vpcConfig).toEqual(processor.inputs.vpcConfig);
  const env = (reconcile.inputs.environment as { variables: Record<string, string> }).variables;
  const penv = (processor.inputs.environment as { variables: Record<string, string> }).variables;
  expect(Object.keys(env).sort()).toEqual(Object.values(RECONCILE_ENV).sort());
  for (const k of [
    "dbSecretArn",
    "dbHost",
    "dbPort",
    "dbName",
    "dbSsl",
    "dbTlsServerNames",
    "tableName",
  ] as const) {
    expect(env[RECONCILE_ENV[k]]).toBe(penv[RECONCILE_ENV[k]]);
  }
  expect(reconcile.inputs.timeout).toBe(110);
});

it("F2: it may read its secret, scan the window and write back (reading back what a refused put met), nothing else on the table", () => {
  const actions = policyOf("tap-dev-failover-reconcile-fn")
    .flatMap((s) => s.Action)
    .filter((a) => !/^(logs|xray|ec2):/.test(a)); // NodeFunction's own logging, tracing and VPC access
  expect(actions.sort()).toEqual(
    [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Scan",
      "kms:Decrypt",
      "secretsmanager:GetSecretValue",
    ].sort(),
  );
});

it("F2: the orchestrator names it in its environment and may invoke exactly it", () => {
  const reconcile = fn("tap-dev-failover-reconcile-fn");
  const env = (fn("tap-dev-failover-fn").inputs.environment as { variables: Record<string, string> })
    .variables;
  expect(env[FAILOVER_ENV.reconcileFunction]).toBe(reconcile.state.name);
  const invoke = policyOf("tap-dev-failover-fn").find((s) => s.Sid === "RunReconcile");
  expect(invoke).toMatchObject({ Action: "lambda:InvokeFunction", Resource: reconcile.state.arn });
});
