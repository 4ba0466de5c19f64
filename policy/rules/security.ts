/**
 * Security rules (issue S): no anonymous order methods; in production, orders go through the JWT
 * authorizer and every stage has a web ACL; every bucket writes server access logs (and log buckets use
 * SSE-S3, the only default encryption a log destination may have); every service principal granted by a
 * trust or key policy is bound to this account or its source resource.
 */
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { statementsOf } from "./iam";
import { attachedTo, dig, items, peek, stackOfUrn, stackRule, UNKNOWN } from "../util";

const METHOD = "aws:apigateway/method:Method";
const API_RESOURCE = "aws:apigateway/resource:Resource";
const STAGE = "aws:apigateway/stage:Stage";
const ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const LOGGING = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];

/** Paths whose GET may stay anonymous: Route 53 health checks and the canaries call it. */
export const ANONYMOUS_GET_PATHS = ["health"];

const isAnonymous = (m: PolicyResource) => {
  const a = peek(m.props, "authorization");
  return a === undefined || (typeof a === "string" && a.toUpperCase() === "NONE");
};

export const apiNoAnonymousMethods = stackRule({
  name: "api-no-anonymous-methods",
  description: `API Gateway methods require authorization, except GET on ${ANONYMOUS_GET_PATHS.join(", ")}.`,
  check: (args, report) => {
    const allowed = new Set(
      args.resources
        .filter(
          (r) => r.type === API_RESOURCE && ANONYMOUS_GET_PATHS.includes(String(peek(r.props, "pathPart"))),
        )
        .flatMap((r) => attachedTo(r, args.resources, [METHOD], "resourceId", ["id"]))
        .filter((m) => peek(m.props, "httpMethod") === "GET")
        .map((m) => m.urn),
    );
    for (const m of args.resources.filter(
      (r) => r.type === METHOD && isAnonymous(r) && !allowed.has(r.urn),
    )) {
      report(
        `${String(peek(m.props, "httpMethod"))} method ${m.name} is anonymous (authorization NONE)`,
        m.urn,
      );
    }
  },
});

export interface ProductionConfig {
  production?: boolean;
  productionStacks?: string[];
}
export const productionSchema = {
  properties: {
    production: { type: "boolean" as const },
    productionStacks: { type: "array" as const, items: { type: "string" as const } },
  },
};

export function isProduction(args: StackValidationArgs, cfg: ProductionConfig): boolean {
  if (typeof cfg.production === "boolean") return cfg.production;
  const stack = args.resources[0] ? stackOfUrn(args.resources[0].urn) : "";
  return (cfg.productionStacks ?? ["prod"]).includes(stack);
}

export const prodOrdersUseJwtAuthorizer = {
  ...stackRule({
    name: "prod-orders-use-jwt-authorizer",
    description:
      "In production, every POST method uses the Lambda (JWT) authorizer: IAM (SigV4) is signed per region and breaks clients on failover.",
    check: (args, report) => {
      if (!isProduction(args, args.getConfig<ProductionConfig>())) return;
      for (const m of args.resources.filter(
        (r) => r.type === METHOD && peek(r.props, "httpMethod") === "POST",
      )) {
        const auth = peek(m.props, "authorization");
        if (auth !== "CUSTOM" && auth !== UNKNOWN) {
          report(`POST method ${m.name} uses ${String(auth)}; production requires the JWT authorizer`, m.urn);
        }
      }
    },
  }),
  configSchema: productionSchema,
};

export const prodWebAclOnEveryStage = {
  ...stackRule({
    name: "prod-web-acl-on-every-stage",
    description: "In production, every API Gateway stage is associated with a WAF web ACL.",
    check: (args, report) => {
      if (!isProduction(args, args.getConfig<ProductionConfig>())) return;
      for (const stage of args.resources.filter((r) => r.type === STAGE)) {
        if (attachedTo(stage, args.resources, [ACL_ASSOCIATION], "resourceArn", ["arn"]).length === 0) {
          report(`stage ${stage.name} has no web ACL association`, stage.urn);
        }
      }
    },
  }),
  configSchema: productionSchema,
};

/** Buckets that receive server access logs: referenced as `targetBucket` by a logging configuration. */
export function logTargets(resources: readonly PolicyResource[]): PolicyResource[] {
  return resources
    .filter((r) => BUCKETS.includes(r.type))
    .filter((b) => attachedTo(b, resources, LOGGING, "targetBucket", ["bucket", "id"]).length > 0);
}

export const s3BucketAccessLogging = stackRule({
  name: "s3-bucket-access-logging",
  description:
    "Every S3 bucket except the access log buckets themselves writes server access logs (BucketLogging).",
  check: (args, report) => {
    const targets = new Set(logTargets(args.resources).map((b) => b.urn));
    for (const bucket of args.resources.filter((r) => BUCKETS.includes(r.type) && !targets.has(r.urn))) {
      if (attachedTo(bucket, args.resources, LOGGING, "bucket", ["bucket", "id"]).length === 0) {
        report(`bucket ${bucket.name} has no server access logging`, bucket.urn);
      }
    }
  },
});

/**
 * Service principals that may go without a source condition, and why:
 *  - lambda.amazonaws.com: a function's execution role is passed by the account itself (iam:PassRole);
 *    Lambda documents no source keys for it.
 *  - apigateway.amazonaws.com: the integration and CloudWatch roles are passed by the account (PassRole);
 *    API Gateway documents no source keys for assuming them.
 */
export const SOURCE_CONDITION_EXEMPT = ["lambda.amazonaws.com", "apigateway.amazonaws.com"];

/** Condition keys that bind a service to this account or a resource of it. */
const SOURCE_KEYS = [
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceorgid",
  "kms:encryptioncontext:aws:logs:arn",
];

const POLICY_PROPS: Record<string, string> = {
  "aws:iam/role:Role": "assumeRolePolicy",
  "aws:kms/key:Key": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
};

function parse(doc: unknown): unknown {
  if (typeof doc !== "string") return doc;
  try {
    return JSON.parse(doc);
  } catch {
    return undefined;
  }
}

export const servicePrincipalsBoundToSource = stackRule({
  name: "service-principals-bound-to-source",
  description:
    "Every service principal allowed by a trust, key, bucket, topic or queue policy has an aws:SourceAccount / aws:SourceArn (or equivalent) condition.",
  check: (args, report) => {
    for (const r of args.resources.filter((x) => POLICY_PROPS[x.type])) {
      const doc = parse(peek(r.props, POLICY_PROPS[r.type]));
      if (doc === undefined || doc === UNKNOWN || !statementsOf(doc)) continue;
      items(dig(doc, "Statement")).forEach((s, i) => {
        if (dig(s, "Effect") !== "Allow") return;
        const services = items(dig(s, "Principal", "Service")).filter(
          (v): v is string => typeof v === "string" && !SOURCE_CONDITION_EXEMPT.includes(v),
        );
        if (services.length === 0) return;
        const keys = Object.values((dig(s, "Condition") ?? {}) as Record<string, Record<string, unknown>>)
          .flatMap((byKey) => Object.keys(byKey ?? {}))
          .map((k) => k.toLowerCase());
        if (!keys.some((k) => SOURCE_KEYS.includes(k))) {
          const sid = dig(s, "Sid");
          report(
            `${r.name}: statement ${typeof sid === "string" ? sid : `#${i}`} allows ${services.join(", ")} without a source condition`,
            r.urn,
          );
        }
      });
    }
  },
});

export const securityPolicies = [
  apiNoAnonymousMethods,
  prodOrdersUseJwtAuthorizer,
  prodWebAclOnEveryStage,
  s3BucketAccessLogging,
  servicePrincipalsBoundToSource,
];
