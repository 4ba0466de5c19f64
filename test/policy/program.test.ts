/** The real program, with the dev and prod stack files, passes every mandatory rule of the pack. */
import * as path from "node:path";
import { runPolicies } from "../../tooling/plan/policy-check";
import { loadStackConfig } from "../../tooling/plan/stack-config";
import { PRODUCTION_IDENTITY, runProgram } from "../program";

const ROOT = path.join(__dirname, "..", "..");

describe.each(["dev", "prod"])("%s stack", (stack) => {
  it("has no mandatory policy violation", async () => {
    // Pulumi.prod.yaml ships placeholder identity settings that the program refuses (S5): set real ones.
    const { values } = loadStackConfig(ROOT, stack, stack === "prod" ? PRODUCTION_IDENTITY : {});
    const run = await runProgram(values, stack);
    const result = await runPolicies(run.resources, {
      config: { "prod-deletion-protection": { production: values["tap:production"] === "true" } },
    });
    expect(result.mandatory).toEqual([]);
    expect(result.policyCount).toBeGreaterThan(20);
  });
});

it("a deliberately broken resource in the real program is caught", async () => {
  const run = await runProgram();
  const broken = run.resources.map((r) =>
    r.type === "aws:sns/topic:Topic" ? { ...r, inputs: { ...r.inputs, kmsMasterKeyId: undefined } } : r,
  );
  const result = await runPolicies(broken);
  expect(result.mandatory.length).toBeGreaterThan(0);
  expect(result.mandatory.every((v) => v.policy === "sns-encrypted-with-cmk")).toBe(true);
});
