/**
 * The DR budget (B3): RTO and per-store RPO computed from what the program actually declares. Values are
 * read from the recorded resources where they exist and from the validated config otherwise; every
 * term says where it came from. AWS's own published figures are the only constants, each with its URL.
 */
import { DEFAULTS as FAILOVER_DEFAULTS } from "../../lambda/failover/config";
import { EVIDENCE_READ_TIMEOUT_MS, MIN_FAILING_CHECKER_REGIONS } from "../../lambda/failover/evidence";
import { revocationWaitMs, WRITER_LEASE_DEFAULTS } from "../../lambda/shared/writer-lease";
import { TapConfig } from "../../lib/config";
import { AURORA_PARTS } from "../../lib/data/aurora-global-database";
import { HEALTH_CHECK_PARTS } from "../../lib/detection/health-check";
import { childName } from "../../lib/names";
import { REGIONAL_SERVICE_PARTS, regionalServiceName } from "../../lib/service/regional-service";
import { PlanResource } from "./model";

/** AWS's published figures. Typical values, not guarantees (S3 RTC alone carries an SLA). */
export const AWS_FIGURES = {
  auroraPromotion: {
    seconds: 60,
    claim: "a secondary Region can be promoted to full read/write in under a minute",
    url: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html",
  },
  auroraReplication: {
    seconds: 1,
    claim: "replicates to secondary Regions with typical latency under a second",
    url: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html",
  },
  dynamoReplication: {
    seconds: 1,
    claim: "a newly written item is usually propagated to all replica tables within a second",
    url: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html",
  },
  /**
   * AWS publishes no figure for an event source mapping to resume polling after it is enabled; modelled
   * as half a minute, to be replaced by what drills measure.
   */
  mappingResume: {
    seconds: 30,
    claim: "modelled: UpdateEventSourceMapping answers Enabling, polling resumes after (no published figure)",
    url: "https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html",
  },
  s3Rtc: {
    claim: "S3 RTC replicates 99.99 percent of objects within 15 minutes",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html",
  },
} as const;

/** The primary region's Route 53 health check component, below the stack's root name. */
const PRIMARY_HEALTH = childName(regionalServiceName("", "primary"), REGIONAL_SERVICE_PARTS.healthCheck);

/**
 * The resources the budget reads, by type and name suffix; the suffixes are built from the parts the
 * components export (lib/names.ts), e.g. tap-dev-primary-service-health-check.
 */
export const BUDGET_SOURCES = {
  healthCheck: {
    type: "aws:route53/healthCheck:HealthCheck",
    suffix: childName(PRIMARY_HEALTH, HEALTH_CHECK_PARTS.check),
  },
  healthAlarm: {
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    suffix: childName(PRIMARY_HEALTH, HEALTH_CHECK_PARTS.alarm),
  },
  /** Only records with failoverRoutingPolicies count. */
  dnsRecord: { type: "aws:route53/record:Record", suffix: "" },
  lagAlarm: { type: "aws:cloudwatch/metricAlarm:MetricAlarm", suffix: childName("", AURORA_PARTS.lagAlarm) },
  globalCluster: { type: "aws:rds/globalCluster:GlobalCluster", suffix: "" },
  table: { type: "aws:dynamodb/table:Table", suffix: "" },
  replication: { type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig", suffix: "" },
  /** X3: the writer lease's witness table (lambda/shared/writer-lease.ts). */
  writerLease: { type: "aws:dynamodb/table:Table", suffix: "writer-lease" },
} as const;

/** Route 53's defaults when a health check omits them. */
const ROUTE53_DEFAULTS = { requestInterval: 30, failureThreshold: 3 };
/**
 * Used until the health-check alarm is declared (there is no config key for it): one 60 s period,
 * the resolution at which Route 53 publishes HealthCheckStatus.
 */
const ASSUMED_ALARM = { period: 60, evaluationPeriods: 1 };

export const NOT_DECLARED = "from config (resource not declared)";

export interface BudgetTerm {
  readonly id: string;
  readonly label: string;
  readonly seconds: number;
  /** How the seconds were obtained, e.g. "30 s × 3". */
  readonly formula: string;
  /** Where the inputs came from: a resource, a config key, or an AWS figure with its URL. */
  readonly source: string;
}

export interface RpoEntry {
  readonly store: string;
  /** Infinity when nothing bounds it (e.g. replication without RTC). */
  readonly seconds: number;
  readonly term: BudgetTerm;
  readonly targetSeconds: number;
  readonly targetKey: string;
  readonly ok: boolean;
}

export interface DrBudget {
  readonly rto: {
    readonly terms: BudgetTerm[];
    /** How the terms combine, e.g. "90 + max(60 + 60 + 60, 30 + 60)". */
    readonly formula: string;
    /** The alarmFailoverAction the figure assumes: notify counts a person's decision. */
    readonly assumedAction: "notify" | "failover";
    readonly seconds: number;
    /** The plain sum of every term, as if DNS failover waited for the promotion. For comparison only. */
    readonly serialSeconds: number;
    readonly targetSeconds: number;
    readonly targetKey: string;
    readonly ok: boolean;
  };
  readonly rpo: RpoEntry[];
  readonly warnings: string[];
  readonly ok: boolean;
}

export interface BudgetOptions {
  /** Where a config key's value came from (Pulumi.yaml default, stack file, --config). */
  readonly configOrigin?: (qualifiedKey: string) => string | undefined;
}

const find = (resources: readonly PlanResource[], s: { type: string; suffix: string }) =>
  resources.filter((r) => r.type === s.type && r.name.endsWith(s.suffix));
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const ref = (r: PlanResource, keys: string) => `${r.type} ${r.name} (${keys})`;

export function computeDrBudget(
  resources: readonly PlanResource[],
  cfg: TapConfig,
  opts: BudgetOptions = {},
): DrBudget {
  const key = (k: string) => {
    const fq = `${cfg.project}:${k}`;
    const origin = opts.configOrigin?.(fq);
    return origin ? `${fq}, ${origin}` : fq;
  };
  const warnings: string[] = [];

  // Detection 1: Route 53 marks the primary unhealthy after interval × threshold.
  const checks = find(resources, BUDGET_SOURCES.healthCheck);
  let interval: number;
  let intervalSource: string;
  let hcTerm: BudgetTerm;
  if (checks.length > 0) {
    const timing = checks.map((c) => ({
      c,
      interval: num(c.inputs.requestInterval) ?? ROUTE53_DEFAULTS.requestInterval,
      threshold: num(c.inputs.failureThreshold) ?? ROUTE53_DEFAULTS.failureThreshold,
    }));
    const worst = timing.reduce((a, b) => (b.interval * b.threshold > a.interval * a.threshold ? b : a));
    interval = worst.interval;
    intervalSource = ref(worst.c, "requestInterval");
    hcTerm = {
      id: "detection.healthCheck",
      label: "health check marks primary unhealthy",
      seconds: worst.interval * worst.threshold,
      formula: `${worst.interval} s × ${worst.threshold}`,
      source: ref(worst.c, "requestInterval × failureThreshold"),
    };
  } else {
    interval = cfg.healthCheckIntervalSeconds;
    intervalSource = `${NOT_DECLARED}: ${key("healthCheckIntervalSeconds")}`;
    hcTerm = {
      id: "detection.healthCheck",
      label: "health check marks primary unhealthy",
      seconds: cfg.healthCheckIntervalSeconds * cfg.healthCheckFailureThreshold,
      formula: `${cfg.healthCheckIntervalSeconds} s × ${cfg.healthCheckFailureThreshold}`,
      source: `${NOT_DECLARED}: ${key("healthCheckIntervalSeconds")} × ${key("healthCheckFailureThreshold")}`,
    };
  }

  // Detection 2: the alarm on the health check turns ALARM and triggers the failover path.
  const alarms = find(resources, BUDGET_SOURCES.healthAlarm);
  let alarmTerm: BudgetTerm;
  if (alarms.length > 0) {
    // With missing data not breaching, a failing endpoint alarms after M bad periods (datapointsToAlarm).
    const timing = alarms.map((a) => ({
      a,
      period: num(a.inputs.period) ?? ASSUMED_ALARM.period,
      evaluations:
        num(a.inputs.datapointsToAlarm) ?? num(a.inputs.evaluationPeriods) ?? ASSUMED_ALARM.evaluationPeriods,
    }));
    const worst = timing.reduce((x, y) => (y.period * y.evaluations > x.period * x.evaluations ? y : x));
    alarmTerm = {
      id: "detection.alarm",
      label: "health-check alarm fires",
      seconds: worst.period * worst.evaluations,
      formula: `${worst.period} s × ${worst.evaluations}`,
      source: ref(worst.a, "period × datapointsToAlarm (M of N)"),
    };
  } else {
    alarmTerm = {
      id: "detection.alarm",
      label: "health-check alarm fires",
      seconds: ASSUMED_ALARM.period * ASSUMED_ALARM.evaluationPeriods,
      formula: `${ASSUMED_ALARM.period} s × ${ASSUMED_ALARM.evaluationPeriods}`,
      source: "assumed (resource not declared; no config key): one 60 s period, HealthCheckStatus resolution",
    };
  }

  // F5: with notify (the default) the alarm only reports and a person decides; with failover the
  // orchestrator acts on the alarm at once.
  const notify = cfg.alarmFailoverAction === "notify";
  const decisionTerm: BudgetTerm = notify
    ? {
        id: "decision",
        label: "a person decides (alarmFailoverAction=notify)",
        seconds: cfg.decisionSeconds,
        formula: `${cfg.decisionSeconds} s`,
        source: `config ${key("decisionSeconds")}`,
      }
    : {
        // X2: the decision rule reads Route 53's checkers once when the primary does not answer from the
        // secondary; their failing is already the detection term, so only the read is added.
        id: "decision",
        label: "automatic (alarmFailoverAction=failover), on independent evidence",
        seconds: EVIDENCE_READ_TIMEOUT_MS / 1000,
        formula: `0 s + ${EVIDENCE_READ_TIMEOUT_MS / 1000} s (Route 53 checker read, at most)`,
        source:
          `config ${key("alarmFailoverAction")}: the alarm invokes the orchestrator through SNS; an unreachable ` +
          `primary also needs Route 53 checkers failing in >= ${MIN_FAILING_CHECKER_REGIONS} Regions (lambda/failover/evidence.ts)`,
      };

  const hasGlobalDb = find(resources, BUDGET_SOURCES.globalCluster).length > 0;
  const promotionTerm: BudgetTerm = {
    id: "recovery.auroraPromotion",
    label: "Aurora secondary promoted to writer",
    seconds: hasGlobalDb ? AWS_FIGURES.auroraPromotion.seconds : 0,
    formula: hasGlobalDb ? `${AWS_FIGURES.auroraPromotion.seconds} s` : "0 s (no global database)",
    source: `AWS: ${AWS_FIGURES.auroraPromotion.claim} (${AWS_FIGURES.auroraPromotion.url})`,
  };

  const fencingTerm = writerLeaseTerm(resources);

  // DNS: clients follow the failover records once cached answers expire.
  // Only the failover records matter (not, say, an ACM validation record).
  const records = find(resources, BUDGET_SOURCES.dnsRecord).filter(
    (r) => Array.isArray(r.inputs.failoverRoutingPolicies) && r.inputs.failoverRoutingPolicies.length > 0,
  );
  const withTtl = records.filter((r) => num(r.inputs.ttl) !== undefined);
  let ttlTerm: BudgetTerm;
  if (withTtl.length > 0) {
    const worst = withTtl.reduce((a, b) => (num(b.inputs.ttl)! > num(a.inputs.ttl)! ? b : a));
    ttlTerm = {
      id: "dns.ttl",
      label: "cached DNS answers expire",
      seconds: num(worst.inputs.ttl)!,
      formula: `${num(worst.inputs.ttl)} s`,
      source: ref(worst, "ttl"),
    };
  } else {
    const why = !cfg.hostedZoneName
      ? "from config (no hosted zone configured)"
      : records.length > 0
        ? "from config (alias records carry no TTL of their own)"
        : NOT_DECLARED;
    ttlTerm = {
      id: "dns.ttl",
      label: "cached DNS answers expire",
      seconds: cfg.dnsTtlSeconds,
      formula: `${cfg.dnsTtlSeconds} s`,
      source: `${why}: ${key("dnsTtlSeconds")}`,
    };
  }
  const propagationTerm: BudgetTerm = {
    id: "dns.propagation",
    label: "health status reaches Route 53 DNS",
    seconds: interval,
    formula: `${interval} s`,
    source: `modelled as one request interval (AWS publishes no figure); ${intervalSource}`,
  };

  // The failover chain (alarm → decision → promotion) and DNS failover both start when the health
  // check turns unhealthy and run side by side; recovery needs both, so the longer one counts.
  const postTerms = postPromotionTerms(hasGlobalDb);
  const post = postTerms.reduce((sum, t) => sum + t.seconds, 0);
  const promotionPath =
    alarmTerm.seconds + decisionTerm.seconds + fencingTerm.seconds + promotionTerm.seconds + post;
  const dnsPath = propagationTerm.seconds + ttlTerm.seconds;
  const rtoSeconds = hcTerm.seconds + Math.max(promotionPath, dnsPath);
  const terms = [
    hcTerm,
    alarmTerm,
    decisionTerm,
    fencingTerm,
    promotionTerm,
    ...postTerms,
    propagationTerm,
    ttlTerm,
  ];
  const rto = {
    terms,
    assumedAction: cfg.alarmFailoverAction,
    formula:
      `${hcTerm.seconds} + max(${alarmTerm.seconds} + ${decisionTerm.seconds} + ${fencingTerm.seconds} + ${promotionTerm.seconds} + ${post}, ` +
      `${propagationTerm.seconds} + ${ttlTerm.seconds})`,
    seconds: rtoSeconds,
    serialSeconds: terms.reduce((s, t) => s + t.seconds, 0),
    targetSeconds: cfg.targets.rtoSeconds,
    targetKey: key("rtoTargetSeconds"),
    ok: rtoSeconds <= cfg.targets.rtoSeconds,
  };

  const rpo: RpoEntry[] = [];
  const entry = (store: string, term: BudgetTerm, targetSeconds: number, targetKey: string) =>
    rpo.push({
      store,
      seconds: term.seconds,
      term,
      targetSeconds,
      targetKey,
      ok: term.seconds <= targetSeconds,
    });

  const globals = find(resources, BUDGET_SOURCES.globalCluster);
  if (globals.length > 0) {
    entry(
      "Aurora global database",
      {
        id: "rpo.aurora",
        label: `replication lag (${globals.map((g) => g.name).join(", ")})`,
        seconds: AWS_FIGURES.auroraReplication.seconds,
        formula: `${AWS_FIGURES.auroraReplication.seconds} s`,
        source: `AWS: ${AWS_FIGURES.auroraReplication.claim} (${AWS_FIGURES.auroraReplication.url})`,
      },
      cfg.targets.auroraRpoSeconds,
      key("auroraRpoTargetSeconds"),
    );
    const lagAlarms = find(resources, BUDGET_SOURCES.lagAlarm);
    const thresholdMs = lagAlarms.length
      ? Math.max(...lagAlarms.map((a) => num(a.inputs.threshold) ?? 0))
      : cfg.replicationLagAlarmMs;
    const from = lagAlarms.length
      ? ref(lagAlarms[0], "threshold")
      : `${NOT_DECLARED}: ${key("replicationLagAlarmMs")}`;
    if (thresholdMs / 1000 > cfg.targets.auroraRpoSeconds) {
      warnings.push(
        `Aurora lag alarm fires above ${thresholdMs} ms (${from}); lag between the ` +
          `${cfg.targets.auroraRpoSeconds} s RPO target and that threshold raises no alarm`,
      );
    }
  }

  const globalTables = find(resources, BUDGET_SOURCES.table).filter(
    (t) => Array.isArray(t.inputs.replicas) && t.inputs.replicas.length > 0,
  );
  if (globalTables.length > 0) {
    entry(
      "DynamoDB global table",
      {
        id: "rpo.dynamodb",
        label: `replication (${globalTables.map((t) => t.name).join(", ")})`,
        seconds: AWS_FIGURES.dynamoReplication.seconds,
        formula: `${AWS_FIGURES.dynamoReplication.seconds} s`,
        source: `AWS: ${AWS_FIGURES.dynamoReplication.claim} (${AWS_FIGURES.dynamoReplication.url})`,
      },
      cfg.targets.dynamoRpoSeconds,
      key("dynamoRpoTargetSeconds"),
    );
  }

  for (const config of find(resources, BUDGET_SOURCES.replication)) {
    const rules = (Array.isArray(config.inputs.rules) ? config.inputs.rules : []) as Record<
      string,
      unknown
    >[];
    const enabled = rules.filter((r) => r.status !== "Disabled");
    const minutes = enabled.map((r) => {
      const rt = (r.destination as Record<string, unknown> | undefined)?.replicationTime as
        { status?: string; time?: { minutes?: unknown } } | undefined;
      return rt?.status === "Enabled" ? (num(rt.time?.minutes) ?? Infinity) : Infinity;
    });
    const worst = minutes.length ? Math.max(...minutes) : Infinity;
    entry(
      "S3 replication",
      {
        id: "rpo.s3",
        label: "Replication Time Control",
        seconds: worst * 60,
        formula: Number.isFinite(worst) ? `${worst} min × 60` : "unbounded (a rule has no RTC)",
        source: `${ref(config, "rules[].destination.replicationTime.time.minutes")}; AWS: ${AWS_FIGURES.s3Rtc.claim} (${AWS_FIGURES.s3Rtc.url})`,
      },
      cfg.targets.s3RpoSeconds,
      key("s3RpoTargetSeconds"),
    );
  }

  return { rto, rpo, warnings, ok: rto.ok && rpo.every((r) => r.ok) };
}

const secs = (s: number) => (Number.isFinite(s) ? `${s} s` : "unbounded");

/**
 * F5: after the promotion the orchestrator notices it (one poll) and makes processing follow the writer
 * before orders flow again; the DLQ redrive starts in the same run and drains while orders flow, and the
 * reconciliation after a failover repairs data, not availability, so neither adds to the RTO.
 */
/**
 * X3: before a data-losing promotion the orchestrator waits the writer lease out, so the old writer's
 * Region has stopped booking (lambda/failover/lease-transfer.ts). Counted only when a witness is declared.
 */
function writerLeaseTerm(resources: readonly PlanResource[]): BudgetTerm {
  const witness = find(resources, BUDGET_SOURCES.writerLease);
  const wait = revocationWaitMs(WRITER_LEASE_DEFAULTS.leaseMs) / 1000;
  return {
    id: "recovery.fencing",
    label: "writer lease waited out (X3)",
    seconds: witness.length > 0 ? wait : 0,
    formula: `${witness.length > 0 ? wait : 0} s`,
    source:
      witness.length > 0
        ? `lease ${WRITER_LEASE_DEFAULTS.leaseMs / 1000} s + a tenth (lambda/shared/writer-lease.ts); ${ref(witness[0], "witness")}`
        : `no writer-lease witness declared (${wait} s once one is: lambda/shared/writer-lease.ts)`,
  };
}

function postPromotionTerms(hasGlobalDb: boolean): BudgetTerm[] {
  if (!hasGlobalDb) return [];
  const poll = FAILOVER_DEFAULTS.pollIntervalMs / 1000;
  return [
    {
      id: "recovery.noticePromotion",
      label: "orchestrator sees the new writer",
      seconds: poll,
      formula: `${poll} s`,
      source:
        "one poll interval of the failover orchestrator (lambda/failover/config.ts DEFAULTS.pollIntervalMs)",
    },
    {
      id: "recovery.followWriter",
      label: "processing follows the writer",
      seconds: AWS_FIGURES.mappingResume.seconds,
      formula: `${AWS_FIGURES.mappingResume.seconds} s`,
      source: `${AWS_FIGURES.mappingResume.claim} (${AWS_FIGURES.mappingResume.url})`,
    },
  ];
}

export function renderDrBudget(b: DrBudget): string {
  const mark = (ok: boolean) => (ok ? "OK" : "BROKEN");
  const lines: string[] = [];
  lines.push(
    `RTO  (assumes alarmFailoverAction=${b.rto.assumedAction})  ${secs(b.rto.seconds)}  target ${secs(b.rto.targetSeconds)} (${b.rto.targetKey})  ${mark(b.rto.ok)}`,
  );
  const width = Math.max(...b.rto.terms.map((t) => t.label.length));
  for (const t of b.rto.terms) {
    const value = t.formula === `${t.seconds} s` ? t.formula : `${t.formula} = ${t.seconds} s`;
    lines.push(`  ${t.label.padEnd(width)}  ${value.padEnd(16)}  ${t.source}`);
  }
  lines.push(
    `  = health check + max(alarm + decision + fencing + promotion + post-promotion, DNS propagation + TTL) = ${b.rto.formula} = ${b.rto.seconds} s` +
      `  (serial sum ${b.rto.serialSeconds} s)`,
  );
  lines.push("RPO");
  for (const r of b.rpo) {
    lines.push(
      `  ${r.store.padEnd(24)} ${secs(r.seconds).padStart(9)}  target ${secs(r.targetSeconds)} (${r.targetKey})  ${mark(r.ok)}`,
    );
    lines.push(`    ${r.term.label}: ${r.term.formula}; ${r.term.source}`);
  }
  for (const w of b.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}

/** JSON-safe copy: unbounded values become null. */
export function budgetToJson(b: DrBudget): unknown {
  return JSON.parse(JSON.stringify(b, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
}
