/**
 * API Gateway's mapping templates, rendered by a real Velocity engine (velocityjs) with the variables
 * API Gateway gives a template: $input, $util, $context.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * $util.urlEncode is Java's URLEncoder ("application/x-www-form-urlencoded": a space becomes "+", and
 * only letters, digits and . - * _ stay as they are).
 */
import { render } from "velocityjs";

export function urlEncode(s: unknown): string {
  return encodeURIComponent(String(s ?? ""))
    .replace(/%20/g, "+")
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function escapeJavaScript(s: unknown): string {
  return JSON.stringify(String(s ?? ""))
    .slice(1, -1)
    .replace(/'/g, "\\'");
}

export interface TemplateInput {
  readonly body: string;
  readonly context: Record<string, unknown>;
}

export function renderTemplate(template: string, input: TemplateInput): string {
  return render(template, {
    input: {
      body: input.body,
      json: (path: string) =>
        path === "$" ? input.body : JSON.stringify(pick(JSON.parse(input.body), path)),
    },
    util: { urlEncode, escapeJavaScript, base64Encode: (s: string) => Buffer.from(s).toString("base64") },
    context: input.context,
  });
}

function pick(value: unknown, path: string): unknown {
  return path
    .replace(/^\$\.?/, "")
    .split(".")
    .filter(Boolean)
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
}
