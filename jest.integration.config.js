/**
 * B4 live integration tests against a deployed stack (see test/integration/support/outputs.ts). Without
 * stack outputs every test is reported as skipped, with the reason in its name. Jest's own reporters
 * print nothing for an all-skipped file, hence the extra reporter. Tests set their own, shorter timeouts.
 */
const swc = require("./test/support/swc-transform");

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/integration"],
  testMatch: ["**/*.int.test.ts"],
  transform: {
    "^.+\\.ts$": swc.typescript,
  },
  testTimeout: 120000,
  verbose: true,
  reporters: [
    "default",
    "<rootDir>/test/integration/support/skipped-reporter.js",
    "<rootDir>/test/support/summary-reporter.js",
  ],
};
