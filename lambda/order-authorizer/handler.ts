/**
 * The API Gateway TOKEN authorizer: `Authorization: Bearer <jwt>` in, an IAM policy for the called
 * method out. A bad token throws "Unauthorized" (API Gateway answers 401); a good token that grants no
 * account is denied (403); anything unexpected, the JWKS being unreachable included, also ends in
 * "Unauthorized", so the door fails closed.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import type { Log } from "../shared/log";
import { ACCOUNTS_CONTEXT_KEY } from "./contract";
import { NotEntitledError, type Verify } from "./verify";

const BEARER_RE = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

export type TokenAuthorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

export function createTokenAuthorizer(verify: Verify, logger: Log): TokenAuthorizer {
  return async (event) => {
    const match = BEARER_RE.exec(event.authorizationToken ?? "");
    if (!match) {
      logger.warn("authorization refused: no bearer token", { methodArn: event.methodArn });
      throw new Error("Unauthorized");
    }
    try {
      const principal = await verify(match[1]);
      logger.info("order client authorized", { principal: principal.id, accounts: principal.accounts });
      return policy(principal.id, "Allow", event.methodArn, {
        [ACCOUNTS_CONTEXT_KEY]: principal.accounts.join(","),
      });
    } catch (err) {
      const e = err as Error;
      if (e instanceof NotEntitledError) {
        logger.warn("authorization refused: token grants no account", { reason: e.message });
        return policy("not-entitled", "Deny", event.methodArn, {});
      }
      logger.warn("authorization refused", { error: e.name, reason: e.message });
      throw new Error("Unauthorized");
    }
  };
}

function policy(
  principalId: string,
  effect: "Allow" | "Deny",
  methodArn: string,
  context: Record<string, string>,
): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: "2012-10-17",
      Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: methodArn }],
    },
    context,
  };
}
