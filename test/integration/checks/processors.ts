/**
 * The order processors themselves, live, each in its own Region (F1 checks their mappings; this checks
 * the functions the mappings invoke): State Active and the last update Successful, the rejects queue
 * they park refused orders in is this stack's queue of the same Region, and no reserved concurrency of
 * 0 (PutFunctionConcurrency with 0 stops every invocation while the function still reads Active).
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConcurrency.html
 * https://docs.aws.amazon.com/lambda/latest/dg/API_Concurrency.html
 */
import { GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { ORDER_PROCESSOR_ENV } from "../../../lambda/order-processor/env";
import { awsCall } from "../support/aws";
import type { AwsClients } from "../support/clients";
import type { StackOutputs } from "../support/outputs";
import { passOrThrow } from "./check-failure";

type ProcessorOutputs = Pick<
  StackOutputs,
  | "primaryRegion"
  | "secondaryRegion"
  | "primaryOrderProcessorName"
  | "secondaryOrderProcessorName"
  | "primaryRejectsQueueUrl"
  | "secondaryRejectsQueueUrl"
>;

/** Each Region's processor and the rejects queue it must park in. */
export function processorSites(o: ProcessorOutputs) {
  return [
    { region: o.primaryRegion, name: o.primaryOrderProcessorName, rejects: o.primaryRejectsQueueUrl },
    { region: o.secondaryRegion, name: o.secondaryOrderProcessorName, rejects: o.secondaryRejectsQueueUrl },
  ];
}

async function processorProblems(
  c: AwsClients,
  site: ReturnType<typeof processorSites>[number],
): Promise<string[]> {
  const where = `${site.name} (${site.region})`;
  const [cfg, concurrency] = await Promise.all([
    awsCall(`Lambda GetFunctionConfiguration ${where}`, (abortSignal) =>
      c
        .lambda(site.region)
        .send(new GetFunctionConfigurationCommand({ FunctionName: site.name }), { abortSignal }),
    ),
    awsCall(`Lambda GetFunctionConcurrency ${where}`, (abortSignal) =>
      c
        .lambda(site.region)
        .send(new GetFunctionConcurrencyCommand({ FunctionName: site.name }), { abortSignal }),
    ),
  ]);
  const problems: string[] = [];
  if (cfg.State !== "Active") problems.push(`State is ${cfg.State ?? "missing"}, expected Active`);
  if (cfg.LastUpdateStatus !== undefined && cfg.LastUpdateStatus !== "Successful")
    problems.push(`LastUpdateStatus is ${cfg.LastUpdateStatus}: ${cfg.LastUpdateStatusReason ?? ""}`);
  const rejects = cfg.Environment?.Variables?.[ORDER_PROCESSOR_ENV.rejectsQueueUrl];
  if (rejects !== site.rejects)
    problems.push(
      `${ORDER_PROCESSOR_ENV.rejectsQueueUrl} is ${rejects ?? "unset"}, expected ${site.rejects}`,
    );
  if (concurrency.ReservedConcurrentExecutions === 0)
    problems.push("reserved concurrency is 0: every invocation is throttled and no order is booked");
  return problems.map((p) => `${where}: ${p}`);
}

export async function checkOrderProcessors(c: AwsClients, o: ProcessorOutputs): Promise<void> {
  const problems = (await Promise.all(processorSites(o).map((site) => processorProblems(c, site)))).flat();
  passOrThrow("order processors", problems, undefined);
}
