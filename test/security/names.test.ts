/**
 * S6: with the longest, most hyphenated suffix the config accepts, every physical name the program makes
 * is one AWS accepts (names are Pulumi auto-names, `<logical>-<7 hex>`, as the mocks reproduce).
 *  - RDS identifiers: 1-63 letters, digits, hyphens; start with a letter; no "--"; no trailing hyphen.
 *    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints
 *  - S3 buckets: 3-63 lowercase letters, digits, hyphens, dots; start and end alphanumeric.
 *    https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 *  - Synthetics canaries: at most 21 lowercase letters, digits, hyphens, underscores.
 */
import { ProgramRun, runProgram } from "../program";

const SUFFIX = "a-b-c-d-e9";
let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram({ environmentSuffix: SUFFIX });
});

const RDS_TYPES = [
  "aws:rds/cluster:Cluster",
  "aws:rds/clusterInstance:ClusterInstance",
  "aws:rds/globalCluster:GlobalCluster",
  "aws:rds/subnetGroup:SubnetGroup",
  "aws:rds/clusterParameterGroup:ClusterParameterGroup",
];
const RDS_RE = /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/;

it("S3: every RDS identifier is one RDS accepts", () => {
  const ids = run.resources.filter((r) => RDS_TYPES.includes(r.type)).map((r) => String(r.id));
  expect(ids.length).toBeGreaterThan(4);
  expect(ids.filter((id) => !RDS_RE.test(id))).toEqual([]);
});

it("S3: every bucket name is one S3 accepts", () => {
  const names = run.of("aws:s3/bucket:Bucket").map((b) => String(b.id));
  expect(names.length).toBe(7);
  expect(names.filter((n) => !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(n))).toEqual([]);
});

it("S3: every canary name fits Synthetics' 21 characters", () => {
  const names = run
    .of("aws:synthetics/canary:Canary")
    .map((c) => String(c.inputs.name))
    .sort();
  expect(names).toEqual([`tap-${SUFFIX}-p-cnry`, `tap-${SUFFIX}-s-cnry`, `tap-${SUFFIX}-x-cnry`]);
  expect(names.every((n) => n.length <= 21 && /^[0-9a-z_-]+$/.test(n))).toBe(true);
});

it("S3: a trailing-hyphen suffix would have produced an identifier RDS rejects (why the config refuses it)", () => {
  const cluster = run.of("aws:rds/cluster:Cluster")[0];
  const withBadSuffix = String(cluster.id).replace(SUFFIX, "qa-");
  expect(RDS_RE.test(withBadSuffix)).toBe(false);
});
