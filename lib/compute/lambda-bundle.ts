import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { BUNDLE_ROOT } from "./bundle-root";

/** The bundled code of one Lambda. Fails early, with the fix, when the bundle is missing. */
export function lambdaBundle(name: string): pulumi.asset.FileArchive {
  const dir = path.join(BUNDLE_ROOT, name);
  if (!existsSync(path.join(dir, "index.js"))) {
    throw new Error(`Lambda bundle ${dir}/index.js is missing: run \`npm run bundle\` before \`pulumi up\``);
  }
  return new pulumi.asset.FileArchive(dir);
}
