/** The plan reads config as the CLI does: Pulumi.yaml defaults, the stack file on top, then overrides. */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { CONFIG_DEFAULTS } from "../../lib/config";
import { loadStackConfig } from "../../tooling/plan/stack-config";
import { withTempDir } from "../support/temp-dir";
import { ROOT } from "./as-typed";

describe("loadStackConfig", () => {
  it("dev: Pulumi.yaml defaults under the project namespace, stack values on top", () => {
    const c = loadStackConfig(ROOT, "dev");
    expect(c.project).toBe("tap");
    expect(c.values["tap:rtoTargetSeconds"]).toBe(String(CONFIG_DEFAULTS.rtoTargetSeconds));
    expect(c.origins["tap:rtoTargetSeconds"]).toBe("Pulumi.yaml default");
    expect(c.values["tap:environmentSuffix"]).toBe("dev");
    expect(c.origins["tap:environmentSuffix"]).toBe("Pulumi.dev.yaml");
    expect(JSON.parse(c.values["pulumi:disable-default-providers"])).toEqual(["*"]);
  });

  it("prod: the stack file wins; overrides win over both", () => {
    const c = loadStackConfig(ROOT, "prod", { logRetentionDays: "731", "tap:decisionSeconds": "30" });
    expect(c.values["tap:production"]).toBe("true");
    expect(c.values["tap:dbBackupRetentionDays"]).toBe("35");
    expect(c.values["tap:logRetentionDays"]).toBe("731");
    expect(c.origins["tap:logRetentionDays"]).toBe("--config");
    expect(c.values["tap:decisionSeconds"]).toBe("30");
  });

  it("refuses a stack without a stack file, and encrypted values it cannot decrypt", () => {
    expect(() => loadStackConfig(ROOT, "nope")).toThrow(/no stack file Pulumi\.nope\.yaml/);
    withTempDir("plan-config-", (dir) => {
      writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        "name: tap\nruntime: nodejs\nconfig:\n  alertEmail:\n    type: string\n    default: ''\n",
      );
      writeFileSync(path.join(dir, "Pulumi.s.yaml"), "config:\n  tap:alertEmail:\n    secure: v1:abc\n");
      expect(() => loadStackConfig(dir, "s")).toThrow(
        /tap:alertEmail is encrypted .* --config alertEmail=<value>/,
      );
      expect(loadStackConfig(dir, "s", { alertEmail: "ops@example.com" }).values["tap:alertEmail"]).toBe(
        "ops@example.com",
      );
    });
  });

  it("an empty stack file, or one whose top-level config: is misspelled, says that", () => {
    withTempDir("plan-config-", (dir) => {
      writeFileSync(path.join(dir, "Pulumi.yaml"), "name: tap\nruntime: nodejs\n");
      writeFileSync(path.join(dir, "Pulumi.e.yaml"), "");
      expect(() => loadStackConfig(dir, "e")).toThrow(
        /^Pulumi\.e\.yaml is empty; a stack file needs a top-level "config:" map$/,
      );
      writeFileSync(path.join(dir, "Pulumi.t.yaml"), "confg:\n  tap:production: true\n");
      expect(() => loadStackConfig(dir, "t")).toThrow(
        /^Pulumi\.t\.yaml has no top-level "config:" \(found "confg"; did you mean "config" for "confg"\?\)$/,
      );
    });
  });
});
