/**
 * Alarms travel as data (issue 11): the component that creates an alarm lists it, and Monitoring reads
 * the lists. The whole stack is built here as index.ts builds it, but kept as an object: runProgram
 * returns only outputs and recorded resources, and which alarms Monitoring was given is not deployed
 * anywhere (only the critical ones reach the composite alarm's rule).
 */
import { loadConfig } from "../../lib/load-config";
import { AlarmInfo } from "../../lib/monitoring/alarm";
import { stackName } from "../../lib/names";
import { TapStack } from "../../lib/tap-stack";
import { withoutPulumiStacks } from "../../tooling/mocks/pulumi-stacks";
import { installMocks, ofType, promiseOf, RecordedResource, settle } from "../../tooling/mocks/recorder";
import { PRODUCTION_CONFIG } from "../program";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";

interface Built {
  /** The stack's name, the prefix of every logical name. */
  name: string;
  stack: TapStack;
  alarms: RecordedResource[];
  composite: RecordedResource[];
  /** Monitoring's list (its own alarms, then those it was given), names resolved. */
  watched: (Omit<AlarmInfo, "name"> & { name: string })[];
}

/** Builds the stack for `stack` with these `tap:*` settings, as index.ts does. */
async function build(config: Record<string, string>, stack: string): Promise<Built> {
  const qualified = Object.fromEntries(Object.entries(config).map(([k, v]) => [`tap:${k}`, v]));
  await installMocks({ config: qualified, stack });
  const cfg = loadConfig();
  const name = stackName(cfg);
  const tap = new TapStack(name, { config: cfg });
  await settle();
  const watched = await Promise.all(
    tap.monitoring.watched.map(async (a) => ({ ...a, name: await promiseOf(a.name) })),
  );
  return { name, stack: tap, alarms: [...ofType(ALARM)], composite: [...ofType(COMPOSITE)], watched };
}

const primaryMembers = (b: Built) =>
  b.watched.filter((a) => a.critical && a.region === b.stack.primary.region).map((a) => a.name);

describe.each([
  ["dev", {}],
  ["prod", PRODUCTION_CONFIG],
])("the %s stack's alarms", (stackId, config) => {
  let b: Built;
  beforeAll(async () => {
    b = await withoutPulumiStacks(() => build(config, stackId));
  });

  it("R20: every metric alarm the program declares is in Monitoring's list, once, with its own region", () => {
    const declared = b.alarms.map((a) => [String(a.state.name), a.region]).sort();
    expect(b.watched.map((a) => [a.name, a.region]).sort()).toEqual(declared);
    expect(declared.length).toBeGreaterThanOrEqual(30);
  });

  it("R19: the composite alarm's members are exactly the critical alarms of the primary region", () => {
    expect(b.composite).toHaveLength(1);
    const rule = String(b.composite[0].inputs.alarmRule);
    const referenced = [...rule.matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(referenced).toEqual(primaryMembers(b));
    const logical = new Map(b.alarms.map((a) => [String(a.state.name), a.name.replace(`${b.name}-`, "")]));
    expect(referenced.map((n) => logical.get(n)).sort()).toEqual(
      [
        "monitoring-primary-api-5xx",
        "monitoring-primary-api-p99-latency",
        "monitoring-primary-dlq-depth",
        "monitoring-primary-dynamodb-replication-latency",
        "monitoring-primary-oldest-message",
        "monitoring-primary-processor-throttles",
        "primary-service-canary-success",
        "primary-service-health-alarm",
        "primary-service-processor-fn-errors",
      ].sort(),
    );
    // The processor's errors are critical in the primary role only, as Monitoring's own alarm was.
    const errors = (role: string) =>
      logical.get(b.watched.find((a) => a.id === `${role}-processor-errors`)!.name);
    expect([errors("primary"), errors("secondary")]).toEqual([
      "primary-service-processor-fn-errors",
      "secondary-service-processor-fn-errors",
    ]);
    expect(b.watched.filter((a) => a.id.endsWith("-processor-errors")).map((a) => a.critical)).toEqual([
      true,
      false,
    ]);
  });
});
