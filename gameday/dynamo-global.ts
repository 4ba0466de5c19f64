/**
 * A DynamoDB global table across two Regions: one dynalite server per Region (each its own replica),
 * behind a small HTTP front per Region that the code under test uses as its DynamoDB endpoint and that
 * replicates every successful write to the other replica after a delay.
 * Modelling, from the DynamoDB global tables documentation (version 2019.11.21):
 * - every replica accepts writes; each item is replicated asynchronously to the other Regions, item by
 *   item; a conditional write is checked against the local replica only;
 * - concurrent writes to the same item in two Regions are reconciled by "last writer wins" on the write
 *   time, so one of them silently disappears (counted here as a conflict when the contents differ);
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
 * - writes accepted by a Region that then goes down replicate when it comes back (held, not dropped).
 * - replication latency varies (ReplicationLatency per Region pair, higher when a Region is degraded): each
 *   item's delay is drawn from a range, so a later write can arrive before an earlier one (gameday/realism.ts)
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html
 * Not modelled: TTL, GSIs' own lag.
 * Beside it, the writer lease's witness (X3, lambda/shared/writer-lease.ts): ONE plain table in a third
 * Region, reached through every Region's front by its table name, strongly consistent, never replicated.
 * A partition between the two Regions does not reach it; a Region that is down does.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { createRequire } from "node:module";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ordersTableInput } from "./orders-table";
import { createWitness } from "./witness-table";
import type { RequestGate } from "./access";

type Dynalite = (options: { createTableMs?: number }) => Server;
const dynalite = createRequire(__filename)("dynalite") as Dynalite;

export const TABLE_NAME = "tap-orders";
/** The writer lease's witness table and the (third) Region it lives in. */
export const WITNESS_TABLE = "tap-writer-lease";
export const WITNESS_REGION = "us-east-2";
/** Replication delay of one item, drawn per item between min and max (ms). */
export interface DelayRange {
  readonly min: number;
  readonly max: number;
}
export const CREDENTIALS = { accessKeyId: "gameday", secretAccessKey: "gameday" };
type Item = Record<string, AttributeValue>;

interface Replica {
  readonly region: string;
  readonly server: Server;
  readonly front: Server;
  readonly backendPort: number;
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Last write time per key, for last-writer-wins. */
  readonly writtenAt: Map<string, number>;
}

interface Pending {
  readonly from: string;
  readonly to: string;
  readonly key: string;
  readonly item: Item;
  readonly writtenAt: number;
  readonly due: number;
}

/** The order's own fields: what a conflict is about (updatedAt and region differ per writer anyway). */
function content(item: Item | undefined): string {
  if (!item) return "";
  const own = Object.keys(item).filter((k) => k !== "updatedAt" && k !== "region");
  return JSON.stringify(own.sort().map((k) => [k, item[k]]));
}

export class GlobalTable {
  private readonly replicas = new Map<string, Replica>();
  private readonly gates: RequestGate[] = [];
  private pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private stopped = false;
  private witness?: { readonly server: Server; readonly port: number; readonly client: DynamoDBClient };
  /** Replicated writes that overwrote different contents (last writer wins). */
  conflicts = 0;
  readonly conflictIds: string[] = [];

  constructor(
    private readonly delay: DelayRange,
    private readonly regionUp: (region: string) => boolean,
    private readonly random: () => number = Math.random,
    /** Whether the Regions reach each other (X3: an isolated Region's writes are held, not dropped). */
    private readonly linked: () => boolean = () => true,
  ) {}

  static async start(
    regions: readonly string[],
    delay: DelayRange,
    regionUp: (r: string) => boolean,
    random: () => number = Math.random,
    linked?: () => boolean,
  ): Promise<GlobalTable> {
    if (!(delay.min >= 0 && delay.max >= delay.min))
      throw new Error(`replication delay range ${delay.min}..${delay.max} ms: need 0 <= min <= max`);
    const table = new GlobalTable(delay, regionUp, random, linked);
    try {
      for (const region of regions) await table.addReplica(region);
      await table.startWitness(regions[0]);
    } catch (err) {
      await table.stop(); // no server left listening: the process must be able to exit
      throw err;
    }
    table.timer = setInterval(
      () => {
        if (table.draining || table.stopped) return;
        // A replica that went down mid-copy: the item is retried with the next write of that key.
        table.draining = table
          .drain()
          .catch(() => undefined)
          .finally(() => (table.draining = undefined));
      },
      Math.max(20, Math.floor(delay.min / 4)),
    );
    return table;
  }

  private async addReplica(region: string): Promise<void> {
    const server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const backendPort = (server.address() as AddressInfo).port;
    const client = new DynamoDBClient({
      region,
      endpoint: `http://127.0.0.1:${backendPort}`,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    await client.send(new CreateTableCommand(ordersTableInput(TABLE_NAME)));
    const writtenAt = new Map<string, number>();
    const front = createServer((req, res) => this.forward(region, req, res));
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", () => resolve()));
    const endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    this.replicas.set(region, { region, server, front, backendPort, endpoint, client, writtenAt });
  }

  /** The witness table, its lease first held by `holder` (the infra's processing Region at deploy). */
  private async startWitness(holder: string): Promise<void> {
    const server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const client = new DynamoDBClient({
      region: WITNESS_REGION,
      endpoint: `http://127.0.0.1:${port}`,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    this.witness = { server, port, client };
    await createWitness(client, WITNESS_TABLE, holder);
  }

  /** The DynamoDB endpoint of a Region (AWS_ENDPOINT_URL_DYNAMODB). */
  endpoint(region: string): string {
    return this.replica(region).endpoint;
  }

  /**
   * The Region's endpoint as one caller reaches it: each request is checked by `gate` first (access.ts),
   * a denial answered with DynamoDB's AccessDeniedException (HTTP 400,
   * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html), no network path
   * left unanswered. The caller is told apart by a path prefix, which the SDK keeps in front of its
   * requests' path. Requests to the witness table are not gated here: the x3 branch wires the processor's
   * lease reads through their own function, with its own role and network.
   */
  endpointAs(region: string, gate: RequestGate): string {
    const id = `as-${this.gates.length}`;
    this.gates.push(gate);
    return `${this.replica(region).endpoint}/${id}`;
  }

  private replica(region: string): Replica {
    const r = this.replicas.get(region);
    if (!r) throw new Error(`no replica in ${region}`);
    return r;
  }

  private forward(region: string, req: IncomingMessage, res: ServerResponse): void {
    if (this.stopped || !this.regionUp(region)) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const toWitness = this.witness !== undefined && body.includes(`"TableName":"${WITNESS_TABLE}"`);
      const caller = /^\/as-(\d+)(\/.*)$/.exec(req.url ?? "");
      const gate = caller && !toWitness ? this.gates[Number(caller[1])] : undefined;
      const target = String(req.headers["x-amz-target"] ?? "");
      const checked = gate ? gate(target, JSON.parse(body.toString()) as Record<string, unknown>) : undefined;
      void Promise.resolve(checked).then(
        (verdict) => {
          if (verdict?.kind === "unreachable") return; // held until the client gives up or the world stops
          if (verdict?.kind === "denied") {
            res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
            res.end(
              JSON.stringify({
                __type: "com.amazonaws.dynamodb.v20120810#AccessDeniedException",
                message: verdict.reason,
              }),
            );
            return;
          }
          this.pass(region, req, res, body, toWitness, caller?.[2] ?? req.url);
        },
        () => req.socket.destroy(),
      );
    });
  }

  private pass(
    region: string,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    toWitness: boolean,
    path: string | undefined,
  ): void {
    const up = request(
      {
        host: "127.0.0.1",
        port: toWitness ? this.witness!.port : this.replica(region).backendPort,
        method: req.method,
        path,
        headers: req.headers,
      },
      (answer) => {
        const out: Buffer[] = [];
        answer.on("data", (c: Buffer) => out.push(c));
        answer.on("end", () => {
          if (answer.statusCode === 200 && !toWitness)
            this.written(region, String(req.headers["x-amz-target"] ?? ""), body);
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          res.end(Buffer.concat(out));
        });
      },
    );
    up.on("error", () => req.socket.destroy());
    up.end(body);
  }

  /** A local write succeeded: stamp it and queue its replication. */
  private written(region: string, target: string, body: Buffer): void {
    if (!target.endsWith(".PutItem")) return; // the order path only puts; other writes are not replicated
    const input = JSON.parse(body.toString()) as { Item: Item };
    const key = input.Item.orderId?.S;
    if (!key) return;
    const now = Date.now();
    this.replica(region).writtenAt.set(key, now);
    for (const to of this.replicas.keys()) {
      if (to === region) continue;
      this.pending.push({
        from: region,
        to,
        key,
        item: input.Item,
        writtenAt: now,
        due: now + this.delay.min + this.random() * (this.delay.max - this.delay.min),
      });
    }
  }

  private async drain(): Promise<void> {
    const now = Date.now();
    if (!this.linked()) return;
    const ready = this.pending.filter((p) => p.due <= now && this.regionUp(p.from) && this.regionUp(p.to));
    if (ready.length === 0) return;
    this.pending = this.pending.filter((p) => !ready.includes(p));
    for (const p of ready) await this.apply(p);
  }

  private async apply(p: Pending): Promise<void> {
    const dest = this.replica(p.to);
    const local = dest.writtenAt.get(p.key);
    if (local !== undefined && local > p.writtenAt) return; // the newer local write wins
    const existing = await this.item(p.to, p.key);
    if (existing && content(existing) !== content(p.item)) {
      this.conflicts += 1;
      this.conflictIds.push(p.key);
    }
    dest.writtenAt.set(p.key, p.writtenAt);
    await dest.client.send(new PutItemCommand({ TableName: TABLE_NAME, Item: p.item }));
  }

  /** One item of a Region's replica, read directly (strongly consistent). */
  async item(region: string, key: string): Promise<Item | undefined> {
    const out = await this.replica(region).client.send(
      new GetItemCommand({ TableName: TABLE_NAME, Key: { orderId: { S: key } }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /** Every orderId a Region's replica holds (read directly, for counting). */
  async orderIds(region: string): Promise<Set<string>> {
    const ids = new Set<string>();
    let start: Item | undefined;
    for (let page = 0; page < 1000; page++) {
      const out = await this.replica(region).client.send(
        new ScanCommand({ TableName: TABLE_NAME, ExclusiveStartKey: start, ProjectionExpression: "orderId" }),
      );
      for (const it of out.Items ?? []) if (it.orderId?.S) ids.add(it.orderId.S);
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return ids;
  }

  /** Waits until nothing replicable is pending (bounded). */
  async settle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (!this.pending.some((p) => this.regionUp(p.from) && this.regionUp(p.to))) {
        await this.draining; // items leave `pending` before their copy lands: wait for the copy too
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.draining; // dynalite throws (uncaught) on a write after its store is closed
    if (this.witness) {
      this.witness.client.destroy();
      await new Promise<void>((resolve) => this.witness!.server.close(() => resolve()));
    }
    for (const r of this.replicas.values()) {
      r.client.destroy();
      r.front.closeAllConnections();
      await new Promise<void>((resolve) => r.front.close(() => resolve()));
      await new Promise<void>((resolve) => r.server.close(() => resolve()));
    }
  }
}
