/**
 * S1: the order authorizer with real tokens signed in the test, verified against a JWKS served over HTTP
 * on 127.0.0.1 (the same fetch path as in AWS), and a JWKS that is down or hangs.
 */
import type { APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import {
  ACCOUNTS_CONTEXT_KEY,
  AUTHORIZER_ENV,
  MAX_TOKEN_AGE_SECONDS,
} from "../../../lambda/order-authorizer/contract";
import { createTokenAuthorizer } from "../../../lambda/order-authorizer/handler";
import { accountsOf, createVerifier, type VerifierSettings } from "../../../lambda/order-authorizer/verify";
import type { Log } from "../../../lambda/shared/log";

const ISSUER = "https://idp.example.test/";
const AUDIENCE = "tap-orders";
const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/POST/orders";

interface Jwks {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** Serves `{ keys }` on 127.0.0.1; `hang` never answers (a JWKS endpoint that is down but accepts TCP). */
async function serveJwks(keys: JWK[], mode: "ok" | "hang" = "ok"): Promise<Jwks> {
  const state = { requests: 0 };
  const server: Server = createServer((_req, res) => {
    state.requests += 1;
    if (mode === "hang") return;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const silent: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let signing: { privateKey: CryptoKey; publicKey: CryptoKey };
let stranger: { privateKey: CryptoKey; publicKey: CryptoKey };
let publicJwk: JWK;
let jwks: Jwks;

beforeAll(async () => {
  signing = await generateKeyPair("RS256");
  stranger = await generateKeyPair("RS256");
  publicJwk = { ...(await exportJWK(signing.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  jwks = await serveJwks([publicJwk]);
});
afterAll(() => jwks.close());

const settings = (over: Partial<VerifierSettings> = {}): VerifierSettings => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  jwksUrl: jwks.url,
  accountsClaim: "accounts",
  jwksTimeoutMs: 500,
  maxTokenAgeSeconds: MAX_TOKEN_AGE_SECONDS.default,
  ...over,
});

interface TokenOpts {
  kid?: string;
  key?: CryptoKey;
  aud?: string;
  iss?: string;
  exp?: number | string;
  nbf?: number | string;
  /** Issued-at, epoch seconds; null leaves the claim out. Default: now. */
  iat?: number | null;
  claims?: Record<string, unknown>;
}

async function token(o: TokenOpts = {}): Promise<string> {
  const jwt = new SignJWT({ accounts: ["ACC-1", "ACC-2"], ...o.claims })
    .setProtectedHeader({ alg: "RS256", kid: o.kid ?? "k1" })
    .setSubject("trader-7")
    .setIssuer(o.iss ?? ISSUER)
    .setAudience(o.aud ?? AUDIENCE)
    .setExpirationTime(o.exp ?? "5m");
  if (o.iat !== null) jwt.setIssuedAt(o.iat);
  if (o.nbf !== undefined) jwt.setNotBefore(o.nbf);
  return jwt.sign(o.key ?? signing.privateKey);
}

/** An unsecured JWT (`alg: none`), built by hand because no library will sign one. */
function unsecured(): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: "none", kid: "k1" })}.${b64({
    sub: "trader-7",
    iss: ISSUER,
    aud: AUDIENCE,
    exp: now + 300,
    accounts: ["ACC-1"],
  })}.`;
}

const event = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
  type: "TOKEN",
  methodArn: METHOD_ARN,
  authorizationToken,
});

describe("order authorizer (S1)", () => {
  it("S1: a good token is allowed on the called method, with its accounts in the context", async () => {
    const authorize = createTokenAuthorizer(createVerifier(settings()), silent);
    await expect(authorize(event(`Bearer ${await token()}`))).resolves.toEqual({
      principalId: "trader-7",
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: METHOD_ARN }],
      },
      context: { [ACCOUNTS_CONTEXT_KEY]: "ACC-1,ACC-2" },
    });
  });

  const refused: [string, () => Promise<string>][] = [
    ["expired", () => token({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ["not yet valid", () => token({ nbf: Math.floor(Date.now() / 1000) + 600 })],
    ["for another audience", () => token({ aud: "someone-else" })],
    ["from another issuer", () => token({ iss: "https://evil.example.test/" })],
    ["signed by a key not in the JWKS (same kid)", () => token({ key: stranger.privateKey })],
    ["with an unknown kid", () => token({ kid: "k-unknown" })],
    ["unsecured (alg none)", async () => unsecured()],
    ["not a JWT at all", async () => "not-a-token"],
  ];
  it.each(refused)("S1: a token %s gets 401 (Unauthorized)", async (_label, make) => {
    const authorize = createTokenAuthorizer(createVerifier(settings()), silent);
    await expect(authorize(event(`Bearer ${await make()}`))).rejects.toThrow(/^Unauthorized$/);
  });

  it("S1: no bearer scheme, or an empty header, gets 401", async () => {
    const authorize = createTokenAuthorizer(createVerifier(settings()), silent);
    await expect(authorize(event(await token()))).rejects.toThrow("Unauthorized");
    await expect(authorize(event(""))).rejects.toThrow("Unauthorized");
  });

  it("S1: a valid token that grants no account is denied (403), not allowed", async () => {
    const authorize = createTokenAuthorizer(createVerifier(settings()), silent);
    for (const accounts of [[], "", ["ok", "bad,comma"], 42]) {
      const result = await authorize(event(`Bearer ${await token({ claims: { accounts } })}`));
      expect(result.policyDocument.Statement).toEqual([
        { Action: "execute-api:Invoke", Effect: "Deny", Resource: METHOD_ARN },
      ]);
      expect(result.context).toEqual({});
    }
  });

  it("S1: fails closed when the JWKS is unreachable (connection refused)", async () => {
    const down = await serveJwks([publicJwk]);
    const url = down.url;
    await down.close();
    const authorize = createTokenAuthorizer(createVerifier(settings({ jwksUrl: url })), silent);
    await expect(authorize(event(`Bearer ${await token()}`))).rejects.toThrow("Unauthorized");
  });

  it("S1: fails closed when the JWKS hangs, within the fetch timeout", async () => {
    const hung = await serveJwks([publicJwk], "hang");
    try {
      const authorize = createTokenAuthorizer(
        createVerifier(settings({ jwksUrl: hung.url, jwksTimeoutMs: 200 })),
        silent,
      );
      const started = Date.now();
      await expect(authorize(event(`Bearer ${await token()}`))).rejects.toThrow("Unauthorized");
      expect(Date.now() - started).toBeLessThan(2000);
      expect(hung.requests).toBe(1);
    } finally {
      await hung.close();
    }
  });

  it("S1: fetched keys are cached: many verifications, one JWKS request", async () => {
    const own = await serveJwks([publicJwk]);
    try {
      const authorize = createTokenAuthorizer(createVerifier(settings({ jwksUrl: own.url })), silent);
      for (let i = 0; i < 5; i += 1) {
        await expect(authorize(event(`Bearer ${await token()}`))).resolves.toMatchObject({
          principalId: "trader-7",
        });
      }
      expect(own.requests).toBe(1);
    } finally {
      await own.close();
    }
  });

  it("S1: the accounts claim may be a space-separated string; duplicates collapse", () => {
    expect(accountsOf("A B  A")).toEqual(["A", "B"]);
    expect(accountsOf(["A", "A"])).toEqual(["A"]);
    expect(accountsOf(["A", 1])).toBeUndefined();
    expect(accountsOf(undefined)).toBeUndefined();
  });
});

const now = () => Math.floor(Date.now() / 1000);
const YEAR = 365 * 24 * 3600;

describe("token age (S4)", () => {
  const aged: [string, TokenOpts][] = [
    ["issued a year in the future (and expiring after that)", { iat: now() + YEAR, exp: now() + YEAR + 300 }],
    ["issued two minutes in the future, beyond the 30 s clock tolerance", { iat: now() + 120 }],
    ["issued longer ago than maxTokenAge, though not expired", { iat: now() - 3700, exp: now() + YEAR }],
    ["without iat", { iat: null }],
  ];
  it.each(aged)("S4: a token %s gets 401 (Unauthorized)", async (_label, opts) => {
    const authorize = createTokenAuthorizer(createVerifier(settings()), silent);
    await expect(authorize(event(`Bearer ${await token(opts)}`))).rejects.toThrow(/^Unauthorized$/);
  });

  it("S4: a token just inside maxTokenAge is allowed; the limit comes from the settings", async () => {
    const young = await token({ iat: now() - 500, exp: now() + 300 });
    const allowed = await createVerifier(settings({ maxTokenAgeSeconds: 600 }))(young);
    expect(allowed).toEqual({ id: "trader-7", accounts: ["ACC-1", "ACC-2"] });
    await expect(createVerifier(settings({ maxTokenAgeSeconds: 300 }))(young)).rejects.toThrow(
      /"iat" claim timestamp check failed \(too far in the past\)/,
    );
  });
});

// The deployed artifact (dist/lambda/order-authorizer, built by `npm test` before Jest), run in a fresh
// Node process configured from environment variables alone, as Lambda runs it.
const BUILT = join(__dirname, "../../../dist/lambda/order-authorizer/index.js");
const INVOKE = `
const { handler } = require(process.argv[1]);
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => handler(JSON.parse(input)).then(
  (r) => console.log("RESULT " + r.policyDocument.Statement[0].Effect),
  (e) => console.log("ERROR " + e.message)));
`;

function invokeBuilt(env: Record<string, string>, authorizationToken: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", INVOKE, BUILT], {
      env: { PATH: process.env.PATH, AWS_REGION: "us-east-1", ...env },
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(out.split("\n").find((l) => /^(RESULT|ERROR) /.test(l)) ?? out));
    child.stdin.end(JSON.stringify(event(authorizationToken)));
  });
}

describe("the built authorizer bounds token age (S4)", () => {
  const env = () => ({
    [AUTHORIZER_ENV.issuer]: ISSUER,
    [AUTHORIZER_ENV.audience]: AUDIENCE,
    [AUTHORIZER_ENV.jwksUrl]: jwks.url,
    [AUTHORIZER_ENV.accountsClaim]: "accounts",
    [AUTHORIZER_ENV.maxTokenAgeSeconds]: "600",
  });

  it("S4: the bundle allows a fresh token and refuses one issued a year ahead or older than its limit", async () => {
    const results = [];
    for (const opts of [
      {},
      { iat: now() + YEAR, exp: now() + YEAR + 300 },
      { iat: now() - 900, exp: now() + 300 },
    ] as TokenOpts[]) {
      results.push(await invokeBuilt(env(), `Bearer ${await token(opts)}`));
    }
    expect(results).toEqual(["RESULT Allow", "ERROR Unauthorized", "ERROR Unauthorized"]);
  });
});
