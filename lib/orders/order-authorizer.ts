import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  AUTHORIZER_ENV,
  MAX_AUTHORIZER_TTL_SECONDS,
  MAX_TOKEN_AGE_SECONDS,
} from "../../lambda/order-authorizer/contract";
import { NodeFunction } from "../compute/node-function";
import { Region } from "../config";

export interface OrderAuthorizerArgs {
  readonly provider: aws.Provider;
  /** The API's region (the provider's). */
  readonly region: Region;
  readonly restApiId: pulumi.Input<string>;
  /** The API's execution ARN, to bind the invoke permission to this API's authorizer (no confused deputy). */
  readonly executionArn: pulumi.Input<string>;
  /** JWT issuer (`iss`) accepted, an https URL. */
  readonly issuer: string;
  /** JWT audience (`aud`) accepted. */
  readonly audience: string;
  /** The issuer's JWKS URL (https). */
  readonly jwksUrl: string;
  /** Claim holding the accounts the principal may trade. */
  readonly accountsClaim: string;
  /** Seconds API Gateway caches an answer per token, 0..3600. */
  readonly resultTtlSeconds: number;
  /** Oldest token accepted, seconds since its `iat`. Default: MAX_TOKEN_AGE_SECONDS.default (one hour). */
  readonly maxTokenAgeSeconds?: number;
  readonly logKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
}

export function checkOrderAuthorizerArgs(args: OrderAuthorizerArgs): void {
  const problems: string[] = [];
  for (const [key, url] of [
    ["issuer", args.issuer],
    ["jwksUrl", args.jwksUrl],
  ] as const) {
    if (!/^https:\/\/[^\s/]+/.test(url)) problems.push(`${key} must be an https URL, got "${url}"`);
  }
  if (args.audience.trim() === "") problems.push("audience must not be empty");
  const ttl = args.resultTtlSeconds;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_AUTHORIZER_TTL_SECONDS) {
    problems.push(`resultTtlSeconds must be 0..${MAX_AUTHORIZER_TTL_SECONDS}, got ${ttl}`);
  }
  const age = args.maxTokenAgeSeconds ?? MAX_TOKEN_AGE_SECONDS.default;
  const { min, max } = MAX_TOKEN_AGE_SECONDS;
  if (!Number.isInteger(age) || age < min || age > max) {
    problems.push(`maxTokenAgeSeconds must be ${min}..${max}, got ${age}`);
  }
  if (problems.length) throw new Error(`OrderAuthorizer: ${problems.join("; ")}`);
}

/**
 * The TOKEN authorizer in front of `POST /orders` (S1): a function that verifies the bearer JWT against
 * the issuer's JWKS (lambda/order-authorizer). It runs outside the VPC so it can reach the issuer's JWKS
 * over the internet; it touches no AWS data. API Gateway caches its answer per token for
 * `resultTtlSeconds` (max 3600 s).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 */
export class OrderAuthorizer extends pulumi.ComponentResource {
  public readonly authorizerId: pulumi.Output<string>;
  public readonly functionName: pulumi.Output<string>;

  constructor(name: string, args: OrderAuthorizerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:orders:OrderAuthorizer", name, {}, opts);
    checkOrderAuthorizerArgs(args);
    const fn = new NodeFunction(
      `${name}-fn`,
      {
        codeName: "order-authorizer",
        description: "Verifies order clients' JWTs against the issuer's JWKS",
        provider: args.provider,
        region: args.region,
        timeout: 10,
        memorySize: 256,
        environment: {
          [AUTHORIZER_ENV.issuer]: args.issuer,
          [AUTHORIZER_ENV.audience]: args.audience,
          [AUTHORIZER_ENV.jwksUrl]: args.jwksUrl,
          [AUTHORIZER_ENV.accountsClaim]: args.accountsClaim,
          [AUTHORIZER_ENV.maxTokenAgeSeconds]: String(
            args.maxTokenAgeSeconds ?? MAX_TOKEN_AGE_SECONDS.default,
          ),
        },
        statements: [],
        logKeyArn: args.logKeyArn,
        logRetentionDays: args.logRetentionDays,
      },
      { parent: this },
    );
    const authorizer = new aws.apigateway.Authorizer(
      `${name}-authorizer`,
      {
        restApi: args.restApiId,
        type: "TOKEN",
        authorizerUri: fn.function.invokeArn,
        identitySource: "method.request.header.Authorization",
        // Requests without a plausible bearer JWT are refused (401) before the function runs.
        identityValidationExpression: "^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*$",
        authorizerResultTtlInSeconds: args.resultTtlSeconds,
      },
      { parent: this, provider: args.provider },
    );
    new aws.lambda.Permission(
      `${name}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: fn.functionName,
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${args.executionArn}/authorizers/${authorizer.id}`,
      },
      { parent: this, provider: args.provider },
    );
    this.authorizerId = authorizer.id;
    this.functionName = fn.functionName;
    this.registerOutputs({ authorizerId: this.authorizerId, functionName: this.functionName });
  }
}
