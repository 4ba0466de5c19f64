/** The real parseConfig over a plain map of `tap:*` values, and the problems it collects. */
import { ConfigError, parseConfig, type TapConfig } from "../../lib/config";

export const parse = (values: Record<string, string>): TapConfig => parseConfig((k) => values[k]);

/** The problems a ConfigError lists; fails the test when the values are accepted. */
export function problemsOf(values: Record<string, string>): string[] {
  try {
    parse(values);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}
