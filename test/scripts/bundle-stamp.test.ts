/**
 * scripts/bundle.mjs from the command line keeps a bundle whose inputs are unchanged (`npm run plan` and
 * `npm test` bundle first), and rebuilds it when an input, the output or the way it is built changed.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { withTempDir } from "../support/temp-dir";

const ROOT = path.join(__dirname, "..", "..");
// The smallest function: bundling it takes a fraction of a second.
const NAME = "order-authorizer";

/** Runs the steps in plain Node (Jest's sandbox cannot import the .mjs bundler); returns what each built. */
function steps(outdir: string): Record<string, boolean> {
  const script = `
    const { writeFileSync, readFileSync } = await import("node:fs");
    const { bundleIfStale } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "scripts/bundle.mjs")).href)});
    const outdir = ${JSON.stringify(outdir)};
    const stamp = outdir + ".stamp.json";
    const built = {};
    built.first = await bundleIfStale(${JSON.stringify(NAME)}, { outdir });
    built.again = await bundleIfStale(${JSON.stringify(NAME)}, { outdir });
    writeFileSync(outdir + "/index.js", "garbage");
    built.outputChanged = await bundleIfStale(${JSON.stringify(NAME)}, { outdir });
    const s = JSON.parse(readFileSync(stamp, "utf8"));
    s.inputs[${JSON.stringify(`lambda/${NAME}/index.ts`)}] = "0".repeat(64);
    writeFileSync(stamp, JSON.stringify(s));
    built.inputChanged = await bundleIfStale(${JSON.stringify(NAME)}, { outdir });
    built.optionsChanged = await bundleIfStale(${JSON.stringify(NAME)}, { outdir, minify: false });
    built.backToMinified = await bundleIfStale(${JSON.stringify(NAME)}, { outdir });
    built.finally = await bundleIfStale(${JSON.stringify(NAME)}, { outdir });
    process.stdout.write(JSON.stringify(built));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  return JSON.parse(out) as Record<string, boolean>;
}

it("P9: an up-to-date bundle is kept; a changed output, input or option rebuilds it; the stamp stays out of the archive", () => {
  withTempDir("bundle-stamp-", (dir) => {
    const outdir = path.join(dir, NAME);
    expect(steps(outdir)).toEqual({
      first: true,
      again: false,
      outputChanged: true,
      inputChanged: true,
      optionsChanged: true,
      backToMinified: true,
      finally: false,
    });
    // The folder is the Lambda's code archive: only the bundle is in it.
    expect(readdirSync(outdir)).toEqual(["index.js"]);
    expect(readFileSync(path.join(outdir, "index.js"), "utf8")).toMatch(/exports|handler/);
    const stamp = JSON.parse(readFileSync(`${outdir}.stamp.json`, "utf8")) as {
      inputs: Record<string, string>;
    };
    expect(stamp.inputs[`lambda/${NAME}/index.ts`]).toMatch(/^[0-9a-f]{64}$/);
  });
});
