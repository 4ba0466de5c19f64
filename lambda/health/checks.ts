/**
 * GET /health: can this region take orders right now, and in which role? Four checks run in parallel,
 * each under its own deadline, so the answer always comes back within about one timeout. The body names
 * what failed and a short error code, never a message from AWS (those can carry ARNs and account ids)
 * nor a host name.
 *
 * Role (F1): the region is the writer when its order-processor event source mapping is enabled, the
 * standby when it is disabled (the failover orchestrator flips them). A writer needs the database on the
 * processor's own path (DB_HOST, the global writer endpoint); a standby only holds orders in its queue,
 * so its database probe is reported but does not fail the check.
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetEventSourceMapping.html
 */
import { DescribeTableCommand, type DescribeTableCommandOutput } from "@aws-sdk/client-dynamodb";
import {
  GetEventSourceMappingCommand,
  type GetEventSourceMappingCommandOutput,
} from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, type GetQueueAttributesCommandOutput } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyResult } from "aws-lambda";
import { connect } from "node:net";
import type { Log } from "../shared/log";
import { TimeoutError, withTimeout } from "../shared/timeout";
import { HEALTH_ENV } from "./env";

export type CheckName = "queue" | "table" | "database" | "role";
export type Role = "writer" | "standby" | "unknown";

export interface CheckResult {
  readonly ok: boolean;
  readonly ms: number;
  /** Short, non-sensitive cause: an error code or "timeout". */
  readonly error?: string;
  readonly status?: string;
}

export interface HealthBody {
  readonly status: "ok" | "unavailable";
  readonly region: string;
  readonly role: Role;
  readonly failed?: CheckName[];
  readonly checks: Record<CheckName, CheckResult>;
}

interface Sender<C, O> {
  send(command: C, options?: { abortSignal?: AbortSignal }): Promise<O>;
}

export interface HealthDeps {
  readonly region: string;
  readonly sqs: Sender<GetQueueAttributesCommand, GetQueueAttributesCommandOutput>;
  readonly dynamodb: Sender<DescribeTableCommand, DescribeTableCommandOutput>;
  readonly lambda: Sender<GetEventSourceMappingCommand, GetEventSourceMappingCommandOutput>;
  readonly mappingUuid?: string;
  readonly queueUrl?: string;
  readonly tableName?: string;
  readonly dbHost?: string;
  readonly dbPort: number;
  readonly timeoutMs: number;
  readonly logger: Log;
}

class CheckFailed extends Error {
  constructor(
    readonly code: string,
    detail?: string,
  ) {
    super(detail ?? code);
  }
}

/** Resolves once a TCP connection to host:port is established (then closes it), rejects otherwise. */
export function tcpConnect(host: string, port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const done = (err?: Error) => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => done(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => done());
    socket.once("error", (err) => done(err));
  });
}

const errorCode = (err: unknown): string => {
  if (err instanceof TimeoutError) return "timeout";
  if (err instanceof CheckFailed) return err.code;
  const e = err as { code?: unknown; name?: unknown } | null;
  if (typeof e?.code === "string") return e.code; // ECONNREFUSED, ENOTFOUND, ...
  return typeof e?.name === "string" ? e.name : "Error"; // SDK errors: AccessDeniedException, ...
};

type Probe = (signal: AbortSignal) => Promise<string | undefined>;

/** Runs one probe under the deadline; a failure becomes a short error code, logged with its detail. */
async function runCheck(deps: HealthDeps, name: CheckName, work: Probe): Promise<CheckResult> {
  const start = performance.now();
  try {
    const status = await withTimeout(deps.timeoutMs, name, work);
    return { ok: true, ms: Math.round(performance.now() - start), ...(status ? { status } : {}) };
  } catch (err) {
    const error = errorCode(err);
    deps.logger.warn("health check failed", { check: name, error, detail: (err as Error)?.message });
    return { ok: false, ms: Math.round(performance.now() - start), error };
  }
}

/** One probe per check; each resolves to an optional status or throws. */
function probes(deps: HealthDeps): Record<CheckName, Probe> {
  const queue = async (signal: AbortSignal) => {
    if (!deps.queueUrl) throw new CheckFailed("not-configured", `${HEALTH_ENV.queueUrl} is not set`);
    await deps.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: deps.queueUrl, AttributeNames: ["QueueArn"] }),
      {
        abortSignal: signal,
      },
    );
    return undefined;
  };

  const table = async (signal: AbortSignal) => {
    if (!deps.tableName) throw new CheckFailed("not-configured", `${HEALTH_ENV.tableName} is not set`);
    const out = await deps.dynamodb.send(new DescribeTableCommand({ TableName: deps.tableName }), {
      abortSignal: signal,
    });
    const status = out.Table?.TableStatus;
    // A global table can be UPDATING (e.g. a replica being added elsewhere) while this region's replica
    // serves reads and writes normally.
    const replica = out.Table?.Replicas?.find((r) => r.RegionName === deps.region)?.ReplicaStatus;
    if (status === "ACTIVE" || replica === "ACTIVE") return status;
    throw new CheckFailed(`table-${(status ?? "unknown").toLowerCase()}`);
  };

  const database = async (signal: AbortSignal) => {
    if (!deps.dbHost) throw new CheckFailed("not-configured", `${HEALTH_ENV.dbHost} is not set`);
    await tcpConnect(deps.dbHost, deps.dbPort, signal);
    return undefined;
  };

  const role = async (signal: AbortSignal) => {
    if (!deps.mappingUuid) throw new CheckFailed("not-configured", "EVENT_SOURCE_MAPPING_UUID is not set");
    const out = await deps.lambda.send(new GetEventSourceMappingCommand({ UUID: deps.mappingUuid }), {
      abortSignal: signal,
    });
    return out.State; // Enabled, Enabling, Disabled, Disabling, Updating, ...
  };

  return { queue, table, database, role };
}

/** 200 when every check passed, 503 naming the failed ones otherwise. */
function healthResponse(region: string, results: Record<CheckName, CheckResult>): APIGatewayProxyResult {
  const regionRole = roleOf(results.role);
  // A standby holds orders in its queue; its database path leads to a writer it cannot reach yet.
  const checks = {
    queue: results.queue,
    table: results.table,
    database: regionRole === "standby" ? { ...results.database, ok: true } : results.database,
    role: results.role,
  };
  const failed = (Object.keys(checks) as CheckName[]).filter((k) => !checks[k].ok);
  const body: HealthBody =
    failed.length === 0
      ? { status: "ok", region, role: regionRole, checks }
      : { status: "unavailable", region, role: regionRole, failed, checks };
  return {
    statusCode: failed.length === 0 ? 200 : 503,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
    body: JSON.stringify(body),
  };
}

export function createHealthHandler(deps: HealthDeps): () => Promise<APIGatewayProxyResult> {
  const probe = probes(deps);
  return async () => {
    const [queue, table, database, role] = await Promise.all([
      runCheck(deps, "queue", probe.queue),
      runCheck(deps, "table", probe.table),
      runCheck(deps, "database", probe.database),
      runCheck(deps, "role", probe.role),
    ]);
    return healthResponse(deps.region, { queue, table, database, role });
  };
}

const WRITER_STATES = new Set(["Enabled", "Enabling"]);
const STANDBY_STATES = new Set(["Disabled", "Disabling"]);

export function roleOf(check: CheckResult): Role {
  if (!check.ok) return "unknown";
  if (WRITER_STATES.has(check.status ?? "")) return "writer";
  return STANDBY_STATES.has(check.status ?? "") ? "standby" : "unknown";
}
