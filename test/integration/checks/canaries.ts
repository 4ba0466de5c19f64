/**
 * Synthetics canaries, each in the region it belongs to: the primary canary in the primary region, the
 * secondary canary and the cross-region probe (watching the primary) in the secondary region.
 * A RUNNING canary only means it is scheduled; the latest finished run must have PASSED.
 * GetCanaryRuns returns runs with Status.State RUNNING | PASSED | FAILED and a Timeline; the order of
 * the list is not documented, so the latest finished run is picked by Timeline.Completed.
 * https://docs.aws.amazon.com/AmazonSynthetics/latest/APIReference/API_GetCanaryRuns.html
 * https://docs.aws.amazon.com/AmazonSynthetics/latest/APIReference/API_CanaryRunStatus.html
 * A passing run is only news while it is recent: the latest finished run must have completed within
 * STALE_AFTER_RUNS scheduled intervals (Schedule.Expression is rate(N minute[s]|hour[s]); rate(0 …) runs
 * once), and no run may stay RUNNING past its RunConfig.TimeoutInSeconds (at most 840 s) plus a margin,
 * or a canary whose later runs hang would report its last pass forever.
 * https://docs.aws.amazon.com/AmazonSynthetics/latest/APIReference/API_CanaryScheduleOutput.html
 * https://docs.aws.amazon.com/AmazonSynthetics/latest/APIReference/API_CanaryRunConfigOutput.html
 */
import {
  GetCanaryCommand,
  GetCanaryRunsCommand,
  type Canary,
  type CanaryRun,
} from "@aws-sdk/client-synthetics";
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

/** Scheduled intervals without a finished run before the last result counts as stale. */
export const STALE_AFTER_RUNS = 3;
/** Time past a run's own timeout before a RUNNING run counts as hung (uploading artifacts takes a moment). */
const HUNG_MARGIN_MS = 60_000;
/** The longest TimeoutInSeconds Synthetics accepts. */
const MAX_RUN_TIMEOUT_MS = 840_000;

/** Milliseconds between scheduled runs of a rate(...) expression; undefined for anything else or rate(0 …). */
export function scheduleIntervalMs(expression: string | undefined): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(expression ?? "");
  const n = Number(m?.[1] ?? 0);
  if (!m || n === 0) return undefined;
  return n * (m[2].startsWith("hour") ? 3_600_000 : 60_000);
}

const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;

/** Problems with how recent the canary's runs are: a stale last result, or a run that hangs. */
function freshnessProblems(
  canary: Canary | undefined,
  runs: readonly CanaryRun[],
  latest: CanaryRun | undefined,
  now: Date,
): string[] {
  const interval = scheduleIntervalMs(canary?.Schedule?.Expression);
  if (interval === undefined)
    return [
      `schedule is ${canary?.Schedule?.Expression ?? "missing"}, expected rate(N minutes): it does not run regularly`,
    ];
  const problems: string[] = [];
  const completed = latest?.Timeline?.Completed;
  if (completed && now.getTime() - completed.getTime() > STALE_AFTER_RUNS * interval) {
    problems.push(
      `latest finished run completed ${minutes(now.getTime() - completed.getTime())} ago, though it runs every ${minutes(interval)}: later runs never finished`,
    );
  }
  const timeout = Math.min(
    (canary?.RunConfig?.TimeoutInSeconds ?? interval / 1000) * 1000,
    MAX_RUN_TIMEOUT_MS,
  );
  for (const run of runs.filter((r) => r.Status?.State === "RUNNING")) {
    const started = run.Timeline?.Started;
    if (started && now.getTime() - started.getTime() > timeout + HUNG_MARGIN_MS) {
      problems.push(
        `a run started ${started.toISOString()} is still RUNNING after ${minutes(now.getTime() - started.getTime())} (timeout ${timeout / 1000} s): it hangs`,
      );
    }
  }
  return problems;
}

/** Where each canary must live. */
export function canaryPlacement(o: CanaryOutputs): readonly (readonly [name: string, region: string])[] {
  return [
    [o.primaryCanaryName, o.primaryRegion],
    [o.secondaryCanaryName, o.secondaryRegion],
    [o.probeCanaryName, o.secondaryRegion],
  ];
}

export async function checkCanaries(
  c: AwsClients,
  o: CanaryOutputs,
  now: Date = new Date(),
): Promise<Record<string, string>> {
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
      problems.push(
        ...freshnessProblems(canary.Canary, runs.CanaryRuns ?? [], latest, now).map((p) => `${where}: ${p}`),
      );
      report[name] = `${region}:${state ?? "?"}:${latest?.Status?.State ?? "none"}`;
    }),
  );
  return passOrThrow("Synthetics canaries", problems.sort(), report);
}
