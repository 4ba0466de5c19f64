/**
 * Unit tests, transpiled by swc (test/support/swc-transform.js: why swc, and its options).
 *
 * Workers: one per core, at least two. Jest's default (cores - 1) runs in band on a 2-core machine, where
 * two workers nearly halve the wall time (the files are CPU-bound and independent).
 */
const { availableParallelism } = require("node:os");
const swc = require("./test/support/swc-transform");

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
    "^.+\\.ts$": swc.typescript,
    "/node_modules/jose/.+\\.js$": swc.esModule,
  },
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  // Loaded on first use only (see the module): @pulumi/pulumi loads it eagerly and never uses it here.
  moduleNameMapper: { "^typescript$": "<rootDir>/test/support/lazy-typescript.js" },
  testTimeout: 60000,
  // "A worker process has failed to exit gracefully" came from a worker that had no handle, timer or
  // request left open and emitted 'exit' within 2 ms of Jest's end message, but was not gone 500 ms
  // (Jest's default) later on a loaded 2-core machine. A real leak still hits this limit and warns.
  workerGracefulExitTimeout: 3000,
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
