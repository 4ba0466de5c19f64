import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import * as path from "node:path";

/** Where `npm run bundle` (scripts/bundle.mjs) writes dist/lambda/<name>/index.js, one folder per Lambda. */
export const BUNDLE_ROOT = path.join(__dirname, "..", "..", "dist", "lambda");

/** The bundled code of one Lambda. Fails early, with the fix, when the bundle is missing. */
export function lambdaBundle(name: string): pulumi.asset.FileArchive {
  const dir = path.join(BUNDLE_ROOT, name);
  if (!existsSync(path.join(dir, "index.js"))) {
    throw new Error(`Lambda bundle ${dir}/index.js is missing: run \`npm run bundle\` before \`pulumi up\``);
  }
  return new pulumi.asset.FileArchive(dir);
}
