/**
 * Processing follows the writer, live (F1/F2): in the Aurora writer's Region the order processor's SQS
 * event source mapping is enabled and the forwarder's disabled; in every other Region the reverse. Each
 * mapping is read in its own Region. "Enabled" is the settled state; "Enabling"/"Disabling" mean an
 * update is in flight (a failover just ran) and are reported, not accepted.
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetEventSourceMapping.html
 */
import { GetEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { parseProcessingSites } from "../../../lambda/failover/config";
import { awsCall } from "../support/aws";
import type { AwsClients } from "../support/clients";
import type { StackOutputs } from "../support/outputs";
import { passOrThrow } from "./check-failure";

/** Every mapping's state, as "<region> processor|forwarder" -> State. */
export type MappingStates = Record<string, string>;

export async function checkProcessingFollowsWriter(
  c: AwsClients,
  o: Pick<StackOutputs, "processingSites">,
  writerRegion: string,
): Promise<MappingStates> {
  const problems: string[] = [];
  const sites = parseProcessingSites(o.processingSites, problems);
  if (!sites.some((s) => s.region === writerRegion))
    problems.push(`no processing site in the writer's Region ${writerRegion}`);
  const states: MappingStates = {};
  for (const site of sites) {
    const writer = site.region === writerRegion;
    for (const [kind, uuid, wanted] of [
      ["processor", site.mappingUuid, writer ? "Enabled" : "Disabled"],
      ["forwarder", site.forwarderMappingUuid, writer ? "Disabled" : "Enabled"],
    ] as const) {
      const out = await awsCall(`Lambda GetEventSourceMapping ${uuid} (${site.region})`, (abortSignal) =>
        c.lambda(site.region).send(new GetEventSourceMappingCommand({ UUID: uuid }), { abortSignal }),
      );
      const state = out.State ?? "missing";
      states[`${site.region} ${kind}`] = state;
      if (state !== wanted) {
        problems.push(
          `${site.region} ${kind} mapping is ${state}, expected ${wanted} (${writer ? "the writer's Region books" : "a standby forwards"})`,
        );
      }
    }
  }
  return passOrThrow("processing follows the writer", problems, states);
}
