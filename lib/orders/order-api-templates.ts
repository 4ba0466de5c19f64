/**
 * The text API Gateway renders for the order API: the SQS request template, the response bodies and the
 * access log format. Kept apart so tests can render them with hostile values.
 *
 * Two template engines are involved, and only one escapes:
 *  - integration request/response templates run through VTL, so `$util.urlEncode` and
 *    `$util.escapeJavaScript` are available;
 *    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 *  - gateway response templates and the access log format are NOT processed by VTL: they do plain
 *    `$context` substitution, so a free-text value inside a JSON string can break the JSON. Only the
 *    variables API Gateway quotes itself (`$context.error.messageString`) or that cannot hold a quote
 *    (ids, numbers, IPs, enumerations) appear in them; `validationErrorString`, user agent and caller
 *    are left out (the execution log, at ERROR level, and the WAF log keep them).
 *    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseTemplates.html
 *    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
 */
import {
  ACCEPTED_AT_ATTRIBUTE,
  ACCOUNTS_CONTEXT_KEY,
  ENTITLEMENT_ATTRIBUTE,
  INTAKE_ATTRIBUTES,
  type IntakeAttribute,
  PRINCIPAL_ATTRIBUTE,
} from "../../lambda/order-authorizer/contract";
import type { AuthConfig } from "../config/security";

/** R17: one JSON line per request; every value is either quoted by API Gateway or cannot hold a quote. */
export const ACCESS_LOG_FORMAT = [
  "{",
  '"requestId":"$context.requestId",',
  '"extendedRequestId":"$context.extendedRequestId",',
  '"requestTime":"$context.requestTime",',
  '"httpMethod":"$context.httpMethod",',
  '"resourcePath":"$context.resourcePath",',
  '"status":"$context.status",',
  '"responseLatency":"$context.responseLatency",',
  '"integrationLatency":"$context.integrationLatency",',
  '"integrationStatus":"$context.integrationStatus",',
  '"authorizeStatus":"$context.authorize.status",',
  '"errorType":"$context.error.responseType",',
  '"errorMessage":$context.error.messageString,',
  '"sourceIp":"$context.identity.sourceIp",',
  '"xrayTraceId":"$context.xrayTraceId"',
  "}",
].join("");

export const ACCEPTED_TEMPLATE = '{"status":"accepted","requestId":"$context.requestId"}';
export const UNAVAILABLE_TEMPLATE =
  '{"error":"order intake unavailable, retry","requestId":"$context.requestId"}';
/** The body failed the Order model. Details are not echoed (they cannot be escaped here); the model is
 *  published with the API, and the execution log records the validation error. */
export const BAD_BODY_TEMPLATE =
  '{"error":"invalid order","message":$context.error.messageString,"requestId":"$context.requestId"}';

/** Accounts value sent when an iam-mode stack entitles nobody: matches no account id. */
export const NO_ACCOUNTS = "(none)";

/**
 * The SQS SendMessage form. The body is URL-encoded as a whole, so a client cannot add parameters; the
 * entitlement and principal attributes come from the authorizer (jwt) or the stack config and the IAM
 * caller (iam), never from the request.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
export function sqsRequestTemplate(auth: AuthConfig): string {
  const accounts =
    auth.mode === "jwt"
      ? `$util.urlEncode($context.authorizer.${ACCOUNTS_CONTEXT_KEY})`
      : encodeURIComponent(auth.entitledAccounts.join(",") || NO_ACCOUNTS);
  const principal =
    auth.mode === "jwt"
      ? "$util.urlEncode($context.authorizer.principalId)"
      : "$util.urlEncode($context.identity.userArn)";
  const attribute = (n: number, name: string, value: string) =>
    `&MessageAttribute.${n}.Name=${name}` +
    `&MessageAttribute.${n}.Value.DataType=String` +
    `&MessageAttribute.${n}.Value.StringValue=${value}`;
  // Typed by the contract: adding an intake attribute there does not compile until it has a value here.
  const values: Record<IntakeAttribute, string> = {
    [ENTITLEMENT_ATTRIBUTE]: accounts,
    [PRINCIPAL_ATTRIBUTE]: principal,
    [ACCEPTED_AT_ATTRIBUTE]: "$context.requestTimeEpoch",
  };
  return (
    "Action=SendMessage&MessageBody=$util.urlEncode($input.body)" +
    INTAKE_ATTRIBUTES.map((name, i) => attribute(i + 1, name, values[name])).join("")
  );
}
