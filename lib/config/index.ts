/**
 * Typed stack configuration. `loadConfig` is the only place that reads Pulumi config; every component
 * receives plain, already-validated values. Validation collects every problem and throws once, before
 * a single resource is declared, so an operator fixes the whole file in one pass.
 * The parsers for each part live beside this file (lib/config/), not in the component folders that
 * consume them: components import config, config imports no component (test/config-layering.test.ts).
 */

import {
  parseSecurityConfig,
  SECURITY_DEFAULTS,
  SECURITY_OPTIONAL_KEYS,
  type SecurityConfig,
} from "./security";
import type { Readers } from "./readers";
import { closest } from "../closest";
import { parseRotationConfig, ROTATION_DEFAULTS, type RotationConfig } from "./rotation";
import { CONVERGENCE_DEFAULTS, parseConvergenceConfig, type ConvergenceConfig } from "./convergence";
import { ALARM_ACTIONS, type AlarmAction } from "../../lambda/failover/config";
import { MAX_RESERVABLE_CONCURRENCY } from "./concurrency-quota";

/** Regions this program knows how to place. Opt-in regions are left out on purpose: SNS cannot deliver
 *  cross-region from a default region into an opt-in one, which the alert fan-out relies on.
 *  https://docs.aws.amazon.com/sns/latest/dg/lambda-prereq.html */
export const SUPPORTED_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "sa-east-1",
] as const;
export type Region = (typeof SUPPORTED_REGIONS)[number];

/** The values CloudWatch Logs accepts for `retentionInDays` (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Route 53 accepts only these request intervals for health checks. */
export const HEALTH_CHECK_INTERVALS = [10, 30] as const;

export interface DrTargets {
  /** Recovery time objective, seconds. */
  readonly rtoSeconds: number;
  readonly auroraRpoSeconds: number;
  readonly dynamoRpoSeconds: number;
  readonly s3RpoSeconds: number;
}

export interface TapConfig {
  /** Appended to every name so that several stacks can share one account. */
  readonly environmentSuffix: string;
  /** Production turns on deletion protection, final snapshots and `protect`. */
  readonly production: boolean;
  readonly project: string;
  readonly costCenter: string;
  readonly primaryRegion: Region;
  readonly secondaryRegion: Region;
  /**
   * X3: the writer lease's witness (lib/data/writer-witness.ts), in a third Region; undefined when
   * tap:writerLease is false (no fencing: the runbook's manual stop-writes step is then the fence).
   */
  readonly witnessRegion?: Region;
  readonly primaryVpcCidr: string;
  readonly secondaryVpcCidr: string;
  readonly alertEmail?: string;
  readonly logRetentionDays: number;
  readonly dbEngineVersion: string;
  readonly dbInstanceClass: string;
  readonly dbBackupRetentionDays: number;
  readonly hostedZoneName?: string;
  readonly apiDomainName?: string;
  readonly healthCheckIntervalSeconds: number;
  readonly healthCheckFailureThreshold: number;
  readonly replicationLagAlarmMs: number;
  readonly canaryRuntimeVersion: string;
  readonly canaryScheduleMinutes: number;
  /** What an alarm-triggered run of the failover orchestrator does: only report, or really fail over. */
  readonly alarmFailoverAction: AlarmAction;
  /** Time a person takes to decide when alarmFailoverAction=notify, used by the DR budget. */
  readonly decisionSeconds: number;
  /**
   * Which region must be the Aurora writer's, if the operator pins it; unset (the default), the program
   * reads the writer from AWS at deploy time and processing follows it (M2, lib/data/aurora-writer.ts).
   * A pin that disagrees with AWS stops the deploy.
   */
  readonly processingRegion?: "primary" | "secondary";
  readonly dnsTtlSeconds: number;
  readonly targets: DrTargets;
  /** Authentication of order intake, the web ACL, the API Gateway account setting (lib/security). */
  readonly security: SecurityConfig;
  /** Rotation of the order processor's database credentials (lib/config/rotation.ts). */
  readonly dbCredentialRotation: RotationConfig;
  /**
   * Executions reserved for each region's health function (S5); 0 reserves none. Reserving needs a
   * Lambda quota of reserved + 100 in the region, which new accounts may not have (lib/config/concurrency-quota.ts).
   */
  readonly healthReservedConcurrency: number;
  /** The scheduled convergence run and the stranded-order alarm (lib/config/convergence.ts). */
  readonly convergence: ConvergenceConfig;
}

/** Reads one raw config value by key; undefined when unset. Mirrors `pulumi.Config#get`. */
export type ConfigSource = (key: string) => string | undefined;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid stack configuration (${problems.length} problem(s)):\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** Defaults, mirrored in Pulumi.yaml (a test keeps the two in step). */
export const CONFIG_DEFAULTS = {
  environmentSuffix: "dev",
  production: false,
  costCenter: "trading-platform",
  primaryRegion: "us-east-1",
  secondaryRegion: "us-west-2",
  // X3: the writer lease on, its witness in a Region that is neither default order Region. us-east-2 is a
  // default (not opt-in) Region with DynamoDB and Lambda. https://docs.aws.amazon.com/general/latest/gr/ddb.html
  writerLease: true,
  witnessRegion: "us-east-2",
  primaryVpcCidr: "10.10.0.0/16",
  secondaryVpcCidr: "10.20.0.0/16",
  logRetentionDays: 30,
  // Newest Aurora PostgreSQL 15 minor we could confirm (released with 16.10/17.6 in 2025). 15.4, the
  // original pin, is no longer offered for new clusters. Check before changing it:
  //   aws rds describe-db-engine-versions --engine aurora-postgresql --engine-version 15.14 \
  //     --query 'DBEngineVersions[].SupportsGlobalDatabases'
  dbEngineVersion: "15.14",
  // Global databases need a memory-optimised (r-class) instance; burstable classes are not supported.
  dbInstanceClass: "db.r6g.large",
  dbBackupRetentionDays: 7,
  healthCheckIntervalSeconds: 30,
  healthCheckFailureThreshold: 3,
  replicationLagAlarmMs: 1000,
  // Newest Puppeteer runtime in AWS's list; runtimes up to 7.0 can no longer create canaries.
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_Runtime_Support_Policy.html
  canaryRuntimeVersion: "syn-nodejs-puppeteer-15.0",
  canaryScheduleMinutes: 5,
  alarmFailoverAction: "notify",
  // With notify, a person is paged, acknowledges and reads the evidence before invoking the failover:
  // five minutes is a common on-call acknowledgement target, before any assessment. Measure it in drills.
  decisionSeconds: 300,
  // Empty: follow the Aurora writer that AWS reports at deploy time (M2).
  processingRegion: "",
  dnsTtlSeconds: 60,
  rtoTargetSeconds: 900,
  auroraRpoTargetSeconds: 1,
  dynamoRpoTargetSeconds: 1,
  s3RpoTargetSeconds: 900,
  // None: a reservation fails at create time in an account whose quota is below reserved + 100 (S5).
  healthReservedConcurrency: 0,
} as const;

/** Every key the program reads: those with defaults plus the optional ones. */
export const CONFIG_KEYS: readonly string[] = [
  ...Object.keys(CONFIG_DEFAULTS),
  ...Object.keys(SECURITY_DEFAULTS),
  ...SECURITY_OPTIONAL_KEYS,
  ...Object.keys(ROTATION_DEFAULTS),
  ...Object.keys(CONVERGENCE_DEFAULTS),
  "alertEmail",
  "hostedZoneName",
  "apiDomainName",
];

/**
 * One problem per key set in the project's namespace that the program does not read: a typo would
 * otherwise be ignored silently and the default used. `keys` are fully qualified ("tap:primaryRegio");
 * other namespaces (pulumi:, aws:) are not ours to judge.
 */
export function unknownKeyProblems(keys: readonly string[], project = "tap"): string[] {
  return keys
    .filter((k) => k.startsWith(`${project}:`))
    .map((k) => k.slice(project.length + 1))
    .filter((k) => !CONFIG_KEYS.includes(k))
    .map(
      (k) =>
        `${project}:${k}: not a config key of this program; did you mean ${project}:${closest(k, CONFIG_KEYS)}?`,
    );
}

/** Aurora PostgreSQL 15 minors below this were withdrawn for new clusters (15.4 among them). */
export const MIN_AURORA_15_MINOR = 6;

/**
 * The suffix becomes part of every physical name (`tap-<suffix>-...`), so it must satisfy the strictest
 * rule it flows into: RDS identifiers (letters, digits, hyphens; start with a letter; no trailing hyphen
 * and no two hyphens in a row: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints),
 * S3 bucket names (lowercase, no "--" prefix/suffix tricks:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html) and Synthetics canary
 * names (at most 21 characters; `tap-<suffix>-p-cnry` leaves 10:
 * https://docs.aws.amazon.com/AmazonSynthetics/latest/APIReference/API_CreateCanary.html).
 */
const SUFFIX_RE = /^[a-z](?:[a-z0-9-]{0,8}[a-z0-9])?$/;
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DNS_NAME_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Parses `a.b.c.d/n` into [network address as uint32, prefix]; undefined when malformed. */
export function parseCidr(cidr: string): [number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0) return undefined; // host bits set: AWS rejects e.g. 10.0.0.1/16
  return [addr, prefix];
}

export function cidrsOverlap(a: string, b: string): boolean {
  const pa = parseCidr(a);
  const pb = parseCidr(b);
  if (!pa || !pb) return false;
  const endA = pa[0] + 2 ** (32 - pa[1]);
  const endB = pb[0] + 2 ** (32 - pb[1]);
  return pa[0] < endB && pb[0] < endA;
}

/** Readers of raw values, each falling back to its default and recording a problem when malformed. */
interface ConfigReaders extends Readers {
  /** Records a problem when `value` is not one of `allowed`. */
  oneOf<T extends string | number>(key: string, value: T, allowed: readonly T[]): void;
}

function configReaders(get: ConfigSource, problems: string[]): ConfigReaders {
  const str = (key: string, def: string): string => {
    const v = get(key);
    return v === undefined ? def : v.trim();
  };
  const optional = (key: string): string | undefined => {
    const v = get(key)?.trim();
    return v ? v : undefined;
  };
  const int = (key: string, def: number, min: number, max: number): number => {
    const raw = get(key);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key}: expected an integer from ${min} to ${max}, got "${raw}"`);
      return def;
    }
    return n;
  };
  const bool = (key: string, def: boolean): boolean => {
    const raw = get(key);
    if (raw === undefined) return def;
    if (raw === "true" || raw === "false") return raw === "true";
    problems.push(`${key}: expected true or false, got "${raw}"`);
    return def;
  };
  const oneOf = <T extends string | number>(key: string, value: T, allowed: readonly T[]): void => {
    if (!allowed.includes(value)) problems.push(`${key}: "${value}" is not one of ${allowed.join(", ")}`);
  };
  return { str, optional, int, bool, oneOf };
}

function parseEnvironmentSuffix(r: ConfigReaders, problems: string[]): string {
  const environmentSuffix = r.str("environmentSuffix", CONFIG_DEFAULTS.environmentSuffix);
  if (environmentSuffix === "") {
    problems.push("environmentSuffix: must not be empty");
  } else if (!SUFFIX_RE.test(environmentSuffix) || environmentSuffix.includes("--")) {
    problems.push(
      `environmentSuffix: "${environmentSuffix}" must start with a lowercase letter and contain only ` +
        "lowercase letters, digits and single hyphens, not end with a hyphen, at most 10 characters " +
        "(RDS, S3 and canary names reject the rest)",
    );
  }
  return environmentSuffix;
}

function parseRegions(
  r: ConfigReaders,
  problems: string[],
): Pick<TapConfig, "primaryRegion" | "secondaryRegion" | "witnessRegion"> {
  const d = CONFIG_DEFAULTS;
  const regions = (SUPPORTED_REGIONS as readonly string[]).slice();
  const primaryRegion = r.str("primaryRegion", d.primaryRegion);
  const secondaryRegion = r.str("secondaryRegion", d.secondaryRegion);
  r.oneOf("primaryRegion", primaryRegion, regions);
  r.oneOf("secondaryRegion", secondaryRegion, regions);
  if (primaryRegion === secondaryRegion) {
    problems.push(`primaryRegion and secondaryRegion are both "${primaryRegion}"; DR needs two regions`);
  }
  const writerLease = r.bool("writerLease", d.writerLease);
  const witnessRegion = r.str("witnessRegion", d.witnessRegion);
  if (writerLease) {
    r.oneOf("witnessRegion", witnessRegion, regions);
    // The witness must outlive the loss of either order Region, or a partition would take it with the writer.
    if (witnessRegion === primaryRegion || witnessRegion === secondaryRegion) {
      problems.push(
        `witnessRegion: "${witnessRegion}" is an order Region; the writer lease's witness needs a third ` +
          "Region (X3), or set tap:writerLease false to deploy without fencing",
      );
    }
  }
  return {
    primaryRegion: primaryRegion as Region,
    secondaryRegion: secondaryRegion as Region,
    witnessRegion: writerLease ? (witnessRegion as Region) : undefined,
  };
}

function parseVpcCidrs(
  r: ConfigReaders,
  problems: string[],
): Pick<TapConfig, "primaryVpcCidr" | "secondaryVpcCidr"> {
  const primaryVpcCidr = r.str("primaryVpcCidr", CONFIG_DEFAULTS.primaryVpcCidr);
  const secondaryVpcCidr = r.str("secondaryVpcCidr", CONFIG_DEFAULTS.secondaryVpcCidr);
  let cidrsValid = true;
  for (const [key, cidr] of [
    ["primaryVpcCidr", primaryVpcCidr],
    ["secondaryVpcCidr", secondaryVpcCidr],
  ] as const) {
    const parsed = parseCidr(cidr);
    if (!parsed) {
      problems.push(`${key}: "${cidr}" is not a valid IPv4 CIDR block (network address/prefix)`);
      cidrsValid = false;
    } else if (parsed[1] < 16 || parsed[1] > 22) {
      // AWS allows /16../28; subnets are carved 4 bits deeper and Lambda ENIs need room, so /22 at most.
      problems.push(`${key}: prefix /${parsed[1]} is outside /16 to /22`);
      cidrsValid = false;
    }
  }
  if (cidrsValid && cidrsOverlap(primaryVpcCidr, secondaryVpcCidr)) {
    problems.push(
      `primaryVpcCidr ${primaryVpcCidr} and secondaryVpcCidr ${secondaryVpcCidr} overlap; ` +
        "they must be disjoint so the regions can be peered later",
    );
  }
  return { primaryVpcCidr, secondaryVpcCidr };
}

function parseDatabase(
  r: ConfigReaders,
  problems: string[],
): Pick<TapConfig, "dbEngineVersion" | "dbInstanceClass" | "dbBackupRetentionDays"> {
  const d = CONFIG_DEFAULTS;
  const dbEngineVersion = r.str("dbEngineVersion", d.dbEngineVersion);
  if (!/^15\.\d+$/.test(dbEngineVersion)) {
    problems.push(`dbEngineVersion: "${dbEngineVersion}" must be an Aurora PostgreSQL 15.x version (R7)`);
  } else if (Number(dbEngineVersion.split(".")[1]) < MIN_AURORA_15_MINOR) {
    problems.push(
      `dbEngineVersion: ${dbEngineVersion} is no longer offered for new Aurora clusters; use 15.${MIN_AURORA_15_MINOR} or later`,
    );
  }
  const dbInstanceClass = r.str("dbInstanceClass", d.dbInstanceClass);
  if (!/^db\.(r5|r6g|r6i|r7g|r7i|r8g|x2g)\.[a-z0-9]+$/.test(dbInstanceClass)) {
    problems.push(
      `dbInstanceClass: "${dbInstanceClass}" is not a class Aurora global databases support ` +
        "(memory-optimised db.r5/r6g/r6i/r7g/r7i/r8g or db.x2g)",
    );
  }
  const dbBackupRetentionDays = r.int("dbBackupRetentionDays", d.dbBackupRetentionDays, 1, 35);
  return { dbEngineVersion, dbInstanceClass, dbBackupRetentionDays };
}

function parseDnsNames(
  r: ConfigReaders,
  problems: string[],
): Pick<TapConfig, "hostedZoneName" | "apiDomainName"> {
  const hostedZoneName = r.optional("hostedZoneName")?.replace(/\.$/, "");
  const apiDomainName = r.optional("apiDomainName")?.replace(/\.$/, "");
  if (hostedZoneName !== undefined && !DNS_NAME_RE.test(hostedZoneName)) {
    problems.push(`hostedZoneName: "${hostedZoneName}" is not a DNS name`);
  }
  if (apiDomainName !== undefined) {
    if (hostedZoneName === undefined) {
      problems.push("apiDomainName: needs hostedZoneName, the zone the failover records go into");
    } else if (!DNS_NAME_RE.test(apiDomainName) || !apiDomainName.endsWith(`.${hostedZoneName}`)) {
      problems.push(`apiDomainName: "${apiDomainName}" must be a name inside ${hostedZoneName}`);
    }
  }
  return { hostedZoneName, apiDomainName };
}

function parseHealthChecks(
  r: ConfigReaders,
): Pick<TapConfig, "healthCheckIntervalSeconds" | "healthCheckFailureThreshold" | "replicationLagAlarmMs"> {
  const d = CONFIG_DEFAULTS;
  const healthCheckIntervalSeconds = r.int(
    "healthCheckIntervalSeconds",
    d.healthCheckIntervalSeconds,
    10,
    30,
  );
  r.oneOf(
    "healthCheckIntervalSeconds",
    healthCheckIntervalSeconds,
    HEALTH_CHECK_INTERVALS as readonly number[],
  );
  const healthCheckFailureThreshold = r.int(
    "healthCheckFailureThreshold",
    d.healthCheckFailureThreshold,
    1,
    10,
  );
  const replicationLagAlarmMs = r.int("replicationLagAlarmMs", d.replicationLagAlarmMs, 100, 3_600_000);
  return { healthCheckIntervalSeconds, healthCheckFailureThreshold, replicationLagAlarmMs };
}

function parseCanary(
  r: ConfigReaders,
  problems: string[],
): Pick<TapConfig, "canaryRuntimeVersion" | "canaryScheduleMinutes"> {
  const canaryRuntimeVersion = r.str("canaryRuntimeVersion", CONFIG_DEFAULTS.canaryRuntimeVersion);
  const puppeteerMajor = /^syn-nodejs-puppeteer-(\d+)\.\d+$/.exec(canaryRuntimeVersion);
  if (!puppeteerMajor) {
    problems.push(
      `canaryRuntimeVersion: "${canaryRuntimeVersion}" is not a syn-nodejs-puppeteer-N.M runtime`,
    );
  } else if (Number(puppeteerMajor[1]) <= 7) {
    problems.push(
      `canaryRuntimeVersion: ${canaryRuntimeVersion} is deprecated; new canaries need 8.0 or later (R24)`,
    );
  }
  const canaryScheduleMinutes = r.int("canaryScheduleMinutes", CONFIG_DEFAULTS.canaryScheduleMinutes, 1, 60);
  return { canaryRuntimeVersion, canaryScheduleMinutes };
}

function parseFailover(
  r: ConfigReaders,
): Pick<TapConfig, "alarmFailoverAction" | "decisionSeconds" | "processingRegion" | "dnsTtlSeconds"> {
  const d = CONFIG_DEFAULTS;
  const alarmFailoverAction = r.str("alarmFailoverAction", d.alarmFailoverAction);
  r.oneOf("alarmFailoverAction", alarmFailoverAction, ALARM_ACTIONS);
  const decisionSeconds = r.int("decisionSeconds", d.decisionSeconds, 0, 3600);
  const processingRegion = r.str("processingRegion", d.processingRegion);
  if (processingRegion !== "") r.oneOf("processingRegion", processingRegion, ["primary", "secondary"]);
  const dnsTtlSeconds = r.int("dnsTtlSeconds", d.dnsTtlSeconds, 10, 3600);
  return {
    alarmFailoverAction: alarmFailoverAction as TapConfig["alarmFailoverAction"],
    decisionSeconds,
    processingRegion: (processingRegion || undefined) as TapConfig["processingRegion"],
    dnsTtlSeconds,
  };
}

function parseTargets(r: ConfigReaders): DrTargets {
  const d = CONFIG_DEFAULTS;
  return {
    rtoSeconds: r.int("rtoTargetSeconds", d.rtoTargetSeconds, 1, 86_400),
    auroraRpoSeconds: r.int("auroraRpoTargetSeconds", d.auroraRpoTargetSeconds, 1, 86_400),
    dynamoRpoSeconds: r.int("dynamoRpoTargetSeconds", d.dynamoRpoTargetSeconds, 1, 86_400),
    s3RpoSeconds: r.int("s3RpoTargetSeconds", d.s3RpoTargetSeconds, 1, 86_400),
  };
}

/**
 * Builds and validates the typed configuration. Throws a ConfigError listing every problem, including
 * every key in `keys` (fully qualified, as set in the stack) that the program does not read.
 */
export function parseConfig(get: ConfigSource, project = "tap", keys: readonly string[] = []): TapConfig {
  const problems: string[] = unknownKeyProblems(keys, project);
  const d = CONFIG_DEFAULTS;
  const r = configReaders(get, problems);

  // Each part records its own problems; they are listed in the order the parts run here.
  const environmentSuffix = parseEnvironmentSuffix(r, problems);
  const regions = parseRegions(r, problems);
  const vpcCidrs = parseVpcCidrs(r, problems);

  const alertEmail = r.optional("alertEmail");
  if (alertEmail !== undefined && !EMAIL_RE.test(alertEmail)) {
    problems.push(`alertEmail: "${alertEmail}" is not an e-mail address`);
  }

  const logRetentionDays = r.int("logRetentionDays", d.logRetentionDays, 1, 3653);
  r.oneOf("logRetentionDays", logRetentionDays, LOG_RETENTION_DAYS as readonly number[]);

  const database = parseDatabase(r, problems);
  const dnsNames = parseDnsNames(r, problems);
  const healthChecks = parseHealthChecks(r);
  const canary = parseCanary(r, problems);
  const failover = parseFailover(r);
  const targets = parseTargets(r);

  const production = r.bool("production", d.production);
  const costCenter = r.str("costCenter", d.costCenter);
  if (costCenter === "") problems.push("costCenter: must not be empty");

  const security = parseSecurityConfig(r, production, problems);
  const dbCredentialRotation = parseRotationConfig(r, production, problems);
  const healthReservedConcurrency = r.int(
    "healthReservedConcurrency",
    d.healthReservedConcurrency,
    0,
    MAX_RESERVABLE_CONCURRENCY,
  );
  const convergence = parseConvergenceConfig(r, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    environmentSuffix,
    production,
    project,
    costCenter,
    ...regions,
    ...vpcCidrs,
    alertEmail,
    logRetentionDays,
    ...database,
    ...dnsNames,
    ...healthChecks,
    ...canary,
    ...failover,
    targets,
    security,
    dbCredentialRotation,
    healthReservedConcurrency,
    convergence,
  };
}
