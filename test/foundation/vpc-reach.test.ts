/**
 * D1: a function in a VPC with no route out reaches only the services with an endpoint in its VPC; a call
 * to any other hangs until the SDK gives up. Each VPC function's bundle is read for the SDK clients it
 * holds (its build stamp lists every input), and each client's service must have an endpoint in the VPC
 * of the function's subnets. https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-endpoints.html
 */
import { bundleServices } from "../../tooling/aws/sdk-services";
import { RecordedResource } from "../../tooling/mocks/recorded";
import { PRODUCTION_CONFIG, ProgramRun, runProgram } from "../program";

const FUNCTION = "aws:lambda/function:Function";

/** For each VPC function: the services its bundle calls that have no endpoint in its VPC. */
function unreachable(run: ProgramRun): Record<string, string[]> {
  const subnets = run.of("aws:ec2/subnet:Subnet");
  const endpoints = run.of("aws:ec2/vpcEndpoint:VpcEndpoint");
  const out: Record<string, string[]> = {};
  for (const fn of run.of(FUNCTION).filter((f) => f.inputs.vpcConfig)) {
    const vpcIds = new Set(
      (fn.inputs.vpcConfig as { subnetIds: string[] }).subnetIds.map((id) => vpcOfSubnet(subnets, id)),
    );
    expect(vpcIds.size).toBe(1);
    const [vpcId] = vpcIds;
    const served = endpoints
      .filter(
        (e) =>
          e.inputs.vpcId === vpcId && (e.inputs.vpcEndpointType === "Gateway" || e.inputs.privateDnsEnabled),
      )
      .map((e) => String(e.inputs.serviceName));
    const bundle = String((fn.inputs.code as { path: string }).path);
    out[fn.name] = bundleServices(bundle).filter((s) => !served.includes(`com.amazonaws.${fn.region}.${s}`));
  }
  return out;
}

function vpcOfSubnet(subnets: RecordedResource[], id: string): string {
  const subnet = subnets.find((s) => s.id === id);
  if (!subnet) throw new Error(`no subnet ${id}`);
  return String(subnet.inputs.vpcId);
}

describe.each([
  ["dev", {}],
  ["prod", PRODUCTION_CONFIG],
])("VPC reach (%s)", (stack, config) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(config, stack);
  });

  it("D1: every AWS API a VPC function's bundle calls has an endpoint (with private DNS) in its VPC", () => {
    const found = unreachable(run);
    // The VPC functions, so a function leaving the VPC (or a new one) is seen here.
    expect(Object.keys(found).sort()).toEqual(
      [
        `tap-${stack}-ledger-migration-fn`,
        `tap-${stack}-failover-reconcile-fn`,
        `tap-${stack}-primary-service-api-health`,
        `tap-${stack}-secondary-service-api-health`,
        `tap-${stack}-primary-service-processor-fn`,
        `tap-${stack}-secondary-service-processor-fn`,
      ].sort(),
    );
    expect(Object.entries(found).filter(([, missing]) => missing.length > 0)).toEqual([]);
  });

  it("D1: the health function's bundle calls SQS, DynamoDB and Lambda (its role check)", () => {
    const health = run.named(FUNCTION, `tap-${stack}-primary-service-api-health`);
    expect(bundleServices(String((health.inputs.code as { path: string }).path))).toEqual([
      "dynamodb",
      "lambda",
      "sqs",
    ]);
  });
});
