/**
 * L6: encrypted connections are verified for real. A locally made CA signs server certificates; a
 * TLS-terminating proxy presents them in front of the real PostgreSQL; the processor's Database must
 * accept only a certificate from the trusted CA for an accepted name.
 */
import {
  Database,
  DB_DEFAULTS,
  dbSettingsFromEnv,
  type DbSettings,
} from "../../../lambda/order-processor/db";
import { DB_ENV } from "../../../lambda/order-processor/db-env";
import { startTestDatabase, type TestDatabase } from "../../support/postgres";
import { makeCa, startTlsProxy, type Pki } from "../../support/tls";
import { quiet } from "./helpers";

let pg: TestDatabase;
let trusted: Pki;
let rogue: Pki;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  pg = await startTestDatabase();
  trusted = makeCa("tap-test-trusted-ca");
  rogue = makeCa("tap-test-rogue-ca");
});
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
  trusted?.dispose();
  rogue?.dispose();
  await pg?.stop();
});

/** Connects to "localhost" (standing in for the global writer endpoint) through a proxy presenting `cert`. */
async function selectOne(cert: { key: string; cert: string }, extra: Partial<DbSettings>): Promise<unknown> {
  const proxy = await startTlsProxy({ host: pg.host, port: pg.port }, cert);
  closers.push(proxy.close);
  const url = new URL(pg.url);
  url.hostname = "localhost";
  url.port = String(proxy.port);
  const db = new Database(
    {
      url: url.toString(),
      ...DB_DEFAULTS,
      connectTimeoutMs: 3000,
      ssl: "require",
      tlsCa: trusted.caPem,
      ...extra,
    },
    { logger: quiet },
  );
  closers.push(() => db.end());
  const { rows } = await db.query<{ one: number }>("SELECT 1 AS one");
  return rows[0].one;
}

describe("L6: TLS to the ledger is verified", () => {
  it("L6: a certificate from the trusted CA for the host connected to is accepted", async () => {
    await expect(selectOne(trusted.issue("localhost"), {})).resolves.toBe(1);
  });

  it("L6: a certificate from another CA is refused, even for the right name", async () => {
    await expect(selectOne(rogue.issue("localhost"), {})).rejects.toThrow(/self[- ]signed|unable to verify/i);
  });

  it("L6: a certificate for another name is refused, even from the trusted CA", async () => {
    await expect(selectOne(trusted.issue("other.example"), {})).rejects.toMatchObject({
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
    await expect(
      selectOne(trusted.issue("other.example"), { tlsServerNames: ["cluster-a.us-east-1.rds.example"] }),
    ).rejects.toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  it("L6: a certificate naming a cluster endpoint is accepted through the global endpoint only when that name is listed", async () => {
    const clusterName = "tap-primary.cluster-abc.us-east-1.rds.example";
    await expect(selectOne(trusted.issue(clusterName), {})).rejects.toMatchObject({
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
    await expect(
      selectOne(trusted.issue(clusterName), {
        tlsServerNames: ["tap-secondary.cluster-def.us-west-2.rds.example", clusterName],
      }),
    ).resolves.toBe(1);
  });

  it("L6: the infra's comma-separated names reach the settings; TLS is required by default with a secret", () => {
    const s = dbSettingsFromEnv({
      [DB_ENV.secretArn]: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
      [DB_ENV.tlsServerNames]: " a.example , b.example ,",
    });
    expect(s).toMatchObject({ ssl: "require", tlsServerNames: ["a.example", "b.example"] });
  });
});
