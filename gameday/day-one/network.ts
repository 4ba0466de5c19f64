/**
 * Network paths, as AWS gives them. A function in a VPC with no NAT route reaches an AWS service only
 * through an endpoint of that service in its VPC (a gateway endpoint, or an interface endpoint with
 * private DNS, which makes the SDK's default host resolve to it); any other call goes nowhere: the
 * connection is never answered and the SDK waits until its own timeout. A function outside a VPC
 * reaches every regional endpoint.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-endpoints.html
 */
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { bundleServices, SERVICE_ENDPOINT_ENV } from "../../tooling/aws/sdk-services";
import type { FunctionModel, ProgramModel } from "./model";

/** Accepts connections and never answers: what a packet with no route looks like to the SDK. */
export class BlackHole {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly sockets: Set<Socket>,
  ) {}

  static async open(): Promise<BlackHole> {
    const held = new Set<Socket>();
    const server = createServer((s) => {
      held.add(s);
      s.on("error", () => undefined);
      s.on("close", () => held.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new BlackHole(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, held);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Whether `fn` has a network path to `service` in its region. */
export function reaches(model: ProgramModel, fn: FunctionModel, service: string): boolean {
  if (!fn.vpcId) return true;
  const name = `com.amazonaws.${fn.region}.${service}`;
  return model.endpoints.some(
    (e) => e.vpcId === fn.vpcId && e.serviceName === name && (e.type === "Gateway" || e.privateDns),
  );
}

/** AWS_ENDPOINT_URL_* for every service the function's bundle calls: the world's API, or nowhere. */
export function endpointEnv(
  model: ProgramModel,
  fn: FunctionModel,
  api: string,
  nowhere: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const service of bundleServices(fn.bundleDir)) {
    const key = SERVICE_ENDPOINT_ENV[service];
    if (!key) throw new Error(`no endpoint variable known for ${service}`);
    env[key] = reaches(model, fn, service) ? api : nowhere;
  }
  return env;
}
