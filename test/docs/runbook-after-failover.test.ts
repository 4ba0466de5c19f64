/**
 * M1: the runbook's last section, "After a failover: running Pulumi again", names the command to run and
 * the same run-time owned attributes the program leaves alone, so what an operator is told to watch for
 * is what the code guarantees.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  HEALTH_CHECK_OPERATOR_OWNED,
  MEMBER_CLUSTER_RUNTIME_OWNED,
  QUEUE_CONSUMER_RUNTIME_OWNED,
} from "../../lib/run-time-owned";

const runbook = readFileSync(path.join(__dirname, "../../docs/runbook.md"), "utf8");
const TITLE = "## After a failover: running Pulumi again";
const section = runbook.slice(runbook.indexOf(TITLE));

describe("M1: docs/runbook.md, After a failover: running Pulumi again", () => {
  it("M1: it is the last section and runs a preview with a refresh first", () => {
    expect(runbook.indexOf(TITLE)).toBeGreaterThan(0);
    expect(section.slice(TITLE.length)).not.toMatch(/^## /m);
    // https://www.pulumi.com/docs/iac/cli/commands/pulumi_preview/ (--refresh, --diff)
    expect(section).toMatch(/```sh\npulumi preview --refresh --diff\n```/);
  });

  it("M1: it names a promote, a detach, a mapping flip and a health-check revert as never to appear", () => {
    const never = section.slice(section.indexOf("What must **never** appear"));
    expect(never).toMatch(/replace \(`\+-`\) or delete \(`-`\) of an `aws:rds\/cluster:Cluster`/);
    for (const p of ["replicationSourceIdentifier", "globalClusterIdentifier"]) {
      expect(MEMBER_CLUSTER_RUNTIME_OWNED).toContain(p);
      expect(never).toContain(`\`${p}\``);
    }
    expect(QUEUE_CONSUMER_RUNTIME_OWNED).toEqual(["enabled"]);
    expect(never).toMatch(/`aws:lambda\/eventSourceMapping:EventSourceMapping` that names `enabled`/);
    for (const p of HEALTH_CHECK_OPERATOR_OWNED) expect(never).toContain(`\`${p}\``);
  });

  it("M1: it covers each state the drift test models, and the Region that is still down", () => {
    const states = [...section.matchAll(/^\| ([A-Z][^|]+?) +\|/gm)].map((m) => m[1]);
    expect(states).toEqual([
      "State",
      "The old primary Region still down",
      "After a failover, old primary back but not yet rejoined",
      "After a failover (old primary rejoined)",
      "After a switchover",
      "After a failback",
    ]);
  });
});
