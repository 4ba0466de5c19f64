/**
 * `npm run bench [-- --quick]` (tsx scripts/bench.ts). It prints numbers and asserts nothing about them;
 * test/scripts/bench.test.ts runs `--quick` so the command itself cannot break unnoticed.
 *
 * 1. Cold start of the order processor: size and `require()` time of the esbuild bundle that ships,
 *    next to the same code built file-per-file (esbuild bundle:false, i.e. what tsc output plus a
 *    node_modules folder would load). Each timing is a fresh `node` process; the median of several runs.
 * 2. Throughput of the batch handler against a real PostgreSQL (DATABASE_URL, else an embedded PostgreSQL as in the tests) and
 *    dynalite: see scripts/bench-throughput.ts.
 *
 * It works in a scratch database that it creates and drops, and in dist/bench/ (git-ignored).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { parseBenchArgs, type BenchPace } from "./bench-args";
import { throughputReport } from "./bench-throughput";

const ROOT = join(__dirname, "..");
const OUT = join(ROOT, "dist", "bench");

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
const pad = (s: string | number, n: number): string => String(s).padEnd(n);

interface ColdStart {
  requireMs: number;
  processMs: number;
  modules: number;
  bytesLoaded: number;
}

/** Requires `file` in a fresh process and reports the require time, module count and bytes loaded. */
function coldRequire(file: string, times: number): ColdStart {
  const probe =
    "const fs=require('fs');const t=process.hrtime.bigint();const m=require(process.argv[1]);" +
    "const ms=Number(process.hrtime.bigint()-t)/1e6;if(typeof m.handler!=='function')process.exit(2);" +
    "const files=Object.keys(require.cache);let bytes=0;for(const f of files)bytes+=fs.statSync(f).size;" +
    "process.stdout.write(JSON.stringify({ms,modules:files.length,bytes}))";
  const runs: { ms: number; modules: number; bytes: number; wall: number }[] = [];
  for (let i = 0; i < times; i++) {
    const started = process.hrtime.bigint();
    const res = spawnSync(process.execPath, ["-e", probe, file], {
      encoding: "utf8",
      env: { PATH: process.env.PATH },
    });
    const wall = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 0) throw new Error(`require(${file}) failed: ${res.stderr}`);
    runs.push({ ...(JSON.parse(res.stdout) as { ms: number; modules: number; bytes: number }), wall });
  }
  return {
    requireMs: median(runs.map((r) => r.ms)),
    processMs: median(runs.map((r) => r.wall)),
    modules: runs[0].modules,
    bytesLoaded: runs[0].bytes,
  };
}

/**
 * Our own source files the shipping bundle read (esbuild's metafile, paths relative to the project):
 * the file-per-file build covers exactly them, so it follows the processor's imports wherever they lead
 * (it once listed two folders by hand and broke when the processor imported `lambda/order-authorizer`).
 */
export function ownSources(metafileInputs: readonly string[]): string[] {
  return metafileInputs.filter((p) => p.startsWith("lambda/")).map((p) => join(ROOT, p));
}

async function coldStartReport(pace: BenchPace): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  // The shipping build: scripts/bundle.mjs itself, into a side folder.
  const bundler = (await import(pathToFileURL(join(ROOT, "scripts", "bundle.mjs")).href)) as {
    bundle(
      name: string,
      opts: { outdir: string },
    ): Promise<{ metafile: { inputs: Record<string, unknown> } }>;
  };
  const bundledDir = join(OUT, "bundled");
  const shipped = await bundler.bundle("order-processor", { outdir: bundledDir });
  const bundled = join(bundledDir, "index.js");

  // File-per-file build of our own code; dependencies resolve from node_modules like tsc output would.
  const unbundledDir = join(OUT, "unbundled");
  await build({
    entryPoints: ownSources(Object.keys(shipped.metafile.inputs)),
    outbase: join(ROOT, "lambda"),
    outdir: join(unbundledDir, "lambda"),
    bundle: false,
    platform: "node",
    target: "node22",
    format: "cjs",
    logLevel: "error",
  });
  const unbundled = join(unbundledDir, "lambda", "order-processor", "index.js");

  const b = coldRequire(bundled, pace.coldStartRuns);
  const u = coldRequire(unbundled, pace.coldStartRuns);
  console.log(
    `\nCold start: order-processor (median of ${pace.coldStartRuns} fresh node processes, Node ${process.versions.node})`,
  );
  console.log(
    `  ${pad("build", 31)}${pad("artifact", 12)}${pad("modules", 9)}${pad("bytes loaded", 14)}${pad("require()", 12)}node process`,
  );
  console.log(
    `  ${pad("esbuild bundle (ships)", 31)}${pad(kb(statSync(bundled).size), 12)}${pad(b.modules, 9)}${pad(kb(b.bytesLoaded), 14)}` +
      `${pad(`${b.requireMs.toFixed(1)} ms`, 12)}${b.processMs.toFixed(0)} ms`,
  );
  console.log(
    `  ${pad("file-per-file + node_modules", 31)}${pad("-", 12)}${pad(u.modules, 9)}${pad(kb(u.bytesLoaded), 14)}` +
      `${pad(`${u.requireMs.toFixed(1)} ms`, 12)}${u.processMs.toFixed(0)} ms`,
  );
  console.log("  (the unbundled row has no single artifact: it reads every module listed from node_modules)");
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  if (args.help) {
    console.log(args.usage);
    return;
  }
  await coldStartReport(args.pace);
  await throughputReport(args.pace);
}

if (require.main === module)
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
