/**
 * M2: the program knows where the Aurora writer is at deploy time and never deploys processing against a
 * reader. The mocks answer the lookups as AWS would for a first deploy (nothing exists) and for a stack
 * whose global database exists (tooling/mocks/fake-aws.ts, FakeAccount).
 */
import { ConfigError, parseConfig } from "../../lib/config";
import { processingRegionFor, type AuroraWriter } from "../../lib/data/aurora-writer";
import { auroraClusterIds, auroraIdsOfGlobal, auroraName } from "../../lib/data/aurora-names";
import type { FakeAccount } from "../../tooling/mocks/fake-aws";
import { runProgram } from "../program";

const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";

/** [processor, forwarder] `enabled` of each region's mappings, as the program declares them. */
async function mappings(config: Record<string, string>, account: FakeAccount) {
  const run = await runProgram(config, "dev", account);
  const enabled = (role: string, consumer: string) =>
    run.named(MAPPING, `tap-dev-${role}-service-${consumer}-sqs`).inputs.enabled;
  return {
    primary: [enabled("primary", "processor"), enabled("primary", "forwarder")],
    secondary: [enabled("secondary", "processor"), enabled("secondary", "forwarder")],
  };
}

describe("M2: processing is deployed where AWS reports the writer", () => {
  it("M2: a first deploy (no global database yet) books in the primary, where the writer is created", async () => {
    expect(await mappings({}, {})).toEqual({ primary: [true, false], secondary: [false, true] });
  });

  it("M2: with the writer in the secondary (after a failover), the secondary books and the primary forwards", async () => {
    expect(await mappings({}, { aurora: { writer: "secondary" } })).toEqual({
      primary: [false, true],
      secondary: [true, false],
    });
  });

  it("M2: with the writer back in the primary (after a failback), the primary books", async () => {
    expect(await mappings({}, { aurora: { writer: "primary" } })).toEqual({
      primary: [true, false],
      secondary: [false, true],
    });
  });

  it("M2: a pinned tap:processingRegion that agrees with AWS deploys as unpinned", async () => {
    expect(await mappings({ processingRegion: "secondary" }, { aurora: { writer: "secondary" } })).toEqual({
      primary: [false, true],
      secondary: [true, false],
    });
  });

  it("M2: a pinned tap:processingRegion that disagrees with AWS stops the deploy with the fix", async () => {
    await expect(
      runProgram({ processingRegion: "primary" }, "dev", { aurora: { writer: "secondary" } }),
    ).rejects.toThrow(
      'tap:processingRegion is "primary" but the Aurora writer is the secondary cluster. Remove the key to ' +
        'follow the writer (pulumi config rm tap:processingRegion), or set it to "secondary".',
    );
  });

  it("M2: pinning the secondary on a first deploy stops it: the writer is created in the primary", async () => {
    await expect(runProgram({ processingRegion: "secondary" }, "dev", {})).rejects.toThrow(
      /the Aurora writer is the primary cluster \(a first deploy creates the writer in the primary region\)/,
    );
  });

  it("M2: while no member writes (a switchover or failover under way) the deploy stops and says when to retry", async () => {
    await expect(runProgram({}, "dev", { aurora: { writer: "none" } })).rejects.toThrow(
      /No member of the Aurora global database is the writer right now \(arn:aws:rds:us-east-1:123456789012:cluster:tap-dev-aurora-primary, arn:aws:rds:us-west-2:123456789012:cluster:tap-dev-aurora-secondary\): a switchover or failover is under way/,
    );
  });
  it("M2: a member cluster without its global cluster (detached by hand) stops the deploy and says why", async () => {
    await expect(runProgram({}, "dev", { aurora: { writer: "secondary", global: false } })).rejects.toThrow(
      "The Aurora cluster tap-dev-aurora-secondary exists but its global cluster tap-dev-aurora-global " +
        "cannot be read, so the program cannot tell where the writer is (was the cluster detached?)",
    );
  });
});

describe("M2: the decision alone", () => {
  const exists = (writer?: "primary" | "secondary"): AuroraWriter => ({ exists: true, writer, members: [] });

  it("M2: the writer's role wins; nothing exists yet means the primary", () => {
    expect(processingRegionFor(undefined, { exists: false })).toBe("primary");
    expect(processingRegionFor(undefined, exists("secondary"))).toBe("secondary");
    expect(processingRegionFor("primary", exists("primary"))).toBe("primary");
  });

  it("M2: no writer among this stack's members is refused", () => {
    expect(() => processingRegionFor(undefined, exists(undefined))).toThrow(/No member .* is the writer/);
  });

  it("M2: the lookup and the component name the same clusters", () => {
    const ids = auroraClusterIds(auroraName("tap-dev"));
    expect(ids).toEqual({
      global: "tap-dev-aurora-global",
      primary: "tap-dev-aurora-primary",
      secondary: "tap-dev-aurora-secondary",
    });
    expect(auroraIdsOfGlobal(ids.global)).toEqual(ids);
  });
});

describe("M2: tap:processingRegion is an optional pin", () => {
  const parse = (value?: string) =>
    parseConfig((k) => (k === "processingRegion" ? value : undefined)).processingRegion;

  it("M2: unset or empty follows the writer; primary and secondary pin it", () => {
    expect([parse(undefined), parse(""), parse("primary"), parse("secondary")]).toEqual([
      undefined,
      undefined,
      "primary",
      "secondary",
    ]);
  });

  it("M2: anything else is a config problem", () => {
    expect(() => parse("both")).toThrow(ConfigError);
    expect(() => parse("both")).toThrow('processingRegion: "both" is not one of primary, secondary');
  });
});
