/**
 * The AWS endpoints a Lambda reaches over HTTP in one Region, for the processor's own SDK clients
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SQS point here): Secrets Manager
 * GetSecretValue (the database secret, as the infra stores it) and SQS's JSON protocol, answered by the
 * Region's SqsService. Both speak the AWS JSON protocol (X-Amz-Target). With `lambda`, also Lambda's
 * synchronous Invoke (REST: POST /2015-03-31/functions/{name}/invocations; a function error is a 200
 * with X-Amz-Function-Error, https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html): the
 * processor's lease reader (X3, AWS_ENDPOINT_URL_LAMBDA points here too). A Region that is down drops
 * the connection.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
/** An SQS API: one Region's SqsService, or a router over several (sqs-router.ts). */
export interface SqsApi {
  handle(command: string, input: Record<string, unknown>): Promise<object>;
}

export interface DbSecret {
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
}

export class RegionalHttp {
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(opts: {
    readonly secret: DbSecret;
    readonly sqs: SqsApi;
    /** Whether the Region answering this request is up; given the request, for a router over Regions. */
    readonly regionUp: (input: Record<string, unknown>) => boolean;
    /** Lambda Invoke of the named function in this Region: its result, or the error it threw. */
    readonly lambda?: (
      functionName: string,
    ) => Promise<{ readonly result?: unknown; readonly error?: Error }>;
  }): Promise<RegionalHttp> {
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? "");
        if (invoke && opts.lambda) {
          if (!opts.regionUp({})) {
            req.socket.destroy();
            return;
          }
          void opts.lambda(decodeURIComponent(invoke[1])).then(({ result, error }) => {
            const headers: Record<string, string> = { "content-type": "application/json" };
            if (error) headers["x-amz-function-error"] = "Unhandled";
            res.writeHead(200, headers);
            res.end(JSON.stringify(error ? { errorType: error.name, errorMessage: error.message } : result));
          });
          return;
        }
        const target = String(req.headers["x-amz-target"] ?? "");
        const input = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
        if (!opts.regionUp(input)) {
          req.socket.destroy();
          return;
        }
        const reply = (status: number, body: object, type: string) => {
          res.writeHead(status, { "content-type": type });
          res.end(JSON.stringify(body));
        };
        if (target === "secretsmanager.GetSecretValue") {
          reply(
            200,
            { ARN: input.SecretId, Name: "tap-db", SecretString: JSON.stringify(opts.secret) },
            "application/x-amz-json-1.1",
          );
          return;
        }
        if (target.startsWith("AmazonSQS.")) {
          opts.sqs
            .handle(target.slice("AmazonSQS.".length), input)
            .then((out) => reply(200, out, "application/x-amz-json-1.0"))
            .catch((err: Error) =>
              reply(
                400,
                { __type: `com.amazonaws.sqs#${err.name}`, message: err.message },
                "application/x-amz-json-1.0",
              ),
            );
          return;
        }
        reply(400, { __type: "UnknownOperationException", message: target }, "application/x-amz-json-1.1");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return new RegionalHttp(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
