/**
 * Synthetics canaries, each in the region it belongs to: the primary canary in the primary region, the
 * secondary canary and the cross-region probe (watching the primary) in the secondary region.
 * A RUNNING canary only means it is scheduled; the latest finished run must have PASSED.
 * GetCanaryRuns returns runs with Status.State RUNNING | PASSED | FAILED and a Timeline; the order of
 * the list is not documented, so the latest finished run is picked by Timeline.Completed.
 * https://docs.aws.amazon.com/AmazonSynthetics/latest/APIReference/API_GetCanaryRuns.html
 * https://docs.aws.amazon.com/AmazonSynthetics/latest/APIReference/API_CanaryRunStatus.html
 */
import { GetCanaryCommand, GetCanaryRunsCommand } from "@aws-sdk/client-synthetics";
import { awsCall } from "../support/aws";
import type { AwsClients } from "../support/clients";
import type { StackOutputs } from "../support/outputs";
import { passOrThrow } from "./check-failure";

type CanaryOutputs = Pick<
  StackOutputs,
  | "primaryRegion"
  | "secondaryRegion"
  | "primaryCanaryName"
  | "secondaryCanaryName"
  | "probeCanaryName"
  | "canaryNames"
>;

/** Where each canary must live. */
export function canaryPlacement(o: CanaryOutputs): readonly (readonly [name: string, region: string])[] {
  return [
    [o.primaryCanaryName, o.primaryRegion],
    [o.secondaryCanaryName, o.secondaryRegion],
    [o.probeCanaryName, o.secondaryRegion],
  ];
}

export async function checkCanaries(c: AwsClients, o: CanaryOutputs): Promise<Record<string, string>> {
  const problems: string[] = [];
  const placed = canaryPlacement(o);
  const listed = [...o.canaryNames].sort();
  const byRole = placed.map(([n]) => n).sort();
  if (JSON.stringify(listed) !== JSON.stringify(byRole)) {
    problems.push(
      `canaryNames [${listed.join(", ")}] differ from the canaries by role [${byRole.join(", ")}]`,
    );
  }
  const report: Record<string, string> = {};
  await Promise.all(
    placed.map(async ([name, region]) => {
      const where = `${name} (${region})`;
      const [canary, runs] = await Promise.all([
        awsCall(`Synthetics GetCanary ${where}`, (abortSignal) =>
          c.synthetics(region).send(new GetCanaryCommand({ Name: name }), { abortSignal }),
        ),
        awsCall(`Synthetics GetCanaryRuns ${where}`, (abortSignal) =>
          c
            .synthetics(region)
            .send(new GetCanaryRunsCommand({ Name: name, MaxResults: 20 }), { abortSignal }),
        ),
      ]);
      const state = canary.Canary?.Status?.State;
      if (state !== "RUNNING")
        problems.push(`${where}: canary state is ${state ?? "missing"}, expected RUNNING`);
      const finished = (runs.CanaryRuns ?? [])
        .filter((r) => r.Status?.State === "PASSED" || r.Status?.State === "FAILED")
        .sort((a, b) => (b.Timeline?.Completed?.getTime() ?? 0) - (a.Timeline?.Completed?.getTime() ?? 0));
      const latest = finished[0];
      if (!latest) problems.push(`${where}: no finished run yet`);
      else if (latest.Status?.State !== "PASSED") {
        problems.push(
          `${where}: latest finished run (${latest.Timeline?.Completed?.toISOString() ?? "?"}) ${latest.Status?.State}: ${latest.Status?.StateReason ?? "no reason given"}`,
        );
      }
      report[name] = `${region}:${state ?? "?"}:${latest?.Status?.State ?? "none"}`;
    }),
  );
  return passOrThrow("Synthetics canaries", problems.sort(), report);
}
