/**
 * The database-credential rotation part of the stack configuration (S3), parsed by lib/config/index.ts's
 * parseConfig so that every problem still lands in one ConfigError. Defaults are mirrored in Pulumi.yaml.
 */
import type { Readers } from "./readers";

export interface RotationConfig {
  /** Whether the processor's database secret rotates (multi-user). Production requires it. */
  readonly enabled: boolean;
  /** Days between rotations. */
  readonly automaticallyAfterDays: number;
}

export const ROTATION_DEFAULTS = {
  dbCredentialRotation: true,
  // 30 days is the schedule AWS's own constructs default to; a shorter one only costs Lambda runs.
  dbCredentialRotationDays: 30,
} as const;

/** RotationRules.AutomaticallyAfterDays accepts 1 to 1000.
 *  https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html */
export const ROTATION_DAYS_RANGE = [1, 1000] as const;

export function parseRotationConfig(r: Readers, production: boolean, problems: string[]): RotationConfig {
  const d = ROTATION_DEFAULTS;
  const enabled = r.bool("dbCredentialRotation", d.dbCredentialRotation);
  if (production && !enabled) {
    problems.push("dbCredentialRotation: production requires the processor's database credentials to rotate");
  }
  return {
    enabled,
    automaticallyAfterDays: r.int(
      "dbCredentialRotationDays",
      d.dbCredentialRotationDays,
      ...ROTATION_DAYS_RANGE,
    ),
  };
}
