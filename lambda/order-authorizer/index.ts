/**
 * Wiring only. Environment: see AUTHORIZER_ENV in ./contract.ts (issuer, audience, JWKS URL, accounts
 * claim, JWKS timeout and cache age, maximum token age), POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL. The verifier (and
 * with it the fetched JWKS) lives for the whole execution environment.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { intFromEnv, requiredEnv } from "../shared/env";
import { AUTHORIZER_ENV, JWKS_DEFAULTS, MAX_TOKEN_AGE_SECONDS } from "./contract";
import { createTokenAuthorizer, type TokenAuthorizer } from "./handler";
import { createVerifier } from "./verify";

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "order-authorizer" });
let authorize: TokenAuthorizer | undefined;

function init(env: NodeJS.ProcessEnv): TokenAuthorizer {
  const verify = createVerifier({
    issuer: requiredEnv(env, AUTHORIZER_ENV.issuer),
    audience: requiredEnv(env, AUTHORIZER_ENV.audience),
    jwksUrl: requiredEnv(env, AUTHORIZER_ENV.jwksUrl),
    accountsClaim: requiredEnv(env, AUTHORIZER_ENV.accountsClaim),
    jwksTimeoutMs: intFromEnv(env, AUTHORIZER_ENV.jwksTimeoutMs, JWKS_DEFAULTS.timeoutMs, 100, 10_000),
    jwksCacheMaxAgeSeconds: intFromEnv(
      env,
      AUTHORIZER_ENV.jwksCacheMaxAgeSeconds,
      JWKS_DEFAULTS.cacheMaxAgeSeconds,
      0,
      86_400,
    ),
    maxTokenAgeSeconds: intFromEnv(
      env,
      AUTHORIZER_ENV.maxTokenAgeSeconds,
      MAX_TOKEN_AGE_SECONDS.default,
      MAX_TOKEN_AGE_SECONDS.min,
      MAX_TOKEN_AGE_SECONDS.max,
    ),
  });
  return createTokenAuthorizer(verify, logger);
}

export const handler = async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  try {
    authorize ??= init(process.env);
  } catch (err) {
    // Misconfigured: deny everything rather than let anyone in.
    logger.error("authorizer misconfigured", { error: (err as Error).message });
    throw new Error("Unauthorized");
  }
  return authorize(event);
};
