/** Shared by the day-one game-day tests: program runs, a client identity, and orders. */
import { DAY_ONE_CLIENT } from "../../gameday/day-one/scenario";
import { DayOneWorld, type DayOneReport } from "../../gameday/day-one/world";
import type { RecordedResource } from "../../tooling/mocks/recorded";

/** The day-one scenario's IAM client of the dev stack's AWS_IAM POST /orders, and its SigV4 header. */
export { DAY_ONE_CLIENT as CLIENT, signedBy } from "../../gameday/day-one/scenario";

/** An order body; `at` (ms) is its clientTimestamp, which the processor holds to the intake time. */
export function order(id: string, account = "ACC-1", at = Date.UTC(2026, 11, 7)): string {
  return JSON.stringify({
    orderId: id,
    account,
    symbol: "AAPL",
    side: "BUY",
    quantity: "10",
    orderType: "MARKET",
    clientTimestamp: new Date(at).toISOString(),
  });
}

/** A deep copy of `resources` with `edit` applied to the one resource `pick` chooses (removed when edit says so). */
export function broken(
  resources: readonly RecordedResource[],
  pick: (r: RecordedResource) => boolean,
  edit: (r: RecordedResource) => void | "remove",
): RecordedResource[] {
  const copy = JSON.parse(JSON.stringify(resources)) as RecordedResource[];
  const targets = copy.filter(pick);
  if (targets.length !== 1) throw new Error(`expected one resource to break, found ${targets.length}`);
  return edit(targets[0]) === "remove" ? copy.filter((r) => r !== targets[0]) : copy;
}

/** The program without its `service` VPC endpoint (e.g. "lambda", "sqs") in `region`'s VPC. */
export const withoutEndpoint = (
  resources: readonly RecordedResource[],
  service: string,
  region = "us-east-1",
): RecordedResource[] =>
  broken(
    resources,
    (r) =>
      r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" &&
      r.inputs.serviceName === `com.amazonaws.${region}.${service}`,
    () => "remove",
  );

export const named = (type: string, name: string) => (r: RecordedResource) =>
  r.type === type && r.name === name;

/** Edits one statement (by Sid) of a JSON policy input. */
export function editStatement(
  r: RecordedResource,
  sid: string,
  edit: (s: Record<string, unknown>) => Record<string, unknown> | undefined,
  key = "policy",
): void {
  const doc = JSON.parse(String(r.inputs[key])) as { Statement: Record<string, unknown>[] };
  const i = doc.Statement.findIndex((s) => s.Sid === sid);
  if (i < 0) throw new Error(`no statement ${sid}`);
  const next = edit(doc.Statement[i]);
  doc.Statement = next
    ? doc.Statement.map((s, j) => (j === i ? next : s))
    : doc.Statement.filter((_, j) => j !== i);
  r.inputs[key] = JSON.stringify(doc);
}

/** Builds the world from `changed` (with the day-one client), runs it for `minutes`, and stops it. */
export async function dayOne(
  changed: readonly RecordedResource[],
  minutes = 5,
  then?: (w: DayOneWorld) => Promise<void>,
): Promise<{ report: DayOneReport; world: DayOneWorld }> {
  const world = await DayOneWorld.build(changed, [DAY_ONE_CLIENT]);
  try {
    const report = await world.run(minutes);
    await then?.(world);
    return { report, world };
  } finally {
    await world.stop();
  }
}

/** The alarms that went to ALARM, by name without Pulumi's suffix. */
export const alarmed = (r: DayOneReport) =>
  r.alarmChanges.filter((c) => c.to === "ALARM").map((c) => c.alarm.replace(/-[0-9a-f]{7}$/, ""));
