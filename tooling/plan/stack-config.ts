/**
 * Stack configuration the way the Pulumi CLI assembles it: Pulumi.yaml `config:` defaults, then
 * Pulumi.<stack>.yaml values on top, then explicit overrides (`--config key=value`).
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { closest } from "../../lib/closest";

// js-yaml ships no types and is a transitive dependency only (of @pulumi/pulumi); this is all we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { load(source: string, options?: { filename?: string }): unknown };

export type ConfigOrigin = "Pulumi.yaml default" | `Pulumi.${string}.yaml` | "--config";

export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  /** Fully qualified keys ("tap:production"), values as the CLI hands them to the program: strings. */
  readonly values: Record<string, string>;
  readonly origins: Record<string, ConfigOrigin>;
}

export class StackConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackConfigError";
  }
}

function readYaml(file: string): Record<string, unknown> {
  try {
    const doc = yaml.load(readFileSync(file, "utf8"), { filename: file });
    return doc && typeof doc === "object" ? (doc as Record<string, unknown>) : {};
  } catch (err) {
    throw new StackConfigError(`${path.basename(file)}: ${(err as Error).message}`);
  }
}

/** The CLI passes numbers and booleans as their text, and arrays/objects as JSON. */
function asConfigString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

export function qualify(key: string, project: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** A stack file is a map with a top-level `config:` map; say so plainly when it is not. */
function checkStackDocument(doc: Record<string, unknown>, fileName: string): void {
  const keys = Object.keys(doc);
  if (keys.length === 0) {
    throw new StackConfigError(`${fileName} is empty; a stack file needs a top-level "config:" map`);
  }
  if (!("config" in doc)) {
    const near = closest("config", keys);
    throw new StackConfigError(
      `${fileName} has no top-level "config:" (found ${keys.map((k) => `"${k}"`).join(", ")}; did you mean "config" for "${near}"?)`,
    );
  }
  const config = doc.config;
  if (config !== null && (typeof config !== "object" || Array.isArray(config))) {
    throw new StackConfigError(`${fileName}: "config:" must be a map of key: value`);
  }
}

/** Pulumi.yaml's project name and the default of every key it declares (full keys, as strings). */
export function projectDefaults(root: string): { project: string; values: Record<string, string> } {
  const projectFile = path.join(root, "Pulumi.yaml");
  if (!existsSync(projectFile)) throw new StackConfigError(`no Pulumi.yaml in ${root}`);
  const projectDoc = readYaml(projectFile);
  const project = String(projectDoc.name ?? "");
  if (!project) throw new StackConfigError("Pulumi.yaml has no project name");
  const values: Record<string, string> = {};
  const declared = (projectDoc.config ?? {}) as Record<string, unknown>;
  for (const [key, spec] of Object.entries(declared)) {
    // Declared keys may be `key: {type, default, ...}` or the short form `key: value`.
    const isSpec = spec !== null && typeof spec === "object" && !Array.isArray(spec);
    const value = isSpec
      ? ((spec as Record<string, unknown>).default ?? (spec as Record<string, unknown>).value)
      : spec;
    if (value === undefined) continue;
    values[qualify(key, project)] = asConfigString(value);
  }
  return { project, values };
}

export function loadStackConfig(
  root: string,
  stack: string,
  overrides: Readonly<Record<string, string>> = {},
): StackConfig {
  const { project, values: defaults } = projectDefaults(root);

  const stackFileName = `Pulumi.${stack}.yaml`;
  const stackFile = path.join(root, stackFileName);
  if (!existsSync(stackFile)) {
    throw new StackConfigError(`no stack file ${stackFileName}: pick a stack that exists (e.g. dev, prod)`);
  }

  const values: Record<string, string> = { ...defaults };
  const origins: Record<string, ConfigOrigin> = Object.fromEntries(
    Object.keys(defaults).map((k) => [k, "Pulumi.yaml default" as const]),
  );

  const stackDoc = readYaml(stackFile);
  checkStackDocument(stackDoc, stackFileName);
  for (const [key, value] of Object.entries((stackDoc.config ?? {}) as Record<string, unknown>)) {
    const fq = qualify(key, project);
    const bare = fq.slice(fq.indexOf(":") + 1);
    if (value && typeof value === "object" && "secure" in value && !(fq in overrides || bare in overrides)) {
      throw new StackConfigError(
        `${fq} is encrypted in ${stackFileName}; the offline plan cannot decrypt it: pass --config ${bare}=<value>`,
      );
    }
    values[fq] = asConfigString(value);
    origins[fq] = stackFileName as ConfigOrigin;
  }

  for (const [key, value] of Object.entries(overrides)) {
    values[qualify(key, project)] = value;
    origins[qualify(key, project)] = "--config";
  }
  return { project, stack, values, origins };
}
