/**
 * A local TCP endpoint that stands in for a network name (the global writer endpoint, a replication
 * link): it forwards to whatever target it currently has, can be re-pointed (a promotion moves the
 * global writer endpoint), and can refuse (a cut link, a region whose network is gone). Re-pointing or
 * refusing closes the connections already open, as a DNS change plus a dead peer would for a client
 * that reconnects.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";

export class TcpEndpoint {
  private target: number | undefined;
  private readonly open = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async listen(target?: number): Promise<TcpEndpoint> {
    const ref: { self?: TcpEndpoint } = {};
    const server = createServer((client) => ref.self?.accept(client));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const self = new TcpEndpoint(server, (server.address() as AddressInfo).port);
    self.target = target;
    ref.self = self;
    return self;
  }

  /** Port of the server this endpoint forwards to, or undefined when it refuses. */
  get pointsTo(): number | undefined {
    return this.target;
  }

  /** Forwards new connections to `port`, or refuses them when undefined; cuts open connections. */
  pointAt(port: number | undefined): void {
    this.target = port;
    this.cut();
  }

  private accept(client: Socket): void {
    client.on("error", () => undefined);
    const port = this.target;
    if (port === undefined) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: "127.0.0.1", port });
    upstream.on("error", () => client.destroy());
    this.open.add(client).add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      this.open.delete(client);
      this.open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close);
    upstream.on("close", close);
  }

  private cut(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  async close(): Promise<void> {
    this.target = undefined;
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
