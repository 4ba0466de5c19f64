import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseConfig, TapConfig } from "./config";

/**
 * Reads the stack's `tap:*` config through Pulumi and validates it. Also insists that default providers
 * are disabled, so no resource can silently land in the operator's default region (P3).
 */
export function loadConfig(): TapConfig {
  const project = pulumi.getProject();
  const tap = new pulumi.Config(project);
  const problems: string[] = [];
  let parsed: TapConfig | undefined;
  try {
    parsed = parseConfig((key) => tap.get(key), project, Object.keys(pulumi.runtime.allConfig()));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const disabled = new pulumi.Config("pulumi").getObject<string[]>("disable-default-providers");
  if (disabled === undefined && Object.keys(pulumi.runtime.allConfig()).length === 0) {
    // Both stack files set it: seeing no config at all means the stack file was not read as one.
    problems.push(
      `no stack config at all: is Pulumi.${pulumi.getStack()}.yaml empty, or its top-level "config:" misspelled?`,
    );
  } else if (!(disabled ?? []).includes("*")) {
    problems.push('pulumi:disable-default-providers must be ["*"] so that every resource names its provider');
  }
  if (problems.length > 0 || !parsed) throw new ConfigError(problems);
  return parsed;
}
