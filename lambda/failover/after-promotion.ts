/**
 * After the writer moved (or was found already moved), make the rest of the platform follow it (F2).
 * Every step is idempotent, so re-running the orchestrator finishes a job a timed-out run left half done.
 *
 * 1. Processing follows the writer: in the new writer Region the order processor's SQS event source
 *    mapping is enabled and the forwarder's disabled; everywhere else the reverse, so that orders that
 *    reach a standby are sent on to the writer (lambda/order-forwarder). Disabling only pauses polling;
 *    messages stay in the queue (retention up to 14 days) until a mapping consumes them.
 *    https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html
 *    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 *    The old Region may be down: disabling there is best effort and reported, never fatal.
 * 2. Redrive: a DLQ holds only orders that failed for want of a database (rejected orders and crash-type
 *    poison are parked in a separate queue by the processor; the forwarder re-queues what it could not
 *    send on, X1), so all of it goes back to its
 *    queue with a message move task: booked there in the writer Region, forwarded from the others (best
 *    effort). The source must be a queue configured as a DLQ; one active task per queue.
 *    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 * 0. After a data-losing failover, reconcile DynamoDB and the ledger from `since` first (X5).
 */
import {
  GetEventSourceMappingCommand,
  UpdateEventSourceMappingCommand,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { errorMessage, errorName, isRetryableAwsError, RetryError } from "../shared/retry";
import { queueUrlFromArn } from "../shared/sqs-url";
import { processingRole } from "./aim";
import type { ProcessingSite } from "./env-keys";
import type { Run, StepReport } from "./report";

/** How far back reconciliation looks before the failover was requested: replication lag is seconds. */
export const RECONCILE_LOOKBACK_MS = 60 * 60_000;

const lastError = (err: unknown) => errorMessage(err instanceof RetryError ? err.lastError : err);
// ResourceInUseException: the mapping is being updated (Enabling, Disabling); the retry re-reads first.
const mappingRetryable = (err: unknown) =>
  isRetryableAwsError(err) || errorName(err) === "ResourceInUseException";

export async function afterPromotion(
  run: Run,
  writerRegion: string,
  reconcileFirst = run.request.mode === "failover",
): Promise<StepReport[]> {
  const steps: StepReport[] = [];
  // X5: reconcile first, so that the orders the new writer's ledger lost (kept in DynamoDB) are back in it
  // before its processor books anything: a later version of such an order then conflicts in the ledger and
  // is refused whole. Should reconcile fail, processing starts anyway (an outage is worse) and the
  // processor's own DynamoDB hash check parks and alarms what reconcile would have found (state.ts).
  if (reconcileFirst) steps.push(await reconcile(run));
  const sites = run.settings.processingSites;
  if (sites.length === 0) {
    steps.push({
      step: "follow-writer",
      ok: false,
      detail:
        "PROCESSING_SITES is not configured: enable the new writer's event source mapping by hand (runbook).",
    });
  } else {
    steps.push(await followWriter(run, sites, writerRegion));
    steps.push(
      await redrive(
        run,
        sites.find((s) => s.region === writerRegion),
      ),
    );
    for (const site of sites.filter((s) => s.region !== writerRegion)) {
      steps.push(await redriveStandby(run, site));
    }
  }
  for (const s of steps) run.logger[s.ok ? "info" : "warn"](`step ${s.step}: ${s.detail}`, s.data);
  return steps;
}

type MappingKind = "processor" | "forwarder";

const mappingUuid = (site: ProcessingSite, kind: MappingKind) =>
  kind === "processor" ? site.mappingUuid : site.forwarderMappingUuid;

async function setMapping(
  run: Run,
  site: ProcessingSite,
  kind: MappingKind,
  enabled: boolean,
): Promise<string> {
  const client: LambdaClient | undefined = run.deps.lambdaForRegion?.(site.region);
  if (!client) throw new Error("no Lambda client for the Region");
  const UUID = mappingUuid(site, kind);
  const wanted = enabled ? ["Enabled", "Enabling"] : ["Disabled", "Disabling"];
  try {
    const out = await run.retry(
      `UpdateEventSourceMapping (${site.region} ${kind})`,
      async (attempt) => {
        if (attempt > 1) {
          const now = await client.send(new GetEventSourceMappingCommand({ UUID }));
          if (wanted.includes(now.State ?? "")) return now;
        }
        return client.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: enabled }));
      },
      mappingRetryable,
    );
    return out.State ?? "unknown";
  } catch (err) {
    // Re-read after a failed call: the change may have been applied after all.
    const now = await client.send(new GetEventSourceMappingCommand({ UUID })).catch(() => undefined);
    if (now && wanted.includes(now.State ?? "")) return now.State ?? "unknown";
    throw err;
  }
}

/**
 * One Region's two mappings, in the order that never lets both consume at once: the one to stop first.
 * The writer books (processor on, forwarder off); every other Region forwards (processor off, forwarder on).
 */
async function setRole(run: Run, site: ProcessingSite, writer: boolean): Promise<string> {
  const [off, on]: MappingKind[] = writer ? ["forwarder", "processor"] : ["processor", "forwarder"];
  // Read first: a re-run (or the scheduled convergence run) that finds the roles in place, or on their
  // way there (an update takes effect later: Enabling, Disabling), changes nothing.
  const offNow = await mappingState(run, site, off);
  if (
    (offNow === "Disabled" || offNow === "Disabling") &&
    ["Enabled", "Enabling"].includes((await mappingState(run, site, on)) ?? "")
  )
    return `${on} on, ${off} off (${UNCHANGED})`;
  const offState = await setMapping(run, site, off, false);
  const onState = await setMapping(run, site, on, true);
  return `${on} on (${onState}), ${off} off (${offState})`;
}

/** What a step's detail says when the roles were already in place. */
export const UNCHANGED = "unchanged";

async function mappingState(run: Run, site: ProcessingSite, kind: MappingKind): Promise<string | undefined> {
  const client = run.deps.lambdaForRegion?.(site.region);
  try {
    return (await client?.send(new GetEventSourceMappingCommand({ UUID: mappingUuid(site, kind) })))?.State;
  } catch {
    return undefined; // unknown: set it
  }
}

async function followWriter(
  run: Run,
  sites: readonly ProcessingSite[],
  writerRegion: string,
): Promise<StepReport> {
  const writer = sites.find((s) => s.region === writerRegion);
  if (!writer) {
    return {
      step: "follow-writer",
      ok: false,
      detail: `no processing site for the writer Region ${writerRegion}`,
    };
  }
  const data: Record<string, string> = {};
  let ok = true;
  try {
    data[writer.region] = await setRole(run, writer, true);
  } catch (err) {
    ok = false;
    data[writer.region] = `ENABLE FAILED: ${lastError(err)}`;
  }
  for (const site of sites.filter((s) => s !== writer)) {
    try {
      data[site.region] = await setRole(run, site, false);
    } catch (err) {
      // Best effort: a Region that is down neither polls nor forwards; re-run the orchestrator when it
      // is back (runbook) and its queue is forwarded to the writer.
      data[site.region] =
        `switch to forwarding failed, best effort (${lastError(err)}); re-run when the Region is back`;
    }
  }
  // X4/M2: the next `pulumi up` reads the writer from AWS and leaves the mappings alone (ignoreChanges);
  // only a pinned tap:processingRegion must be moved, or that deploy stops (lib/data/aurora-writer.ts).
  const role = processingRole(writerRegion, run.settings);
  const configHint = role
    ? `; the next pulumi up follows the writer (only if tap:processingRegion is pinned: pulumi config set tap:processingRegion ${role})`
    : "";
  const detail = ok
    ? `orders are processed in ${writerRegion}; ${Object.entries(data)
        .map(([r, s]) => `${r}: ${s}`)
        .join("; ")}${configHint}`
    : `processing could not be enabled in ${writerRegion}: ${data[writerRegion]}`;
  const changed = Object.values(data).some((state) => !state.includes(`(${UNCHANGED})`));
  return {
    step: "follow-writer",
    ok,
    detail,
    data: { ...data, ...(role ? { processingRegion: role } : {}), changed },
  };
}

async function redrive(run: Run, site: ProcessingSite | undefined): Promise<StepReport> {
  const sqs = site && run.deps.sqsForRegion?.(site.region);
  if (!site || !sqs)
    return { step: "redrive", ok: false, detail: "no SQS client or site for the writer Region" };
  const running = async () =>
    (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: site.dlqArn, MaxResults: 1 }))).Results?.[0]
      ?.Status === "RUNNING";
  try {
    const attrs = await run.retry("GetQueueAttributes (DLQ)", () =>
      sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrlFromArn(site.dlqArn) ?? site.dlqArn,
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      ),
    );
    const waiting = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? "0");
    if (await running()) {
      return {
        step: "redrive",
        ok: true,
        detail: `a move task is already running on ${site.dlqArn}`,
        data: { waiting },
      };
    }
    if (waiting === 0)
      return { step: "redrive", ok: true, detail: "the DLQ is empty; nothing to redrive", data: { waiting } };
    const out = await run.retry("StartMessageMoveTask", () =>
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: site.dlqArn, DestinationArn: site.queueArn })),
    );
    return {
      step: "redrive",
      ok: true,
      detail: `moving about ${waiting} message(s) from the DLQ back to the order queue`,
      data: { waiting, taskHandle: out.TaskHandle },
    };
  } catch (err) {
    const already = await running().catch(() => false);
    if (already) return { step: "redrive", ok: true, detail: `a move task is running on ${site.dlqArn}` };
    return {
      step: "redrive",
      ok: false,
      detail: `redrive failed: ${lastError(err)}; start it from the console (DLQ redrive)`,
    };
  }
}

/**
 * A standby Region's DLQ goes back to its own queue, where the forwarder sends it on to the writer. Best
 * effort: a Region that is down is reported, and the next run (when it is back) moves it.
 */
async function redriveStandby(run: Run, site: ProcessingSite): Promise<StepReport> {
  const out = await redrive(run, site);
  return {
    ...out,
    step: "redrive-standby",
    ok: true,
    detail: `${site.region}: ${out.detail}${out.ok ? "" : " (best effort; re-run when the Region is back)"}`,
  };
}

async function reconcile(run: Run): Promise<StepReport> {
  const from = run.operationRequestedMs ?? run.startedMs;
  const sinceIso = new Date(from - RECONCILE_LOOKBACK_MS).toISOString();
  if (!run.deps.reconcile) {
    return {
      step: "reconcile",
      ok: false,
      detail: `no reconcile function configured: run \`npm run reconcile -- --since ${sinceIso}\``,
      data: { sinceIso },
    };
  }
  try {
    const counts = await run.deps.reconcile({ sinceIso, dryRun: false });
    return {
      step: "reconcile",
      ok: counts.conflicts === 0,
      detail: `since ${sinceIso}: ${counts.rebookedIntoLedger} re-booked into the ledger, ${counts.rewrittenIntoTable} rewritten into DynamoDB, ${counts.conflicts} conflict(s)`,
      data: { sinceIso, ...counts },
    };
  } catch (err) {
    return {
      step: "reconcile",
      ok: false,
      detail: `reconcile failed: ${lastError(err)}; run \`npm run reconcile -- --since ${sinceIso}\``,
      data: { sinceIso },
    };
  }
}
