/**
 * `npm run bench` (tsx scripts/bench.ts). Not a test: it prints numbers and asserts nothing.
 *
 * 1. Cold start of the order processor: size and `require()` time of the esbuild bundle that ships,
 *    next to the same code built file-per-file (esbuild bundle:false, i.e. what tsc output plus a
 *    node_modules folder would load). Each timing is a fresh `node` process; the median of several runs.
 * 2. Throughput of the batch handler against a real PostgreSQL (the local database URL, else
 *    127.0.0.1:5432) and
 *    dynalite, for batches of 10 and 100, with the database round trips per batch, next to a variant
 *    that inserts one order per statement to show what the single-statement ledger write saves.
 *
 * It works in a scratch database that it creates and drops, and in dist/bench/ (git-ignored).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { Client } from "pg";
import { createOrderBatchHandler } from "../lambda/order-processor/batch";
import { Database, DB_DEFAULTS } from "../lambda/order-processor/db";
import { LOCAL_DATABASE_URL_ENV } from "../lambda/order-processor/env";
import { insertOrders, type LedgerEntry, type LedgerResult } from "../lambda/order-processor/ledger";
import type { Sql } from "../lambda/order-processor/sql";
import { putOrderState } from "../lambda/order-processor/state";
import type { Log } from "../lambda/shared/log";
import { startDynamo } from "../tooling/stores/dynamodb";

const ROOT = join(__dirname, "..");
const OUT = join(ROOT, "dist", "bench");
const RUNS = 7;
const REGION = "us-east-1";

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
function coldRequire(file: string): ColdStart {
  const probe =
    "const fs=require('fs');const t=process.hrtime.bigint();const m=require(process.argv[1]);" +
    "const ms=Number(process.hrtime.bigint()-t)/1e6;if(typeof m.handler!=='function')process.exit(2);" +
    "const files=Object.keys(require.cache);let bytes=0;for(const f of files)bytes+=fs.statSync(f).size;" +
    "process.stdout.write(JSON.stringify({ms,modules:files.length,bytes}))";
  const runs: { ms: number; modules: number; bytes: number; wall: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
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

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesUnder(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : [],
  );
}

async function coldStartReport(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  // The shipping build: scripts/bundle.mjs itself, into a side folder.
  const bundler = (await import(pathToFileURL(join(ROOT, "scripts", "bundle.mjs")).href)) as {
    bundle(name: string, opts: { outdir: string }): Promise<unknown>;
  };
  const bundledDir = join(OUT, "bundled");
  await bundler.bundle("order-processor", { outdir: bundledDir });
  const bundled = join(bundledDir, "index.js");

  // File-per-file build of our own code; dependencies resolve from node_modules like tsc output would.
  const unbundledDir = join(OUT, "unbundled");
  await build({
    entryPoints: [
      ...filesUnder(join(ROOT, "lambda", "order-processor")),
      ...filesUnder(join(ROOT, "lambda", "shared")),
    ],
    outbase: join(ROOT, "lambda"),
    outdir: join(unbundledDir, "lambda"),
    bundle: false,
    platform: "node",
    target: "node22",
    format: "cjs",
    logLevel: "error",
  });
  const unbundled = join(unbundledDir, "lambda", "order-processor", "index.js");

  const b = coldRequire(bundled);
  const u = coldRequire(unbundled);
  console.log(
    `\nCold start: order-processor (median of ${RUNS} fresh node processes, Node ${process.versions.node})`,
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

const quiet: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function makeOrders(
  n: number,
  run: string,
  offset: number,
): { Records: { messageId: string; body: string }[] } {
  return {
    Records: Array.from({ length: n }, (_, i) => {
      const k = offset + i;
      const limit = k % 3 === 0;
      return {
        messageId: `bench-${run}-${k}`,
        body: JSON.stringify({
          orderId: `bench-${run}-${k}`,
          account: `acct-${k % 50}`,
          symbol: "AAPL",
          side: k % 2 ? "BUY" : "SELL",
          quantity: 1 + (k % 1000),
          orderType: limit ? "LIMIT" : "MARKET",
          ...(limit ? { limitPrice: 100 + (k % 100) / 100 } : {}),
          clientTimestamp: new Date(1_714_000_000_000 + k * 1000).toISOString(),
        }),
        attributes: { ApproximateReceiveCount: "1" },
      };
    }),
  };
}

async function throughputReport(): Promise<void> {
  const serverUrl =
    process.env[LOCAL_DATABASE_URL_ENV]?.trim() || "postgres://postgres@127.0.0.1:5432/postgres";
  const scratch = `tap_bench_${process.pid}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${scratch}`);
  const url = new URL(serverUrl);
  url.pathname = `/${scratch}`;
  const dynamo = await startDynamo();
  const db = new Database({ url: url.toString(), ...DB_DEFAULTS }, { logger: quiet });
  try {
    const table = await dynamo.createOrdersTable("bench");
    await db.query("SELECT 1"); // migrations, outside the measurements
    console.log(
      `\nThroughput: batch handler -> PostgreSQL (${url.host}) + dynalite (in-process), sequential batches`,
    );
    console.log(
      `  ${pad("ledger write", 22)}${pad("batch", 7)}${pad("batches", 9)}${pad("orders/s", 10)}${pad("p50 batch", 11)}${pad("DB round trips/batch", 22)}ledger ms/batch`,
    );

    const variants: [string, (sql: Sql, e: readonly LedgerEntry[]) => Promise<LedgerResult>][] = [
      ["one statement", (sql, e) => insertOrders(sql, e, REGION)],
      [
        "one per order",
        async (sql, e) => {
          const inserted = new Set<string>();
          for (const entry of e)
            for (const id of (await insertOrders(sql, [entry], REGION)).inserted) inserted.add(id);
          return { inserted, rejected: new Map() };
        },
      ],
    ];
    let run = 0;
    for (const [label, write] of variants) {
      for (const size of [10, 100]) {
        run += 1;
        let trips = 0;
        let ledgerMs = 0;
        const counted: Sql = {
          query: (text, values) => {
            trips += 1;
            return db.query(text, values);
          },
        };
        const handler = createOrderBatchHandler({
          region: REGION,
          logger: quiet,
          metrics: { count: () => undefined },
          writeLedger: async (e) => {
            const t = performance.now();
            try {
              return await write(counted, e);
            } finally {
              ledgerMs += performance.now() - t;
            }
          },
          writeState: (o, now) => putOrderState(dynamo.doc, table, o, REGION, now),
        });
        await handler(makeOrders(size, `warm${run}`, 0) as never); // warm pool and JIT
        trips = 0;
        ledgerMs = 0;
        const latencies: number[] = [];
        const budgetMs = 3000;
        const maxOrders = 5000;
        const started = performance.now();
        let orders = 0;
        while (performance.now() - started < budgetMs && orders < maxOrders) {
          const t = performance.now();
          const res = await handler(makeOrders(size, `r${run}`, orders) as never);
          if (res.batchItemFailures.length)
            throw new Error(`bench batch had ${res.batchItemFailures.length} failures`);
          latencies.push(performance.now() - t);
          orders += size;
        }
        const seconds = (performance.now() - started) / 1000;
        const batches = latencies.length;
        console.log(
          `  ${pad(label, 22)}${pad(size, 7)}${pad(batches, 9)}${pad((orders / seconds).toFixed(0), 10)}` +
            `${pad(`${median(latencies).toFixed(1)} ms`, 11)}${pad((trips / batches).toFixed(1), 22)}${(ledgerMs / batches).toFixed(1)}`,
        );
      }
    }
    console.log(
      "  (the rest of each batch is validation and the DynamoDB puts, 10 in flight, to dynalite in this process)",
    );
  } finally {
    await db.end();
    await dynamo.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

async function main(): Promise<void> {
  await coldStartReport();
  await throughputReport();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
