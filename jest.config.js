/**
 * Unit tests. ts-jest only transpiles (isolatedModules in tsconfig): `npm run typecheck` checks types once for
 * the whole tree, which is far cheaper than type-checking @pulumi/aws in every test file.
 *
 * Workers: one per core, at least two. Jest's default (cores - 1) runs in band on a 2-core machine, where
 * two workers nearly halve the wall time (the files are CPU-bound and independent).
 */
const { availableParallelism } = require("node:os");

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: Math.max(2, availableParallelism()),
  globalSetup: "<rootDir>/test/support/global-setup.js",
  globalTeardown: "<rootDir>/test/support/global-teardown.js",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/test/integration/"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
    // jose ships ES modules only; jest runs CommonJS, so its files are transpiled like ours.
    "/node_modules/jose/.+\\.js$": ["ts-jest", { diagnostics: false, tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  testTimeout: 60000,
  // "A worker process has failed to exit gracefully" came from a worker that had no handle, timer or
  // request left open and emitted 'exit' within 2 ms of Jest's end message, but was not gone 500 ms
  // (Jest's default) later on a loaded 2-core machine. A real leak still hits this limit and warns.
  workerGracefulExitTimeout: 3000,
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
