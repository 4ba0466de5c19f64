/**
 * S3: the processor through alternating-users (multi-user) rotations, against a PostgreSQL that checks
 * passwords. The secret store below follows the steps AWS documents for that strategy
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-strategy.html and
 * rotate-secrets_lambda.html): createSecret stages the OTHER user with a new password as AWSPENDING,
 * setSecret gives that user the password (as the master user), testSecret logs in with it, finishSecret
 * moves AWSCURRENT. The credentials in use stay valid until the rotation after next.
 */
import { GetSecretValueCommand, type GetSecretValueCommandOutput } from "@aws-sdk/client-secrets-manager";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { rotationPair } from "../../../lambda/ledger-migrator/app-role";
import { runLedgerMigration } from "../../../lambda/ledger-migrator/migrate";
import { Database, DB_DEFAULTS, type SecretSource } from "../../../lambda/order-processor/db";
import { startDynamo, type TestDynamo } from "../../../tooling/stores/dynamodb";
import { dropRole, startTestDatabase, type TestDatabase } from "../../../tooling/stores/postgres";
import { event, failedIds, ledgerRows, order, processor, recordingLogger, record, uid } from "./helpers";

interface Doc {
  readonly username: string;
  readonly password: string;
}

/** One secret with staged versions, rotated the way the multi-user function does it. */
class AlternatingSecret {
  private readonly versions: { doc: Doc; stages: Set<string> }[] = [];

  constructor(
    first: Doc,
    private readonly pg: TestDatabase,
  ) {
    this.versions.push({ doc: first, stages: new Set(["AWSCURRENT"]) });
  }

  current(): Doc {
    return this.versions.find((v) => v.stages.has("AWSCURRENT"))!.doc;
  }

  /** A Secrets Manager client for one execution environment, counting its GetSecretValue calls. */
  client(): SecretSource & { calls: number } {
    const source = {
      calls: 0,
      send: async (command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput> => {
        expect(command.input.VersionStage ?? "AWSCURRENT").toBe("AWSCURRENT");
        source.calls += 1;
        return { SecretString: JSON.stringify(this.current()), $metadata: {} };
      },
    };
    return source;
  }

  async rotate(): Promise<Doc> {
    const { base, clone } = rotationPair(this.current().username);
    const pending: Doc = {
      username: this.current().username === base ? clone : base,
      password: randomBytes(18).toString("base64url"),
    };
    const version = { doc: pending, stages: new Set(["AWSPENDING"]) };
    this.versions.push(version); // createSecret
    const admin = await this.pg.admin(); // setSecret: as the master user
    await admin.query(
      `ALTER ROLE ${admin.escapeIdentifier(pending.username)} PASSWORD ${admin.escapeLiteral(pending.password)}`,
    );
    const probe = new Client({ connectionString: this.pg.urlFor(pending.username, pending.password) });
    await probe.connect(); // testSecret
    await probe.end();
    for (const v of this.versions) {
      // finishSecret: AWSCURRENT moves, the old current becomes AWSPREVIOUS
      const wasCurrent = v.stages.has("AWSCURRENT");
      v.stages.clear();
      if (wasCurrent) v.stages.add("AWSPREVIOUS");
    }
    version.stages.add("AWSCURRENT");
    return pending;
  }
}

let authDb: TestDatabase;
let dynamo: TestDynamo;
let table: string;
const base = `tap_rot_${uid()}`;
const opened: Database[] = [];

beforeAll(async () => {
  [authDb, dynamo] = await Promise.all([startTestDatabase({ passwordAuth: true }), startDynamo()]);
  table = await dynamo.createOrdersTable();
});

afterAll(async () => {
  await Promise.all(opened.map((db) => db.end()));
  for (const r of [base, `${base}_clone`]) await dropRole(authDb, r).catch(() => undefined);
  await dynamo?.stop();
  await authDb?.stop();
});

/** A warm execution environment of the processor: its own pool and its own cached credentials. */
function environment(secret: AlternatingSecret) {
  const secrets = secret.client();
  const log = recordingLogger();
  const db = new Database(
    {
      secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:tap-db-app-AbCdEf",
      host: authDb.host,
      port: authDb.port,
      database: authDb.database,
      ssl: "disable",
      ...DB_DEFAULTS,
    },
    { logger: log.logger, secrets },
  );
  opened.push(db);
  const { handler } = processor(db, dynamo.doc, table);
  const booked: string[] = [];
  return {
    secrets,
    log: log.entries,
    async book(): Promise<string[]> {
      const o = order();
      booked.push(o.orderId as string);
      return failedIds(handler, event(record(o)));
    },
    booked,
    /** Ends this environment's sessions, as idle timeouts and frozen environments do between rotations. */
    async dropSessions(): Promise<void> {
      const admin = await authDb.admin();
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = ANY($2)",
        [authDb.database, [base, `${base}_clone`]],
      );
    },
  };
}

describe("S3: multi-user rotation, seen by the order processor", () => {
  it("S3: across three rotations every order is booked once, and an environment refetches the secret only when its user's password changed", async () => {
    const password = `first-${uid()}-${uid()}`;
    const admin = await authDb.admin();
    await runLedgerMigration(admin, { username: base, password }, authDb.database); // as at deploy time
    const secret = new AlternatingSecret({ username: base, password }, authDb);

    const a = environment(secret); // warm before the first rotation: holds base's first password
    expect(await a.book()).toEqual([]);

    // Rotation 1 sets the clone's password; base's stays valid (AWSPREVIOUS).
    expect((await secret.rotate()).username).toBe(`${base}_clone`);
    await a.dropSessions();
    expect(await a.book()).toEqual([]); // new connection, old credentials: still good
    expect(a.secrets.calls).toBe(1);
    const b = environment(secret); // cold start after rotation 1: reads the clone
    expect(await b.book()).toEqual([]);

    // Rotation 2 changes base's password: `a` fails once with 28P01, refetches, carries on.
    expect((await secret.rotate()).username).toBe(base);
    await a.dropSessions();
    expect(await a.book()).toEqual([]);
    expect(a.secrets.calls).toBe(2);
    expect(a.log.find((e) => e.extra.reason === "auth")?.extra.code).toBe("28P01");
    expect(await b.book()).toEqual([]); // the clone was not touched
    expect(b.secrets.calls).toBe(1);

    // Rotation 3 changes the clone's: now `b` is the one that refetches.
    expect((await secret.rotate()).username).toBe(`${base}_clone`);
    await b.dropSessions();
    expect(await b.book()).toEqual([]);
    expect(await a.book()).toEqual([]);
    expect([a.secrets.calls, b.secrets.calls]).toEqual([2, 2]);

    const all = [...a.booked, ...b.booked];
    expect(all).toHaveLength(7);
    const rows = await ledgerRows(admin, all);
    expect(rows.map((r) => r.order_id).sort()).toEqual([...all].sort());
  });
});
