// Bundles every Lambda under lambda/<name>/index.ts into dist/lambda/<name>/index.js, one artifact per
// function. lib/compute/lambda-bundle.ts points each NodeFunction at its folder, so run this before
// `pulumi up`; `npm run build`, `npm run plan` and `npm test` do.
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  const keep = new Set(result.outputFiles.map((f) => basename(f.path)));
  for (const stale of readdirSync(outdir))
    if (!keep.has(stale)) rmSync(join(outdir, stale), { recursive: true, force: true });
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2);
  const names = only.length ? only : lambdaNames();
  for (const name of names) await bundle(name);
  // Progress goes to stderr: stdout belongs to whatever runs next (`npm run plan -- --json > plan.json`).
  console.error(`bundled ${names.length} lambda(s) into dist/lambda: ${names.join(", ")}`);
}
