/**
 * F2: reconciliation after a data-losing failover, against real PostgreSQL and DynamoDB (dynalite), and
 * through the CLI entry point (scripts/reconcile.ts) with the same stores.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { insertOrders } from "../../../lambda/order-processor/ledger";
import type { Order } from "../../../lambda/order-processor/order-schema";
import { putOrderState, toItem } from "../../../lambda/order-processor/state";
import { reconcileStores } from "../../../lambda/reconcile/reconcile";
import { orderContentHash } from "../../../lambda/order-processor/content-hash";
import type { LedgerRow } from "../../../lambda/order-processor/ledger";
import { Database, dbSettingsFromEnv } from "../../../lambda/order-processor/db";
import { RECONCILE_TIMEOUT_SECONDS } from "../../../lambda/reconcile/env";
import { parseReconcileEvent } from "../../../lambda/reconcile/event";
import { handler } from "../../../lambda/reconcile/index";
import { HELP, main, type CliDeps, type Target } from "../../../scripts/reconcile";
import { ledgerRows, recordingLogger, uid, useStores } from "../order-processor/helpers";

const stores = useStores();

const NEW_WRITER = "us-west-2";

function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: `o-${uid()}`,
    account: `acct-${uid()}`,
    symbol: "AAPL",
    side: "BUY",
    quantity: "10",
    orderType: "LIMIT",
    limitPrice: "187.25",
    clientTimestamp: "2025-01-01T10:00:00.000+02:00",
    ...overrides,
  };
}

const entry = (order: Order) => ({ order, contentHash: orderContentHash(order), messageId: "m" });
/** The row the processor would have booked, as DynamoDB holds it (canonical UTC time). */
function rowOf(order: Order, region = "us-east-1"): LedgerRow {
  return {
    orderId: order.orderId,
    account: order.account,
    symbol: order.symbol,
    side: order.side,
    quantity: order.quantity,
    orderType: order.orderType,
    ...(order.limitPrice === undefined ? {} : { limitPrice: order.limitPrice }),
    clientTimestamp: new Date(order.clientTimestamp).toISOString(),
    contentHash: orderContentHash(order),
    region,
  };
}

function deps() {
  return {
    db: stores.db,
    ddb: stores.dynamo.doc,
    tableName: stores.table,
    region: NEW_WRITER,
    logger: recordingLogger().logger,
  };
}

describe("F2: reconcile the ledger and DynamoDB", () => {
  it("F2: re-books orders missing from the ledger with the same id and contents, rewrites missing items, leaves conflicts, counts each", async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const lostFromLedger = anOrder(); // booked before the failover; its ledger row was not replicated
    const lostFromTable = anOrder({ orderType: "MARKET", limitPrice: undefined, side: "SELL" });
    const both = anOrder();
    const conflicting = anOrder();
    const now = new Date();
    await putOrderState(stores.dynamo.doc, stores.table, rowOf(lostFromLedger), now);
    await insertOrders(stores.db, [entry(lostFromTable)], "us-east-1");
    await insertOrders(stores.db, [entry(both)], "us-east-1");
    await putOrderState(stores.dynamo.doc, stores.table, rowOf(both), now);
    await insertOrders(stores.db, [entry(conflicting)], "us-east-1");
    await stores.dynamo.doc.send(
      new PutCommand({
        TableName: stores.table,
        Item: toItem(rowOf({ ...conflicting, quantity: "11" }), now),
      }),
    );

    const dry = await reconcileStores(deps(), { sinceIso: since, dryRun: true });
    expect(dry).toMatchObject({ rebookedIntoLedger: 1, rewrittenIntoTable: 1, conflicts: 1, dryRun: true });
    expect(await ledgerRows(stores.db, [lostFromLedger.orderId])).toHaveLength(0); // a dry run changes nothing

    const report = await reconcileStores(deps(), { sinceIso: since, dryRun: false });
    expect(report).toMatchObject({
      rebookedIntoLedger: 1,
      rewrittenIntoTable: 1,
      conflicts: 1,
      unreadable: 0,
    });
    expect(report.details).toEqual(
      expect.arrayContaining([
        { orderId: conflicting.orderId, action: "conflict: contents differ; left as is" },
        { orderId: lostFromLedger.orderId, action: "re-booked into the ledger" },
        { orderId: lostFromTable.orderId, action: "rewritten into DynamoDB" },
      ]),
    );
    const [row] = await ledgerRows(stores.db, [lostFromLedger.orderId]);
    expect(row).toMatchObject({
      order_id: lostFromLedger.orderId,
      account: lostFromLedger.account,
      symbol: "AAPL",
      side: "BUY",
      quantity: "10",
      order_type: "LIMIT",
      limit_price: "187.25000000", // numeric(…, 8) as the ledger stores it
      sqs_message_id: null,
      region: NEW_WRITER,
    });
    expect(new Date(row.client_ts as Date).toISOString()).toBe("2025-01-01T08:00:00.000Z");
    const item = await stores.dynamo.doc.send(
      new GetCommand({ TableName: stores.table, Key: { orderId: lostFromTable.orderId } }),
    );
    expect(item.Item).toMatchObject({
      side: "SELL",
      orderType: "MARKET",
      quantity: "10",
      region: "us-east-1",
    });
    const [kept] = await ledgerRows(stores.db, [conflicting.orderId]);
    expect(kept.quantity).toBe("10");

    // Idempotent: a second run finds nothing missing.
    const again = await reconcileStores(deps(), { sinceIso: since, dryRun: false });
    expect(again).toMatchObject({ rebookedIntoLedger: 0, rewrittenIntoTable: 0, conflicts: 1 });
  });

  it("F2: an item whose contents are not a valid order is reported, never booked", async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const bad = { ...toItem(rowOf(anOrder()), new Date()), quantity: "-5" };
    await stores.dynamo.doc.send(new PutCommand({ TableName: stores.table, Item: bad }));
    const report = await reconcileStores(deps(), { sinceIso: since, dryRun: false });
    expect(report.unreadable).toBe(1);
    expect(await ledgerRows(stores.db, [bad.orderId])).toHaveLength(0);
  });

  it("F2: the CLI runs the same reconciliation, prints the report and exits 1 on conflicts, 2 on bad usage", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const since = new Date(Date.now() - 1_000).toISOString();
    const missing = anOrder();
    await putOrderState(stores.dynamo.doc, stores.table, rowOf(missing), new Date());
    // The CLI ends its database when done; the shared pool stays open behind a plain query function.
    const cliStores = () => ({
      db: { query: stores.db.query.bind(stores.db) },
      ddb: stores.dynamo.doc,
    });
    const cli = (argv: string[]) =>
      main(argv, {
        env: { AWS_REGION: NEW_WRITER },
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        stores: cliStores,
      });

    expect(await cli(["--since", "yesterday-ish", "--table", stores.table])).toBe(2);
    expect(err.join("\n")).toMatch(/--since: "yesterday-ish" is not a date-time/);
    expect(await cli(["--since", since, "--dry-run"])).toBe(2); // no table
    expect(await cli(["--since", since, "--dry-run", "--table", stores.table])).toBe(1); // the invalid item above
    const dry = JSON.parse(out.at(-1)!) as { dryRun: boolean; rebookedIntoLedger: number };
    expect(dry).toMatchObject({ dryRun: true, rebookedIntoLedger: 1 });
    expect(await ledgerRows(stores.db, [missing.orderId])).toHaveLength(0);
  });
});

describe("O3: the reconcile CLI is usable from the runbook", () => {
  const OUTPUTS_FILE = {
    dynamoTableName: "", // set per test to the dynalite table
    secondaryRegion: NEW_WRITER,
    ledgerSecretArn: "arn:aws:secretsmanager:us-west-2:123456789012:secret:tap-dev-db-app-credentials-AbCdEf",
    reconcileFunctionName: "tap-dev-failover-reconcile-fn-1a2b3c",
    globalWriterEndpoint: "tap-global-dev.global-abc.global.rds.amazonaws.com",
    ledgerTlsServerNames: [
      "tap-primary-dev.cluster-abc.us-east-1.rds.amazonaws.com",
      "tap-secondary-dev.cluster-abc.us-west-2.rds.amazonaws.com",
    ],
  };
  function cli(
    argv: string[],
    opts: { env?: NodeJS.ProcessEnv; outputs?: unknown; stores?: CliDeps["stores"] } = {},
  ) {
    const out: string[] = [];
    const err: string[] = [];
    const read: string[] = [];
    const code = main(argv, {
      env: opts.env ?? {},
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      readFile: (p) => {
        read.push(p);
        if (opts.outputs === undefined) throw new Error(`ENOENT: no such file, open '${p}'`);
        return JSON.stringify(opts.outputs);
      },
      stores:
        opts.stores ?? (() => ({ db: { query: stores.db.query.bind(stores.db) }, ddb: stores.dynamo.doc })),
    });
    return { code, out, err, read };
  }

  it("O3: --help explains what it does, where it must run and the deployed function instead; exit 0", async () => {
    const r = cli(["--help"]);
    expect(await r.code).toBe(0);
    expect(r.out.join("\n")).toBe(HELP);
    expect(HELP).toMatch(/--outputs .*default \$TAP_OUTPUTS_FILE or \.\/outputs\.json/);
    expect(HELP).toMatch(/only from inside that VPC/);
    expect(HELP).toMatch(/reconcileFunctionName output/);
  });

  it("O3: table, Region and the ledger secret come from outputs.json; flags override; the runbook's plain command works", async () => {
    const seen: Target[] = [];
    const outputs = { ...OUTPUTS_FILE, dynamoTableName: stores.table };
    const since = new Date(Date.now() - 1_000).toISOString();
    const r = cli(["--since", since, "--dry-run"], {
      outputs,
      env: { AWS_REGION: "eu-west-1" },
      stores: (t) => {
        seen.push(t);
        return { db: { query: stores.db.query.bind(stores.db) }, ddb: stores.dynamo.doc };
      },
    });
    expect([0, 1]).toContain(await r.code);
    expect(r.read).toEqual(["outputs.json"]);
    expect(seen[0]).toMatchObject({
      table: stores.table,
      region: NEW_WRITER,
      functionName: OUTPUTS_FILE.reconcileFunctionName,
    });
    // The ledger connection the reconcile function uses (lib/failover/reconcile-function.ts).
    expect({
      secret: seen[0].dbEnv.DB_SECRET_ARN,
      host: seen[0].dbEnv.DB_HOST,
      names: seen[0].dbEnv.DB_TLS_SERVER_NAMES,
    }).toEqual({
      secret: OUTPUTS_FILE.ledgerSecretArn,
      host: OUTPUTS_FILE.globalWriterEndpoint,
      names: OUTPUTS_FILE.ledgerTlsServerNames.join(","),
    });
    expect(JSON.parse(r.out.join("\n"))).toMatchObject({ dryRun: true });
    // Flags win over the file; the caller's own DATABASE_URL wins over the secret.
    seen.length = 0;
    await cli(["--since", since, "--dry-run", "--table", "other", "--region", "eu-central-1"], {
      outputs,
      env: { DATABASE_URL: "postgres://x@127.0.0.1/db" },
      stores: (t) => {
        seen.push(t);
        return { db: { query: async () => ({ rows: [] }) } as never, ddb: stores.dynamo.doc };
      },
    }).code;
    expect(seen[0]).toMatchObject({ table: "other", region: "eu-central-1" });
    expect([seen[0].dbEnv.DB_SECRET_ARN, seen[0].dbEnv.DB_HOST]).toEqual([undefined, undefined]);
  });

  it("O3: an unreachable writer says so and prints the deployed function's invoke, whose payload the function accepts", async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    await putOrderState(stores.dynamo.doc, stores.table, rowOf(anOrder()), new Date());
    // A real PostgreSQL client against a port nothing listens on: what a workstation outside the VPC gets.
    const refused = new Database(
      dbSettingsFromEnv({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/postgres" }),
      { logger: recordingLogger().logger },
    );
    const r = cli(["--since", since], {
      outputs: { ...OUTPUTS_FILE, dynamoTableName: stores.table },
      stores: () => ({ db: refused, ddb: stores.dynamo.doc }),
    });
    expect(await r.code).toBe(1);
    const text = r.err.join("\n");
    expect(text).toMatch(/works only from inside that VPC/);
    expect(text).toMatch(/the ledger writer is not reachable from here; run the deployed function instead:/);
    const invoke = text
      .split("\n")
      .filter((l) => l.includes("aws lambda invoke"))
      .at(-1)!;
    expect(invoke).toContain(`--region ${NEW_WRITER} --function-name ${OUTPUTS_FILE.reconcileFunctionName}`);
    const payload = /--payload '([^']+)'/.exec(invoke)![1];
    expect(parseReconcileEvent(JSON.parse(payload))).toEqual({ sinceIso: since, dryRun: false });
    expect(Number(/--cli-read-timeout (\d+)/.exec(invoke)![1])).toBeGreaterThan(RECONCILE_TIMEOUT_SECONDS);
  });

  it("O3: a named outputs file that is missing or malformed is a usage error naming it; no file and no flags says what to give", async () => {
    let r = cli(["--since", "2025-01-01T00:00:00Z", "--outputs", "stack.json"]);
    expect(await r.code).toBe(2);
    expect(r.err[0]).toMatch(/cannot read stack\.json/);
    r = cli(["--since", "2025-01-01T00:00:00Z"], {
      outputs: { ...OUTPUTS_FILE, dynamoTableName: "tap-dev-orders", secondaryRegion: "west" },
    });
    expect(await r.code).toBe(2);
    expect(r.err[0]).toMatch(/outputs\.json: secondaryRegion: expected an AWS region/);
    r = cli(["--since", "2025-01-01T00:00:00Z"]);
    expect(await r.code).toBe(2);
    expect(r.err[0]).toMatch(/give --outputs .* or --table and --region/);
  });

  it("O3: the function's event parser is strict: dry_run is refused, dryRun defaults to a real run", async () => {
    // The deployed handler refuses it before touching a store (it used to ignore it: a real run).
    await expect(handler({ sinceIso: "2025-01-01T00:00:00Z", dry_run: true })).rejects.toThrow(
      /dry_run: unknown field/,
    );
    expect(parseReconcileEvent({ sinceIso: "2025-01-01T00:00:00Z" })).toEqual({
      sinceIso: "2025-01-01T00:00:00Z",
      dryRun: false,
    });
    expect(() => parseReconcileEvent({ sinceIso: "2025-01-01T00:00:00Z", dry_run: true })).toThrow(
      /dry_run: unknown field \(allowed: sinceIso, dryRun\)/,
    );
    expect(() => parseReconcileEvent({ sinceIso: "soon", dryRun: "yes" })).toThrow(
      /sinceIso: expected an ISO-8601 date-time string; dryRun: expected true or false/,
    );
  });
});
