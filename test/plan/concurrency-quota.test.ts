/**
 * S5: reserved concurrency is config, the default reserves nothing, and the offline plan warns when what
 * the stack reserves needs more Lambda quota than an account may have (lib/config/concurrency-quota.ts).
 */
import { checkNodeFunctionArgs } from "../../lib/compute/node-function";
import { reservationWarnings } from "../../lib/config/concurrency-quota";
import { parse, problemsOf } from "../support/parse-config";
import { plan } from "./helpers";

const healthFunctions = (doc: { resources: { type: string; name: string; inputs: any }[] }) =>
  doc.resources
    .filter((r) => r.type === "aws:lambda/function:Function" && r.name.endsWith("-service-api-health"))
    .map((r) => r.inputs.reservedConcurrentExecutions ?? null);

it("S5: by default no function reserves concurrency and the plan warns of no quota", async () => {
  const r = await plan("--stack", "dev", "--json");
  const doc = JSON.parse(r.stdout);
  expect(healthFunctions(doc)).toEqual([null, null]);
  // No reservation, so no quota warning; the one warning is dev's IAM mode with no entitled accounts.
  expect(doc.warnings).toEqual([expect.stringMatching(/^authMode iam with no iamEntitledAccounts/)]);
  expect(parse({}).healthReservedConcurrency).toBe(0);
});

it("S5: a reservation is config; the plan says what quota it needs in each region", async () => {
  const r = await plan("--stack", "dev", "--config", "healthReservedConcurrency=5");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("== Warnings ==");
  expect(r.stdout).toContain(
    "warning: us-east-1: functions reserve 5 concurrent executions; the account needs a Lambda concurrency " +
      "quota of at least 105 there (100 stay unreserved); new accounts may start below that and refuse the function",
  );
  expect(r.stdout).toMatch(/warning: us-west-2: functions reserve 5 /);
});

it("S5: reservations beyond the default quota less 100 are refused by config and by the component", () => {
  expect(problemsOf({ healthReservedConcurrency: "901" })).toEqual([
    'healthReservedConcurrency: expected an integer from 0 to 900, got "901"',
  ]);
  const fn = {
    codeName: "health",
    provider: undefined as never,
    region: "us-east-1" as const,
    statements: [],
    logKeyArn: "k",
    logRetentionDays: 30,
  };
  expect(() => checkNodeFunctionArgs({ ...fn, reservedConcurrentExecutions: 5 })).not.toThrow();
  expect(() => checkNodeFunctionArgs({ ...fn, reservedConcurrentExecutions: 901 })).toThrow(
    "NodeFunction: reservedConcurrentExecutions must be 0..900 (the default quota less 100 unreserved), got 901",
  );
});

it("S5: a region whose reservations exceed the default quota's reservable 900 is said to fail the deploy", () => {
  expect(reservationWarnings({ "us-east-1": 950, "us-west-2": 0 })).toEqual([
    "us-east-1: functions reserve 950 concurrent executions; the account needs a Lambda concurrency quota of " +
      "at least 1050 there (100 stay unreserved), above the default 1000: the deploy fails unless the quota is raised",
  ]);
});
