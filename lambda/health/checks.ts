/**
 * GET /health: can this region take orders right now? Three checks run in parallel, each under its own
 * deadline, so the answer always comes back within about one timeout. The body names what failed and a
 * short error code, never a message from AWS (those can carry ARNs and account ids) nor a host name.
 */
import { DescribeTableCommand, type DescribeTableCommandOutput } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, type GetQueueAttributesCommandOutput } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyResult } from "aws-lambda";
import { connect } from "node:net";
import type { Log } from "../shared/log";
import { TimeoutError, withTimeout } from "../shared/timeout";
import { HEALTH_ENV } from "./env";

export type CheckName = "queue" | "table" | "database";

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

export function createHealthHandler(deps: HealthDeps): () => Promise<APIGatewayProxyResult> {
  const run = async (
    name: CheckName,
    work: (signal: AbortSignal) => Promise<string | undefined>,
  ): Promise<CheckResult> => {
    const start = performance.now();
    try {
      const status = await withTimeout(deps.timeoutMs, name, work);
      return { ok: true, ms: Math.round(performance.now() - start), ...(status ? { status } : {}) };
    } catch (err) {
      const error = errorCode(err);
      deps.logger.warn("health check failed", { check: name, error, detail: (err as Error)?.message });
      return { ok: false, ms: Math.round(performance.now() - start), error };
    }
  };

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

  return async () => {
    const [q, t, d] = await Promise.all([
      run("queue", queue),
      run("table", table),
      run("database", database),
    ]);
    const checks = { queue: q, table: t, database: d };
    const failed = (Object.keys(checks) as CheckName[]).filter((k) => !checks[k].ok);
    const body: HealthBody =
      failed.length === 0
        ? { status: "ok", region: deps.region, checks }
        : { status: "unavailable", region: deps.region, failed, checks };
    return {
      statusCode: failed.length === 0 ? 200 : 503,
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
      body: JSON.stringify(body),
    };
  };
}
