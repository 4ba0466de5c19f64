/**
 * One region's REST API as API Gateway runs it, built from the program's methods (model.ts): the
 * request meets, in order, the method's authorization, its request validator, then its integration.
 * Answers are API Gateway's own, status and body:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 *  - the stage's method throttling (burst and rate, a token bucket per stage) refuses what exceeds it
 *    with THROTTLED, 429 {"message":"Too Many Requests"}; usage-plan limits bind API keys only, and the
 *    program issues none
 *    (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html);
 *  - no such resource or method, or an unsigned request to an AWS_IAM method: 403
 *    {"message":"Missing Authentication Token"};
 *  - AWS_IAM: the caller must be allowed execute-api:Invoke on the method's ARN
 *    (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html);
 *    the signature itself is not checked here, only whose key signed;
 *  - CUSTOM (TOKEN): a missing header, or one that fails the identity validation expression, is 401
 *    {"message":"Unauthorized"} without invoking the authorizer; otherwise the authorizer function runs
 *    and its policy is cached per token for the authorizer's TTL
 *    (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-lambda-authorizer-output.html);
 *  - a body that fails the method's model (JSON Schema draft 4) is BAD_REQUEST_BODY, 400;
 *  - a Lambda proxy integration returns the function's answer; a function error or timeout is 502;
 *  - the SQS integration renders its request template (vtl.ts) and sends as the integration's role; the
 *    integration response is chosen by matching the service's status against selection patterns.
 *    https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-response.html
 */
import Ajv from "ajv-draft-04";
import { randomUUID } from "node:crypto";
import type { IamDecision, IamRequest } from "./iam";
import type { ApiModel, AuthorizerModel, PolicyDocument, RouteModel } from "./model";
import { renderTemplate } from "./vtl";

export interface ApiRequest {
  readonly method: string;
  /** Path with the stage, e.g. /v1/orders */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

export type Invocation = { readonly result: unknown } | { readonly error: string };

export interface ApiDeps {
  readonly account: string;
  readonly now: () => number;
  /** Invokes a function by ARN, under its configured timeout. */
  readonly invoke: (functionArn: string, event: unknown) => Promise<Invocation>;
  readonly iam: (req: IamRequest) => Promise<IamDecision>;
  /** Callers that sign with an access key: its principal and identity policies. */
  readonly signer: (accessKeyId: string) => { arn: string; policies: PolicyDocument[] } | undefined;
  /** SQS SendMessage as `roleArn`, from the form the template rendered; the service's HTTP status. */
  readonly sendMessage: (roleArn: string, queuePath: string, form: URLSearchParams) => Promise<number>;
}

const MISSING_TOKEN: ApiResponse = { status: 403, body: '{"message":"Missing Authentication Token"}' };
const UNAUTHORIZED: ApiResponse = { status: 401, body: '{"message":"Unauthorized"}' };
const THROTTLED: ApiResponse = { status: 429, body: '{"message":"Too Many Requests"}' };
const INTERNAL: ApiResponse = { status: 502, body: '{"message":"Internal server error"}' };

type Authorized = { context: Record<string, unknown> } | { refused: ApiResponse };

export class ApiGateway {
  private readonly ajv = new Ajv({ allErrors: false, strict: false });
  private readonly cache = new Map<
    string,
    { until: number; policy: PolicyDocument; context: Record<string, unknown> }
  >();
  /** Authorizer invocations, for tests of the cache. */
  authorizerCalls = 0;
  /** The stage's token bucket: tokens left, and when it was last filled (ms). */
  private bucket?: { tokens: number; at: number };

  constructor(
    readonly model: ApiModel,
    private readonly deps: ApiDeps,
  ) {}

  /** One token of the stage's bucket (refilled at the rate, up to the burst); false when none is left. */
  private takeToken(): boolean {
    const limit = this.model.throttle;
    if (!limit) return true;
    const now = this.deps.now();
    const b = (this.bucket ??= { tokens: limit.burstLimit, at: now });
    b.tokens = Math.min(limit.burstLimit, b.tokens + ((now - b.at) / 1000) * limit.rateLimit);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** The program's gateway response of `type` when it sets one, else API Gateway's default. */
  private gatewayResponse(type: string, fallback: ApiResponse): ApiResponse {
    const own = this.model.gatewayResponses[type];
    return own
      ? { status: Number(own.statusCode || fallback.status), body: own.template ?? fallback.body }
      : fallback;
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const requestId = randomUUID();
    const prefix = `/${this.model.stage}`;
    const path = req.path.startsWith(`${prefix}/`) ? req.path.slice(prefix.length) : undefined;
    const route = this.model.routes.find((r) => r.path === path && r.httpMethod === req.method);
    if (!route) return MISSING_TOKEN;
    if (!this.takeToken()) return this.gatewayResponse("THROTTLED", THROTTLED);
    const auth = await this.authorize(route, req);
    if ("refused" in auth) return auth.refused;
    const context = { ...auth.context, requestId, requestTimeEpoch: String(this.deps.now()) };
    const invalid = this.validate(route, req, requestId);
    if (invalid) return invalid;
    return this.integrate(route, req, context);
  }

  private methodArn(route: RouteModel): string {
    const m = this.model;
    return `arn:aws:execute-api:${m.region}:${this.deps.account}:${m.restApiId}/${m.stage}/${route.httpMethod}${route.path}`;
  }

  private async authorize(route: RouteModel, req: ApiRequest): Promise<Authorized> {
    if (route.authorization === "NONE") return { context: { identity: {} } };
    if (route.authorization === "AWS_IAM") return this.authorizeIam(route, req);
    if (route.authorization === "CUSTOM") {
      const authorizer = this.model.authorizers[route.authorizerId ?? ""];
      if (!authorizer) return { refused: INTERNAL };
      return this.authorizeToken(route, req, authorizer);
    }
    return { refused: INTERNAL };
  }

  private async authorizeIam(route: RouteModel, req: ApiRequest): Promise<Authorized> {
    const key = /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\//.exec(req.headers.authorization ?? "")?.[1];
    if (!key) return { refused: MISSING_TOKEN };
    const signer = this.deps.signer(key);
    if (!signer) {
      return {
        refused: {
          status: 403,
          body: '{"message":"The security token included in the request is invalid."}',
        },
      };
    }
    const resource = this.methodArn(route);
    const decision = await this.deps.iam({
      principal: signer.arn,
      action: "execute-api:Invoke",
      resource,
      account: this.deps.account,
      identityPolicies: signer.policies,
    });
    if (!decision.allowed) {
      const message = `User: ${signer.arn} is not authorized to perform: execute-api:Invoke on resource: ${resource}`;
      return { refused: { status: 403, body: JSON.stringify({ Message: message }) } };
    }
    return { context: { identity: { userArn: signer.arn } } };
  }

  private async authorizeToken(route: RouteModel, req: ApiRequest, a: AuthorizerModel): Promise<Authorized> {
    const header = /^method\.request\.header\.(.+)$/.exec(a.identitySource)?.[1]?.toLowerCase() ?? "";
    const token = req.headers[header];
    if (!token) return { refused: UNAUTHORIZED };
    if (a.identityValidationExpression && !new RegExp(a.identityValidationExpression).test(token)) {
      return { refused: UNAUTHORIZED };
    }
    const methodArn = this.methodArn(route);
    let entry = this.cache.get(token);
    if (!entry || entry.until <= this.deps.now()) {
      this.authorizerCalls += 1;
      const out = await this.deps.invoke(a.functionArn, {
        type: "TOKEN",
        authorizationToken: token,
        methodArn,
      });
      if ("error" in out) {
        return {
          refused: /Unauthorized/.test(out.error) ? UNAUTHORIZED : { status: 500, body: '{"message":null}' },
        };
      }
      const result = out.result as {
        principalId: string;
        policyDocument: PolicyDocument;
        context?: Record<string, unknown>;
      };
      entry = {
        until: this.deps.now() + a.ttlSeconds * 1000,
        policy: result.policyDocument,
        context: { ...(result.context ?? {}), principalId: result.principalId },
      };
      if (a.ttlSeconds > 0) this.cache.set(token, entry);
    }
    const decision = await this.deps.iam({
      principal: `arn:aws:iam::${this.deps.account}:role/authorized-caller`,
      action: "execute-api:Invoke",
      resource: methodArn,
      account: this.deps.account,
      identityPolicies: [entry.policy],
    });
    if (!decision.allowed) {
      return {
        refused: { status: 403, body: '{"Message":"User is not authorized to access this resource"}' },
      };
    }
    return { context: { authorizer: entry.context, identity: {} } };
  }

  private validate(route: RouteModel, req: ApiRequest, requestId: string): ApiResponse | undefined {
    const schema = route.models["application/json"];
    if (!route.validateBody || !schema) return undefined;
    let ok = false;
    try {
      ok = this.ajv.validate(schema as object, JSON.parse(req.body ?? ""));
    } catch {
      ok = false;
    }
    if (ok) return undefined;
    const gw = this.model.gatewayResponses.BAD_REQUEST_BODY;
    const body = (gw?.template ?? '{"message":$context.error.messageString}')
      .replace(/\$context\.error\.messageString/g, JSON.stringify("Invalid request body"))
      .replace(/\$context\.requestId/g, requestId);
    return { status: Number(gw?.statusCode ?? 400), body };
  }

  private async integrate(
    route: RouteModel,
    req: ApiRequest,
    context: Record<string, unknown>,
  ): Promise<ApiResponse> {
    const integration = route.integration;
    if (integration.type === "AWS_PROXY") {
      const fnArn = /functions\/(.+)\/invocations$/.exec(integration.uri)?.[1] ?? "";
      const out = await this.deps.invoke(fnArn, {
        httpMethod: req.method,
        path: route.path,
        headers: req.headers,
        body: req.body ?? null,
        requestContext: { requestId: context.requestId, stage: this.model.stage },
      });
      if ("error" in out) return INTERNAL;
      const r = out.result as { statusCode?: number; body?: string } | undefined;
      if (!r || typeof r.statusCode !== "number") return INTERNAL;
      return { status: r.statusCode, body: r.body ?? "" };
    }
    const sqs = /^arn:aws:apigateway:[^:]+:sqs:path\/(.+)$/.exec(integration.uri);
    if (integration.type === "AWS" && sqs && integration.credentials) {
      const template = integration.requestTemplates["application/json"] ?? "";
      const form = new URLSearchParams(renderTemplate(template, { body: req.body ?? "", context }));
      const status = await this.deps.sendMessage(integration.credentials, sqs[1], form);
      return this.integrationResponse(route, status, req, context);
    }
    return INTERNAL;
  }

  private integrationResponse(
    route: RouteModel,
    status: number,
    req: ApiRequest,
    context: Record<string, unknown>,
  ): ApiResponse {
    const responses = route.integration.responses;
    const chosen =
      responses.find(
        (r) => r.selectionPattern && new RegExp(`^${r.selectionPattern}$`).test(String(status)),
      ) ?? responses.find((r) => !r.selectionPattern);
    if (!chosen) return INTERNAL;
    const body = chosen.template ? renderTemplate(chosen.template, { body: req.body ?? "", context }) : "";
    return { status: Number(chosen.statusCode), body };
  }
}
