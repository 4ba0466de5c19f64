/** The test harness itself: what makes the suite fast, and what keeps single-file runs working. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { perProcess } from "../../tooling/stores/embedded-per-process";
import { withoutPulumiStacks } from "../../tooling/mocks/pulumi-stacks";
import { startTestDatabase } from "../../tooling/stores/postgres";
import { RUN_ID_ENV } from "./run-env";
import { withTempDir, withTempDirAsync } from "./temp-dir";

const ROOT = path.join(__dirname, "..", "..");

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? testFiles(path.join(dir, d.name))
      : d.name.endsWith(".ts")
        ? [path.join(dir, d.name)]
        : [],
  );
}

/** Runs the global setup's bundler in plain Node (Jest's sandbox cannot import the .mjs bundler). */
function ensureBundles(distDir: string): string[] {
  const script = `require(${JSON.stringify(path.join(__dirname, "global-setup.js"))})
    .ensureBundles(${JSON.stringify(distDir)}).then((b) => process.stdout.write(JSON.stringify(b)))`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as string[];
}

describe("jest global setup", () => {
  // One bundle missing (the smallest, so the test stays quick): only it is built, the others are untouched.
  it("builds the Lambda bundles that are missing, and only those", async () => {
    const lambdas = readdirSync(path.join(ROOT, "lambda")).filter((n) =>
      existsSync(path.join(ROOT, "lambda", n, "index.ts")),
    );
    const missing = "order-authorizer";
    expect(lambdas).toContain(missing);
    const dist = await withTempDirAsync("tap-setup-", async (dir) => {
      for (const name of lambdas.filter((n) => n !== missing)) {
        mkdirSync(path.join(dir, name));
        writeFileSync(path.join(dir, name, "index.js"), "// present\n");
      }
      expect(ensureBundles(dir)).toEqual([missing]);
      const built = readFileSync(path.join(dir, missing, "index.js"), "utf8");
      expect([built.includes("module.exports="), built.includes("handler:")]).toEqual([true, true]);
      for (const name of lambdas.filter((n) => n !== missing)) {
        expect(readFileSync(path.join(dir, name, "index.js"), "utf8")).toBe("// present\n");
      }
      expect(ensureBundles(dir)).toEqual([]);
      return dir;
    });
    expect(existsSync(dist)).toBe(false);
  }, 120_000);

  it("gives the run an id that every temporary folder of the run carries", () => {
    const runId = process.env[RUN_ID_ENV];
    expect(runId).toMatch(/^\d+[0-9a-f]{6}$/);
    withTempDir("probe-", (dir) =>
      expect(path.basename(dir)).toMatch(new RegExp(`^tap-test-${runId}-probe-`)),
    );
  });

  it("no test makes a temporary folder except through temp-dir.ts (the teardown only sees those)", () => {
    const offenders = testFiles(path.join(ROOT, "test"))
      .filter((f) => !f.endsWith(path.join("support", "temp-dir.ts")))
      .filter((f) => /\bmkdtemp(Sync)?\(/.test(readFileSync(f, "utf8")));
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});

describe("jest workers", () => {
  it("get 3 s to exit after the run (a loaded machine can take over the default 500 ms with nothing left open)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(path.join(ROOT, "jest.config.js")) as { workerGracefulExitTimeout?: number };
    expect(config.workerGracefulExitTimeout).toBe(3000);
  });
});

describe("one embedded PostgreSQL per process", () => {
  it("a value started by one test file is the one every later file in the process gets", async () => {
    let starts = 0;
    const start = async () => ({ n: ++starts });
    const first = await perProcess("tap.test.sample", start);
    // isolateModules gives a fresh module registry, as Jest does for the next test file.
    let second: unknown;
    await jest.isolateModulesAsync(async () => {
      const again = await import("../../tooling/stores/embedded-per-process");
      second = await again.perProcess("tap.test.sample", start);
    });
    expect(second).toBe(first);
    expect(starts).toBe(1);
  });

  it("two test databases that need password auth share one server, each with its own database", async () => {
    const a = await startTestDatabase({ passwordAuth: true });
    const b = await startTestDatabase({ passwordAuth: true });
    try {
      expect(b.port).toBe(a.port);
      expect(b.database).not.toBe(a.database);
      await a.stop();
      const admin = await b.admin();
      const { rows } = await admin.query("SELECT datname FROM pg_database WHERE datname = ANY($1)", [
        [a.database, b.database],
      ]);
      expect(rows.map((r) => r.datname)).toEqual([b.database]);
    } finally {
      await b.stop();
    }
  }, 120_000);
});

describe("program runs without Pulumi's stack traces", () => {
  it("@pulumi/pulumi's debuggablePromise takes no stack while a program runs, keeps its leak bookkeeping, and is itself again after", async () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
      debuggablePromise<T>(p: Promise<T>, ctx: string): Promise<T>;
    };
    const { getStore } = require("@pulumi/pulumi/runtime/state") as {
      getStore(): { leakCandidates: Set<Promise<unknown>> };
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    const original = debuggable.debuggablePromise;
    type Debugged = Promise<number> & { _debugStackTrace?: string };
    const p = Promise.resolve(1) as Debugged;
    const rejected = Promise.reject(new Error("refused"));
    const pending = new Promise<number>(() => undefined);
    await withoutPulumiStacks(async () => {
      expect(await debuggable.debuggablePromise(p, "under test")).toBe(1);
      const err = (await debuggable.debuggablePromise(rejected, "rejects").catch((e: unknown) => e)) as {
        promise?: unknown;
      };
      expect(err.promise).toBe(rejected);
      void debuggable.debuggablePromise(pending, "never settles");
    });
    expect(p._debugStackTrace).toBeUndefined();
    // Still a leak candidate, as Pulumi's report at exit expects (then taken off, this one is ours).
    expect(getStore().leakCandidates.delete(pending)).toBe(true);
    expect(debuggable.debuggablePromise).toBe(original);
    await expect(withoutPulumiStacks(() => Promise.reject(new Error("run failed")))).rejects.toThrow(
      "run failed",
    );
    expect(debuggable.debuggablePromise).toBe(original);
    const q = Promise.resolve(2) as Debugged;
    await debuggable.debuggablePromise(q, "outside");
    expect(q._debugStackTrace).toMatch(/at (Object\.)?debuggablePromise /);
  });

  it("a resource takes no callsites (its source position) while a program runs, and does again after", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Resource } = require("@pulumi/pulumi/resource") as {
      Resource: { callsites(): unknown[]; stackTrace(skip: number): unknown[] };
    };
    const original = Resource.callsites;
    expect(Resource.stackTrace(0).length).toBeGreaterThan(0);
    const inside = await withoutPulumiStacks(async () => [Resource.callsites(), Resource.stackTrace(0)]);
    expect(inside).toEqual([[], []]);
    await expect(withoutPulumiStacks(() => Promise.reject(new Error("run failed")))).rejects.toThrow();
    expect(Resource.callsites).toBe(original);
    expect(Resource.stackTrace(0).length).toBeGreaterThan(0);
  });

  it("an error thrown while the program runs still says where it was thrown", async () => {
    function failsHere(): never {
      throw new Error("boom");
    }
    const err = await withoutPulumiStacks(async () => {
      try {
        failsHere();
      } catch (e) {
        return e as Error;
      }
    });
    expect(err?.stack).toMatch(/at failsHere .*test-setup\.test\.ts:\d+/);
  });
});

describe("the TypeScript compiler under Jest", () => {
  it("@pulumi/pulumi loads without it (it is never used here), and it is there on first use", () => {
    const loaded = Symbol.for("tap.lazy-typescript.loaded");
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      require("@pulumi/pulumi");
      const ts = require("typescript") as Record<PropertyKey, unknown>;
      /* eslint-enable @typescript-eslint/no-require-imports */
      expect(ts[loaded]).toBe(false);
      expect(typeof ts.createSourceFile).toBe("function");
      expect(ts[loaded]).toBe(true);
    });
  });
});

/** Requires `load()` with @pulumi/pulumi (which @pulumi/aws and @pulumi/random load too) throwing. */
async function withoutPulumi(load: () => void | Promise<void>): Promise<void> {
  // A module mock outlives isolateModules: it goes in `finally`, or the later tests load the throwing one.
  jest.doMock("@pulumi/pulumi", () => {
    throw new Error("@pulumi/pulumi loaded");
  });
  try {
    await jest.isolateModulesAsync(async () => load());
  } finally {
    jest.dontMock("@pulumi/pulumi");
  }
}

/* eslint-disable @typescript-eslint/no-require-imports */
describe("test files that spawn the docs' commands or read one constant", () => {
  it("load no Pulumi module through the helpers they share (about half a second of CPU per file)", async () => {
    await withoutPulumi(() => {
      const asTyped = require("../plan/as-typed") as typeof import("../plan/as-typed");
      expect(asTyped.readmePlanCommands()).toContain("npm run plan");
    });
  });

  it("load no Pulumi module for the run-time owned attributes, the bundles' folder or the plan's schema version", async () => {
    await withoutPulumi(() => {
      const owned = require("../../lib/run-time-owned") as typeof import("../../lib/run-time-owned");
      expect(owned.QUEUE_CONSUMER_RUNTIME_OWNED).toEqual(["enabled"]);
      const bundles =
        require("../../lib/compute/bundle-root") as typeof import("../../lib/compute/bundle-root");
      expect(bundles.BUNDLE_ROOT).toBe(path.join(ROOT, "dist", "lambda"));
      const schema =
        require("../../tooling/plan/schema-version") as typeof import("../../tooling/plan/schema-version");
      expect(schema.PLAN_JSON_SCHEMA_VERSION).toBe(2);
    });
  });

  it("S5: `npm run plan -- --stack prod` refuses its placeholder identity settings before loading any Pulumi module", async () => {
    await withoutPulumi(async () => {
      const { runPlan } =
        require("../../tooling/plan/run-plan") as typeof import("../../tooling/plan/run-plan");
      const err: string[] = [];
      const code = await runPlan(["--stack", "prod"], {
        stdout: () => undefined,
        stderr: (t) => err.push(t),
      });
      expect({ code, err: err.join("") }).toEqual({
        code: 2,
        err: expect.stringMatching(
          /^plan prod: Invalid stack configuration \(1 problem\(s\)\):\n *- authIssuer and authJwksUrl: production needs /,
        ),
      });
    });
  });
});
/* eslint-enable @typescript-eslint/no-require-imports */

describe("a failing program run", () => {
  it("still says where it failed", async () => {
    const { runProgram } = await import("../program");
    const err = await runProgram({ primaryRegion: "mars-1" }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).stack).toMatch(/at loadConfig .*lib[\\/]load-config\.ts:\d+/);
    expect((err as Error).stack).toMatch(/at declareProgram .*lib[\\/]program\.ts:\d+/);
  }, 60_000);
  it("runs on the file's own modules: a second configuration loads nothing again (its error is this file's ConfigError)", async () => {
    const { runProgram } = await import("../program");
    const { ConfigError } = await import("../../lib/config");
    for (const region of ["mars-1", "mars-2"]) {
      const err = await runProgram({ primaryRegion: region }).catch((e: Error) => e);
      // A fresh module registry per run (jest.isolateModules) would compile @pulumi/aws again each time
      // and throw another realm's ConfigError class.
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(region);
    }
  });
});
