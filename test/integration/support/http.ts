/**
 * HTTP calls for the live tests, each with a hard deadline so an endpoint that points at nothing fails in
 * seconds with a message naming the URL and the cause, instead of hanging until jest's timeout.
 */

export const DEFAULT_HTTP_TIMEOUT_MS = 5_000;

export interface HttpResult {
  readonly url: string;
  readonly status: number;
  readonly body: string;
  readonly elapsedMs: number;
}

export class HttpCheckError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HttpCheckError";
  }
}

export interface HttpRequestOptions {
  readonly method?: "GET" | "POST";
  /** Sent as JSON. */
  readonly json?: unknown;
  readonly timeoutMs?: number;
  /** Extra request headers (e.g. authorization). */
  readonly headers?: Readonly<Record<string, string>>;
}

export async function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResult> {
  const method = options.method ?? "GET";
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const started = Date.now();
  try {
    // One signal covers connect, headers and body, so a server that stalls mid-body is cut off too.
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await fetch(url, {
      method,
      signal,
      headers: {
        ...options.headers,
        ...(options.json === undefined ? {} : { "content-type": "application/json" }),
      },
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    });
    const body = await response.text();
    return { url, status: response.status, body, elapsedMs: Date.now() - started };
  } catch (err) {
    const elapsed = Date.now() - started;
    if ((err as { name?: unknown } | null)?.name === "TimeoutError") {
      throw new HttpCheckError(`${method} ${url} timed out after ${timeoutMs} ms`, { cause: err });
    }
    throw new HttpCheckError(`${method} ${url} failed after ${elapsed} ms: ${causeOf(err)}`, { cause: err });
  }
}

/** GET a health URL; resolves only on 200. */
export async function checkHealth(url: string, timeoutMs = DEFAULT_HTTP_TIMEOUT_MS): Promise<HttpResult> {
  const result = await httpRequest(url, { timeoutMs });
  if (result.status !== 200) {
    throw new HttpCheckError(
      `GET ${url} returned ${result.status}, expected 200; body: ${snippet(result.body)}`,
    );
  }
  return result;
}

export function snippet(body: string, max = 300): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat || "(empty)";
}

// fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND, a TLS error) in `cause`.
// Duck-typed: under jest, errors thrown by Node's fetch come from another realm, so instanceof Error fails.
function causeOf(err: unknown): string {
  const message = (e: unknown) => (e as { message?: unknown } | null)?.message;
  const cause = (err as { cause?: unknown } | null)?.cause;
  const causeMessage = message(cause);
  if (causeMessage === "bad port") return "bad port (fetch refuses this port number outright)";
  if (typeof causeMessage === "string") {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" && !causeMessage.includes(code)
      ? `${code}: ${causeMessage}`
      : causeMessage;
  }
  const own = message(err);
  return typeof own === "string" ? own : String(err);
}
