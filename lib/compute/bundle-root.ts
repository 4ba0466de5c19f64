import * as path from "node:path";

/**
 * Where `npm run bundle` (scripts/bundle.mjs) writes dist/lambda/<name>/index.js, one folder per Lambda.
 * Apart from lambda-bundle.ts so the bundle's tests read it without loading Pulumi.
 */
export const BUNDLE_ROOT = path.join(__dirname, "..", "..", "dist", "lambda");
