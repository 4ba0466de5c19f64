/**
 * One Region's function (the order processor or the order forwarder): the bundled artifact that ships
 * (dist/lambda/<name>/index.js, built by `node scripts/bundle.mjs`) loaded in a Node process of its own
 * with nothing but environment
 * variables, as a Lambda execution environment would, and invoked once per batch over stdin/stdout.
 * One warm environment per Region (the ESM's concurrency is 1 here; 10 in production): module state
 * such as the pg pool lives across invocations, as in Lambda.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

/** The bundle of lambda/<name> as it ships. */
export const bundleOf = (name: string): string => join(__dirname, "..", "dist", "lambda", name, "index.js");

/**
 * V8's compiled code for the bundles, kept between runs: a cold start here compiles a bundle of up to
 * 1 MB. `enableCompileCache` never throws; without it (Node < 22.1) the host simply compiles.
 * https://nodejs.org/api/module.html#moduleenablecompilecachecachedir
 */
const COMPILE_CACHE = join(__dirname, "..", "node_modules", ".cache", "tap-gameday", "v8");

const RUNTIME = `
const [bundle, compileCache, timeoutMs] = process.argv.slice(1);
require("node:module").enableCompileCache?.(compileCache);
const { handler } = require(bundle);
const rl = require("node:readline").createInterface({ input: process.stdin });
let n = 0;
rl.on("line", async (line) => {
  const { id, event } = JSON.parse(line);
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
  const context = { functionName: name, functionVersion: "$LATEST", awsRequestId: "gd-" + (++n),
    memoryLimitInMB: "512", getRemainingTimeInMillis: () => Number(timeoutMs),
    invokedFunctionArn: "arn:aws:lambda:" + process.env.AWS_REGION + ":123456789012:function:" + name };
  try {
    const result = await handler(event, context);
    process.stdout.write("@@" + JSON.stringify({ id, result }) + "\\n");
  } catch (e) {
    process.stdout.write("@@" + JSON.stringify({ id, error: String((e && e.name) || "Error") + ": " + String(e && e.message) }) + "\\n");
  }
});
rl.on("close", () => process.exit(0));
`;

export type Invocation<R = SQSBatchResponse> = { readonly result: R } | { readonly error: string };

export class FunctionHost {
  private readonly pending = new Map<number, (r: Invocation<unknown>) => void>();
  private next = 0;
  private buffer = "";
  /** Structured log lines of the function, newest last (bounded). */
  readonly logs: string[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on("data", (d: Buffer) => this.read(d.toString()));
    child.stderr.on("data", (d: Buffer) => this.keepLog(d.toString()));
    child.on("exit", () => {
      for (const resolve of this.pending.values()) resolve({ error: "Runtime.ExitError: process exited" });
      this.pending.clear();
    });
  }

  /** Starts lambda/`functionName`'s bundle (default: the order processor) with the function's timeout. */
  static start(
    env: Record<string, string>,
    functionName = "order-processor",
    timeoutSeconds = 3,
  ): FunctionHost {
    const bundle = bundleOf(functionName);
    if (!existsSync(bundle)) {
      throw new Error(`${bundle} is missing: run \`node scripts/bundle.mjs ${functionName}\` first`);
    }
    const child = spawn(
      process.execPath,
      ["-e", RUNTIME, bundle, COMPILE_CACHE, String(timeoutSeconds * 1000)],
      {
        // Lambda sets the function's name in every execution environment.
        env: { PATH: process.env.PATH ?? "", AWS_LAMBDA_FUNCTION_NAME: functionName, ...env },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    return new FunctionHost(child);
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (!line.startsWith("@@")) {
        this.keepLog(line);
        continue;
      }
      const msg = JSON.parse(line.slice(2)) as { id: number } & Invocation<unknown>;
      this.pending.get(msg.id)?.(msg);
      this.pending.delete(msg.id);
    }
  }

  private keepLog(text: string): void {
    for (const l of text.split("\n")) if (l.trim()) this.logs.push(l);
    if (this.logs.length > 500) this.logs.splice(0, this.logs.length - 500);
  }

  /** Invokes the handler with `event` (an SQS batch unless `R` says otherwise). */
  invoke<R = SQSBatchResponse>(event: SQSEvent | unknown): Promise<Invocation<R>> {
    const id = ++this.next;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (r: Invocation<unknown>) => void);
      this.child.stdin.write(`${JSON.stringify({ id, event })}\n`);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin.end();
    const killer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(killer);
  }
}
