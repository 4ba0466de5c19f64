// Bundles every Lambda under lambda/<name>/index.ts into dist/lambda/<name>/index.js, one artifact per
// function. lib/compute/lambda-bundle.ts points each NodeFunction at its folder, so run this before
// `pulumi up`; `npm run build`, `npm run plan` and `npm test` do. From the command line a bundle whose
// inputs are unchanged is kept (see bundle-stamp below), so `npm run plan` does not rebuild all of them.
import { build, version as esbuildVersion } from "esbuild";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lambdaDir = join(root, "lambda");
const outRoot = join(root, "dist", "lambda");

export function lambdaNames() {
  return readdirSync(lambdaDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(lambdaDir, d.name, "index.ts")))
    .map((d) => d.name);
}

export async function bundle(name, { minify = true, outdir = join(outRoot, name) } = {}) {
  const result = await build({
    // Input paths in the metafile (and so in the stamp) are relative to the project.
    absWorkingDir: root,
    entryPoints: [join(lambdaDir, name, "index.ts")],
    outfile: join(outdir, "index.js"),
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify,
    sourcemap: false,
    // Bundle the SDK too: the version we test is the version we ship, not whatever the runtime carries.
    external: ["pg-native"],
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    write: false,
  });
  // Replace the file by rename, never delete-then-write: a test or plan running at the same time reads
  // either the old bundle or the new one, never a missing or half-written file.
  mkdirSync(outdir, { recursive: true });
  for (const file of result.outputFiles) replaceFile(file.path, file.contents);
  const keep = new Set(result.outputFiles.map((f) => basename(f.path)));
  for (const stale of readdirSync(outdir))
    if (!keep.has(stale)) rmSync(join(outdir, stale), { recursive: true, force: true });
  writeStamp(outdir, minify, Object.keys(result.metafile.inputs));
  return result;
}

function replaceFile(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

// The bundle stamp: what a bundle was built from. It sits beside the bundle's folder, never in it (the
// folder is the Lambda's code archive). It holds a hash of the content of every input esbuild read,
// not of its mtime: `npm ci` gives every file in node_modules the same old mtime, so an upgraded
// dependency would look older than the bundle. A stamp also covers esbuild's version, the options
// and this script, so a change to how bundles are built rebuilds them all.
const stampPath = (outdir) => `${outdir}.stamp.json`;
const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const buildKey = (minify) =>
  sha256(
    JSON.stringify({
      esbuild: esbuildVersion,
      minify,
      script: sha256(readFileSync(fileURLToPath(import.meta.url))),
    }),
  );

function contentHash(file) {
  try {
    return sha256(readFileSync(file));
  } catch {
    return undefined; // a missing file is never up to date
  }
}

function writeStamp(outdir, minify, inputs) {
  const stamp = {
    build: buildKey(minify),
    output: contentHash(join(outdir, "index.js")),
    inputs: Object.fromEntries(inputs.sort().map((p) => [p, contentHash(join(root, p))])),
  };
  replaceFile(stampPath(outdir), `${JSON.stringify(stamp, null, 1)}\n`);
}

/** True when outdir holds the bundle of exactly these inputs, built the way bundle() builds now. */
export function isUpToDate({ minify = true, outdir }) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath(outdir), "utf8"));
  } catch {
    return false;
  }
  if (stamp.build !== buildKey(minify)) return false;
  const output = contentHash(join(outdir, "index.js"));
  if (!output || output !== stamp.output) return false;
  return Object.entries(stamp.inputs ?? {}).every(([p, hash]) => hash && contentHash(join(root, p)) === hash);
}

/** Bundles `name` unless its bundle is up to date; returns whether it built. */
export async function bundleIfStale(name, { minify = true, outdir = join(outRoot, name) } = {}) {
  if (isUpToDate({ minify, outdir })) return false;
  await bundle(name, { minify, outdir });
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2);
  const names = only.length ? only : lambdaNames();
  const built = [];
  for (const name of names) if (await bundleIfStale(name)) built.push(name);
  const kept = names.filter((n) => !built.includes(n));
  // Progress goes to stderr: stdout belongs to whatever runs next (`npm run plan -- --json > plan.json`).
  console.error(
    `bundled ${built.length} lambda(s) into dist/lambda${built.length ? `: ${built.join(", ")}` : ""}` +
      (kept.length ? `; up to date: ${kept.join(", ")}` : ""),
  );
}
