/**
 * What API Gateway answers a request that carries no credentials, by the method's authorization type:
 * - AWS_IAM: an unsigned request gets MISSING_AUTHENTICATION_TOKEN, 403;
 * - CUSTOM with a TOKEN authorizer: a missing identity source (the Authorization header) gets
 *   UNAUTHORIZED, 401, without the authorizer being invoked.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 * https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer
 * The canaries expect this status for their anonymous order (lambda/canary/health-canary.js says why).
 */
export const ANONYMOUS_REFUSAL_STATUS = { AWS_IAM: 403, CUSTOM: 401 } as const;

export type OrderAuthorization = keyof typeof ANONYMOUS_REFUSAL_STATUS;
