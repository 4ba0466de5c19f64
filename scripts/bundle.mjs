// Bundles every Lambda under lambda/<name>/index.ts into dist/lambda/<name>/index.js, one artifact per
// function. lib/compute/lambda-bundle.ts points each NodeFunction at its folder, so run this before
// `pulumi up`; `npm run build`, `npm run plan` and `npm test` do.
import { build } from "esbuild";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
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
  rmSync(outdir, { recursive: true, force: true });
  return build({
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
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2);
  const names = only.length ? only : lambdaNames();
  for (const name of names) await bundle(name);
  console.log(`bundled ${names.length} lambda(s) into dist/lambda: ${names.join(", ")}`);
}
