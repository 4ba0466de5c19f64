/**
 * How logical names are made: the root component is `<project>-<environmentSuffix>` (both from config),
 * and every child is its parent's name plus a part, `-`-joined. Components export their parts so that
 * tooling (the DR budget) finds resources through them instead of retyped strings.
 */
import type { TapConfig } from "./config";

export const stackName = (cfg: Pick<TapConfig, "project" | "environmentSuffix">): string =>
  `${cfg.project}-${cfg.environmentSuffix}`;

export const childName = (parent: string, ...parts: string[]): string => [parent, ...parts].join("-");
