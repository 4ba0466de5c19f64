/**
 * The authorizer's seam with the infrastructure and with the processor: environment keys, the context key
 * the integration reads, the SQS message attribute the processor checks, and the cache bounds. Imported
 * by lib/orders/order-authorizer.ts, lib/orders/order-api.ts, the Lambda and the processor, never retyped.
 */

/** Environment of the authorizer function. */
export const AUTHORIZER_ENV = {
  issuer: "AUTH_ISSUER",
  audience: "AUTH_AUDIENCE",
  jwksUrl: "AUTH_JWKS_URL",
  accountsClaim: "AUTH_ACCOUNTS_CLAIM",
  jwksTimeoutMs: "AUTH_JWKS_TIMEOUT_MS",
  jwksCacheMaxAgeSeconds: "AUTH_JWKS_CACHE_MAX_AGE_SECONDS",
  maxTokenAgeSeconds: "AUTH_MAX_TOKEN_AGE_SECONDS",
} as const;

/** Key of the authorizer's `context` map holding the comma-joined accounts the principal may trade. */
export const ACCOUNTS_CONTEXT_KEY = "accounts";

/** SQS message attributes the integration sets from the authorizer's answer. */
export const ENTITLEMENT_ATTRIBUTE = "entitledAccounts";
export const PRINCIPAL_ATTRIBUTE = "principal";
/**
 * When API Gateway accepted the order ($context.requestTimeEpoch, milliseconds for REST APIs). The
 * processor bounds clientTimestamp against it, not against SentTimestamp: a DLQ redrive (message move
 * task) sends the message again with a new SentTimestamp, and an order held for an outage must not turn
 * stale on its way back.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
 */
export const ACCEPTED_AT_ATTRIBUTE = "acceptedAt";

/**
 * Every message attribute the API's SQS integration sets on an order (lib/orders/order-api-templates.ts
 * renders exactly these), and so every attribute of the intake that a forwarder may carry on (S4).
 */
export const INTAKE_ATTRIBUTES = [ENTITLEMENT_ATTRIBUTE, PRINCIPAL_ATTRIBUTE, ACCEPTED_AT_ATTRIBUTE] as const;
export type IntakeAttribute = (typeof INTAKE_ATTRIBUTES)[number];

/** Signature algorithms accepted; `none` and HMAC (a shared secret the API would have to hold) are not. */
export const ACCEPTED_ALGORITHMS = ["RS256", "PS256", "ES256"] as const;

/** Account ids the order schema accepts (lambda/order-processor/order-schema.ts `account`). */
export const ACCOUNT_ID_RE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * API Gateway caches an authorizer's answer per token for at most 3600 s (0 turns caching off).
 * https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html (authorizerResultTtlInSeconds)
 */
export const MAX_AUTHORIZER_TTL_SECONDS = 3600;

/** Defaults: JWKS fetch timeout and how long fetched keys are reused before a refetch. */
export const JWKS_DEFAULTS = { timeoutMs: 2000, cacheMaxAgeSeconds: 600 } as const;

/**
 * How old a token (by its `iat`) may be, seconds (S4): the stack's `authMaxTokenAgeSeconds`. The default
 * is the identity provider's usual access-token lifetime, one hour (Amazon Cognito's default; it accepts
 * five minutes to one day, the range allowed here). A token without `iat` or with `iat` in the future is
 * refused. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cognito-userpoolclient-tokenvalidityunits.html
 */
export const MAX_TOKEN_AGE_SECONDS = { default: 3600, min: 300, max: 86_400 } as const;
