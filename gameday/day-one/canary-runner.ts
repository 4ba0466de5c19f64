/**
 * Runs a canary's packaged script as the Synthetics runtime does: the file from the canary's code
 * archive, loaded from nodejs/node_modules, in a process of its own with the canary's environment, its
 * handler awaited; the run passes when the handler resolves. The Synthetics library is a shim of the one
 * call the script makes, executeHttpStep(stepName, requestOptions, callback): it sends the request (to
 * the world's API front, by the request's host name) and hands the response to the callback; a step
 * whose callback throws fails the run.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Library_function_Nodejs.html
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CanaryModel } from "./model";

/** The env variable that tells the shim where the world's API front listens. */
const FRONT_ENV = "TAP_GAMEDAY_API_FRONT";

const SHIM = `
"use strict";
const http = require("node:http");
async function executeHttpStep(stepName, options, callback) {
  const front = new URL(process.env.${FRONT_ENV});
  const res = await new Promise((resolve, reject) => {
    const req = http.request({ host: front.hostname, port: front.port, method: options.method,
      path: options.path, headers: { ...(options.headers || {}), host: options.hostname } }, resolve);
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
  try {
    if (callback) await callback(res);
  } catch (e) {
    throw new Error("step " + stepName + " failed: " + e.message);
  }
}
module.exports = { executeHttpStep };
`;

const RUN = `
const [file, fn] = process.argv.slice(1);
Promise.resolve(require(file)[fn]()).then(
  () => process.stdout.write("@@PASSED\\n"),
  (e) => process.stdout.write("@@FAILED " + String(e && e.message) + "\\n"),
);
`;

export interface CanaryRun {
  readonly passed: boolean;
  readonly reason?: string;
  /** Why a FAILED run failed: its script (CANARY_FAILURE) or Synthetics, e.g. saving artifacts (artifacts.ts). */
  readonly reasonCode?: "CANARY_FAILURE" | "EXECUTION_FAILURE";
  /** The artifacts the run uploaded (artifacts.ts), each with S3's refusal when it was refused. */
  readonly artifacts?: readonly { readonly key: string; readonly refused?: string }[];
}

/** A canary's code package unpacked once, run as often as its schedule asks. */
export class CanaryRunner {
  private constructor(
    readonly model: CanaryModel,
    private readonly root: string,
  ) {}

  static prepare(model: CanaryModel): CanaryRunner {
    const root = mkdtempSync(join(tmpdir(), "tap-canary-"));
    const target = join(root, model.packagePath);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(model.sourceFile, target);
    // Both names the runtimes have published the library under (health-canary.js tries them in turn).
    for (const lib of ["@aws/synthetics-puppeteer", "Synthetics"]) {
      mkdirSync(join(root, "node_modules", lib), { recursive: true });
      writeFileSync(join(root, "node_modules", lib, "index.js"), SHIM);
    }
    return new CanaryRunner(model, root);
  }

  run(front: string): Promise<CanaryRun> {
    const [file, fn] = this.model.handler.split(".");
    const script = join(this.root, dirname(this.model.packagePath), `${file}.js`);
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ["-e", RUN, script, fn], {
        env: { PATH: process.env.PATH ?? "", ...this.model.env, [FRONT_ENV]: front },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.on("close", () => {
        const line = out.split("\n").find((l) => l.startsWith("@@")) ?? "@@FAILED no result";
        resolve(
          line === "@@PASSED" ? { passed: true } : { passed: false, reason: line.slice("@@FAILED ".length) },
        );
      });
    });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
