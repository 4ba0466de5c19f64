/**
 * An Aurora PostgreSQL global database made of two real PostgreSQL servers (a writer and a physical
 * streaming standby) and the RDS control plane that the failover orchestrator calls, per Region.
 *
 * Modelling, and the AWS behaviour each part stands in for:
 * - Storage-level replication to the secondary cluster: streaming replication through a link that can
 *   be cut (a cut opens an RPO window: the standby keeps what it already received, nothing more).
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 * - The global writer endpoint: one TCP endpoint per Region, forwarding to the current writer. Without
 *   a cross-Region network path (the infra today: no peering, security groups limited to the VPC's own
 *   CIDR) the endpoint only reaches a writer in the same Region; `crossRegionPath` opens it.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html
 * - SwitchoverGlobalCluster: needs both Regions; the writer stops taking writes, the secondary catches up
 *   with everything, is promoted, the writer endpoint follows it, and the old writer becomes a secondary.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * - FailoverGlobalCluster AllowDataLoss=true: promotes the target with what it has; the old writer is
 *   fenced (read-only: it never takes another write) and needs a rebuild to rejoin as a secondary.
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html
 * - DescribeGlobalClusters shows Status switching-over/failing-over and a FailoverState while an
 *   operation runs. https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 * - A promotion takes time (`promotionMs`, gameday/realism.ts): the operation stays in progress and no
 *   member takes writes until it ends; the old writer is already stopped (switchover) or lost (failover).
 *   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * - A Region that is down refuses every call made through its endpoints.
 * - A Region that is isolated (X3: alive, its own processor and clients still reach its servers, nothing
 *   outside reaches it) keeps its writer endpoint as it was: cached DNS and pooled connections keep
 *   reaching the old writer after a failover. Aurora fences an old writer only once it can reach it, so
 *   an isolated old writer keeps taking writes until the isolation ends; then it is fenced before
 *   anything else happens. (A Region that is down is still fenced at once: it takes no write from
 *   anyone while down.)
 *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 *   Aurora's DNS records have a 5 s TTL and many clients cache them for longer:
 *   https://repost.aws/knowledge-center/aurora-mysql-redirected-endpoint-writer
 */
import { join } from "node:path";
import { awsError, regionUnreachable } from "./fake-client";
import { freePort, PgServer, type PgTemplate } from "./postgres-server";
import { ACCOUNT } from "./sqs";
import { TcpEndpoint } from "./tcp-endpoint";

export const GLOBAL_CLUSTER_ID = "tap-global";

/** PostgreSQL's "cannot execute ... in a read-only transaction". */
const READ_ONLY_SQL_TRANSACTION = "25006";

const sleepUntil = (at: number): Promise<void> =>
  new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

export interface Member {
  readonly region: string;
  readonly arn: string;
  server: PgServer;
  /** Replication link this member's standby connects through (targets the writer). */
  readonly link: TcpEndpoint;
  role: "writer" | "secondary" | "fenced";
}

type Operation = { kind: "switchover" | "failover"; from: Member; to: Member };

export class AuroraGlobal {
  readonly members: Member[];
  /** Global writer endpoint as reachable from each Region. */
  readonly writerEndpoint = new Map<string, TcpEndpoint>();
  status = "available";
  private operation?: Operation;
  /** FailoverGlobalCluster/SwitchoverGlobalCluster calls that started a promotion. */
  promotions = 0;
  /** Promotion completions: [time, new writer Region]. */
  readonly promotedAt: { at: number; region: string }[] = [];
  /** X3: Regions cut off from everything outside them (alive inside). */
  private readonly isolated = new Set<string>();
  /** Old writers a failover could not reach yet, with the time of the promotion that demoted them. */
  private readonly unfenced = new Map<Member, number>();
  /** X3: orders booked on an old writer after the promotion that demoted it, counted when it is fenced. */
  private bookedAfterDemotion = 0;
  /** How long a promotion takes, from the API call to the new writer taking writes (a scenario may lengthen it). */
  promotionMs = 0;

  private constructor(
    members: Member[],
    private readonly template: PgTemplate,
    private readonly root: string,
    private readonly regionUp: (r: string) => boolean,
    readonly crossRegionPath: boolean,
  ) {
    this.members = members;
  }

  static async start(opts: {
    readonly regions: readonly [string, string];
    readonly template: PgTemplate;
    readonly root: string;
    readonly regionUp: (r: string) => boolean;
    readonly crossRegionPath: boolean;
    readonly promotionMs?: number;
  }): Promise<AuroraGlobal> {
    const [primary, secondary] = opts.regions;
    const names = { [primary]: "tap-primary", [secondary]: "tap-secondary" };
    const members: Member[] = [];
    for (const region of opts.regions) {
      const server = new PgServer(join(opts.root, `${names[region]}-0`), await freePort());
      opts.template.copyTo(server.dataDir);
      members.push({
        region,
        arn: `arn:aws:rds:${region}:${ACCOUNT}:cluster:${names[region]}`,
        server,
        link: await TcpEndpoint.listen(),
        role: region === primary ? "writer" : "secondary",
      });
    }
    const g = new AuroraGlobal(members, opts.template, opts.root, opts.regionUp, opts.crossRegionPath);
    g.promotionMs = opts.promotionMs ?? 0;
    const [w, s] = members;
    s.link.pointAt(w.server.port);
    s.server.makeStandby(s.link.port);
    await Promise.all([w.server.start(), s.server.start()]);
    for (const region of opts.regions) g.writerEndpoint.set(region, await TcpEndpoint.listen());
    g.route();
    return g;
  }

  writer(): Member {
    const w = this.members.find((m) => m.role === "writer");
    if (!w) throw new Error("no writer");
    return w;
  }

  member(region: string): Member {
    const m = this.members.find((x) => x.region === region);
    if (!m) throw new Error(`no cluster in ${region}`);
    return m;
  }

  /** Points every Region's writer endpoint at the writer it can reach (or nowhere). */
  route(): void {
    const w = this.members.find((m) => m.role === "writer");
    for (const [region, ep] of this.writerEndpoint) {
      if (this.isolated.has(region)) continue; // cached DNS, pooled connections: as they were
      const reachable =
        w &&
        w.server.running &&
        this.regionUp(w.region) &&
        this.regionUp(region) &&
        (this.crossRegionPath || w.region === region);
      const target = reachable ? w.server.port : undefined;
      if (ep.pointsTo !== target) ep.pointAt(target);
    }
  }

  /** Cuts (or restores) replication into every secondary. */
  setReplication(up: boolean): void {
    const w = this.writer();
    for (const m of this.members) if (m.role === "secondary") m.link.pointAt(up ? w.server.port : undefined);
  }

  /** The writer's instance fails: a clean stop (everything it wrote reaches the secondary), no endpoint. */
  async failWriter(): Promise<void> {
    await this.writer().server.stop();
    this.route();
  }

  /** A stale primary's server comes back (in its Region); fenced members come back read-only. */
  async restart(region: string): Promise<void> {
    await this.member(region).server.start();
  }

  /** Bytes of WAL the secondary has not replayed yet (0 = caught up). */
  async replicationLagBytes(): Promise<number> {
    const s = this.members.find((m) => m.role === "secondary");
    if (!s) return 0;
    const [{ lsn }] = await this.writer().server.sql<{ lsn: string }>(
      "SELECT pg_current_wal_lsn()::text AS lsn",
    );
    const [{ lag }] = await s.server.sql<{ lag: string }>(
      `SELECT pg_wal_lsn_diff('${lsn}', pg_last_wal_replay_lsn())::bigint::text AS lag`,
    );
    return Math.max(0, Number(lag));
  }

  /** The RDS API as answered in `region`. */
  async handle(region: string, command: string, input: Record<string, unknown>): Promise<object> {
    if (!this.regionUp(region)) throw regionUnreachable(region, "rds");
    switch (command) {
      case "DescribeGlobalClusters":
        return { GlobalClusters: [this.snapshot()] };
      case "DescribeDBClusters":
        return this.describeCluster(region, String(input.DBClusterIdentifier));
      case "SwitchoverGlobalCluster":
        return this.begin("switchover", input.TargetDbClusterIdentifier);
      case "FailoverGlobalCluster":
        return this.begin(
          input.AllowDataLoss === true ? "failover" : "switchover",
          input.TargetDbClusterIdentifier,
        );
      default:
        throw awsError("InvalidAction", `the game day's RDS does not answer ${command}`);
    }
  }

  snapshot(): object {
    return {
      GlobalClusterIdentifier: GLOBAL_CLUSTER_ID,
      Status: this.status,
      Engine: "aurora-postgresql",
      Endpoint: `${GLOBAL_CLUSTER_ID}.global-gameday.global.rds.amazonaws.com`,
      GlobalClusterMembers: this.members
        .filter((m) => m.role !== "fenced")
        .map((m) => ({
          DBClusterArn: m.arn,
          IsWriter: m.role === "writer",
          // The API documents only the values (connected, pending-resync). Modelled: a member reads
          // "connected" while it is a member, also when the link to an unreachable writer is down; a
          // fenced old writer is not listed until it is rebuilt. A cut link therefore does not make the
          // orchestrator refuse the data-losing failover it exists for.
          // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html
          SynchronizationStatus: "connected",
        })),
      FailoverState: this.operation
        ? {
            Status: this.operation.kind === "switchover" ? "switching-over" : "failing-over",
            FromDbClusterArn: this.operation.from.arn,
            ToDbClusterArn: this.operation.to.arn,
            IsDataLossAllowed: this.operation.kind === "failover",
          }
        : undefined,
    };
  }

  private describeCluster(region: string, id: string): object {
    const m = this.members.find((x) => x.arn === id && x.region === region);
    if (!m) throw awsError("DBClusterNotFoundFault", `DBCluster ${id} not found in ${region}`, 404);
    return {
      DBClusters: [
        {
          DBClusterArn: m.arn,
          Status: m.server.running ? "available" : "inaccessible-encryption-credentials-recoverable",
          DBClusterMembers: [
            { DBInstanceIdentifier: `${m.arn.split(":").pop()}-1`, IsClusterWriter: m.role === "writer" },
          ],
        },
      ],
    };
  }

  private begin(kind: Operation["kind"], targetArn: unknown): object {
    if (this.operation || this.status !== "available") {
      throw awsError("InvalidGlobalClusterStateFault", "a switchover or failover is already in progress");
    }
    const to = this.members.find((m) => m.arn === targetArn && m.role === "secondary");
    if (!to)
      throw awsError(
        "InvalidParameterValue",
        `${String(targetArn)} is not a secondary of ${GLOBAL_CLUSTER_ID}`,
      );
    const from = this.writer();
    if (
      kind === "switchover" &&
      !(this.regionUp(from.region) && this.regionUp(to.region) && from.server.running)
    ) {
      throw awsError(
        "InvalidGlobalClusterStateFault",
        "a switchover needs the primary and the target available",
      );
    }
    this.operation = { kind, from, to };
    this.status = kind === "switchover" ? "switching-over" : "failing-over";
    this.promotions += 1;
    const snapshot = this.snapshot();
    const until = Date.now() + this.promotionMs;
    void (kind === "switchover" ? this.switchover(from, to, until) : this.failover(from, to, until))
      .catch((err: unknown) => console.error(`game day: ${kind} failed: ${String(err)}`))
      .finally(() => {
        this.operation = undefined;
        this.status = "available";
      });
    return { GlobalCluster: snapshot };
  }

  private async switchover(from: Member, to: Member, until: number): Promise<void> {
    // The writer stops; a clean shutdown streams its last WAL (and shutdown checkpoint) to the standby.
    await from.server.stop();
    await this.waitReplayed(to, 10_000);
    await sleepUntil(until);
    await to.server.sql("SELECT pg_promote(true, 30)");
    from.role = "secondary";
    to.role = "writer";
    this.promotedAt.push({ at: Date.now(), region: to.region });
    this.route();
    // The old writer rejoins as a secondary of the new one (it follows the new timeline).
    from.link.pointAt(to.server.port);
    from.server.makeStandby(from.link.port);
    await from.server.start();
  }

  private async failover(from: Member, to: Member, until: number): Promise<void> {
    to.link.pointAt(undefined); // whatever has not arrived by now is lost
    await sleepUntil(until);
    await to.server.sql("SELECT pg_promote(true, 30)");
    from.role = "fenced";
    to.role = "writer";
    this.promotedAt.push({ at: Date.now(), region: to.region });
    this.route();
    if (this.isolated.has(from.region)) this.unfenced.set(from, Date.now());
    else await this.fence(from);
  }

  /** X3: cuts `region` off from everything outside it, or ends that; an old writer is fenced on healing. */
  async setIsolated(region: string, isolated: boolean): Promise<void> {
    if (isolated) {
      this.isolated.add(region);
      return;
    }
    this.isolated.delete(region);
    for (const [m, demotedAt] of this.unfenced) {
      if (m.region !== region) continue;
      this.unfenced.delete(m);
      this.bookedAfterDemotion += await this.bookedSince(m, demotedAt);
      await this.fence(m);
    }
    this.route();
  }

  isIsolated(region: string): boolean {
    return this.isolated.has(region);
  }

  /**
   * X3: orders booked on an old writer after the promotion that demoted it (read from its own ledger,
   * directly): those already counted when it was fenced, plus those of old writers still unreachable.
   */
  async bookedOnOldWriter(): Promise<number> {
    let n = this.bookedAfterDemotion;
    for (const [m, demotedAt] of this.unfenced) n += await this.bookedSince(m, demotedAt);
    return n;
  }

  private async bookedSince(m: Member, at: number): Promise<number> {
    if (!m.server.running) return 0;
    const [row] = await m.server.sql<{ n: string }>(
      "SELECT count(*)::text AS n FROM orders WHERE received_at >= to_timestamp($1 / 1000.0)",
      undefined,
      [at],
    );
    return Number(row.n);
  }

  /**
   * Read-only from now on. A running server is switched at once (the control plane reaches its own
   * servers even when the Region's network is gone); a stopped one comes back read-only, as an old
   * primary that recovers after a failover does not take writes.
   */
  private async fence(m: Member): Promise<void> {
    if (!m.server.running) {
      m.server.readOnlyAtStart();
      return;
    }
    await m.server.sql("ALTER SYSTEM SET default_transaction_read_only = on", "postgres");
    await m.server.sql("SELECT pg_reload_conf()", "postgres");
    await m.server.sql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
      "postgres",
    );
  }

  private async waitReplayed(m: Member, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = "";
    let stableSince = Date.now();
    while (Date.now() < until) {
      const [r] = await m.server.sql<{ rcv: string | null; rep: string | null }>(
        "SELECT pg_last_wal_receive_lsn()::text AS rcv, pg_last_wal_replay_lsn()::text AS rep",
      );
      const now = `${r.rcv}/${r.rep}`;
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      } else if (r.rcv === r.rep && Date.now() - stableSince >= 300) {
        return;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`standby in ${m.region} did not catch up in ${timeoutMs} ms`);
  }

  /**
   * Can the member's server still take a write? Probed directly (not through any endpoint), inside a
   * transaction that is rolled back, with a row the ledger's constraints accept. Only PostgreSQL's
   * read-only refusal (SQLSTATE 25006) means fenced; any other error is thrown, so a probe the schema
   * refuses can never pass for a fenced writer. A stopped server takes none.
   */
  async acceptsWrites(m: Member): Promise<boolean> {
    if (!m.server.running) return false;
    try {
      await m.server.sql(
        `BEGIN; INSERT INTO orders (order_id, account, symbol, side, quantity, order_type, client_ts, content_hash) VALUES ('gd-fence-probe', 'probe', 'PROBE', 'BUY', 1, 'MARKET', now(), '${"0".repeat(64)}'); ROLLBACK;`,
      );
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === READ_ONLY_SQL_TRANSACTION) return false;
      throw err;
    }
  }

  /**
   * The runbook's rebuild: the stale cluster is replaced by a new secondary in its Region, copied from
   * the writer. Aurora copies storage without stopping the writer; without pg_basebackup, the writer is
   * stopped for the copy (about a second here), which the order path sees as a short outage.
   */
  async rebuildSecondary(region: string): Promise<void> {
    const stale = this.member(region);
    if (stale.role !== "fenced") throw new Error(`${stale.arn} is ${stale.role}, not a stale primary`);
    await stale.server.stop();
    const w = this.writer();
    const fresh = new PgServer(
      join(this.root, `${stale.arn.split(":").pop()}-${Date.now()}`),
      await freePort(),
    );
    await w.server.stop();
    this.template.copyTo(fresh.dataDir, w.server.dataDir);
    await w.server.start();
    this.route();
    stale.server = fresh;
    stale.role = "secondary";
    stale.link.pointAt(w.server.port);
    fresh.makeStandby(stale.link.port);
    await fresh.start();
  }

  async stop(): Promise<void> {
    for (const ep of this.writerEndpoint.values()) await ep.close();
    for (const m of this.members) {
      await m.link.close();
      await m.server.stop();
    }
  }
}
