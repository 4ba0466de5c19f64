/**
 * TLS test fixtures: a locally made CA (openssl), server certificates it signs for chosen names, and a
 * TLS-terminating proxy that speaks PostgreSQL's SSLRequest handshake in front of a real server.
 * https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-FLOW-SSL
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TLSSocket } from "node:tls";

export interface Pki {
  /** A CA certificate (PEM) and a function that issues server certificates under it. */
  readonly caPem: string;
  issue(dnsName: string): { key: string; cert: string };
  dispose(): void;
}

const openssl = (dir: string, ...args: string[]): void => {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
};

export function makeCa(name: string): Pki {
  const dir = mkdtempSync(join(tmpdir(), "tap-pki-"));
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    dir,
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
  );
  let serial = 0;
  return {
    caPem: readFileSync(join(dir, "ca.pem"), "utf8"),
    issue(dnsName) {
      serial += 1;
      const base = `server${serial}`;
      writeFileSync(join(dir, `${base}.ext`), `subjectAltName=DNS:${dnsName}\n`);
      openssl(dir, "req", ...ec, "-keyout", `${base}.key`, "-out", `${base}.csr`, "-subj", `/CN=${dnsName}`);
      openssl(
        dir,
        "x509",
        "-req",
        "-in",
        `${base}.csr`,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        String(serial),
        "-out",
        `${base}.pem`,
        "-days",
        "2",
        "-extfile",
        `${base}.ext`,
      );
      return {
        key: readFileSync(join(dir, `${base}.key`), "utf8"),
        cert: readFileSync(join(dir, `${base}.pem`), "utf8"),
      };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Accepts PostgreSQL's SSLRequest, presents `cert`, then forwards the decrypted stream to the real server. */
export async function startTlsProxy(
  target: { host: string; port: number },
  cert: { key: string; cert: string },
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.once("data", (first) => {
      const isSslRequest = first.length === 8 && first.readInt32BE(4) === 80877103;
      if (!isSslRequest) {
        client.destroy();
        return;
      }
      client.write("S");
      const secure = new TLSSocket(client, { isServer: true, key: cert.key, cert: cert.cert });
      const upstream = connect(target.port, target.host);
      sockets.add(upstream);
      secure.pipe(upstream).pipe(secure);
      const end = () => {
        secure.destroy();
        upstream.destroy();
      };
      secure.on("error", end);
      upstream.on("error", end);
    });
    client.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
