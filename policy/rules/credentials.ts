/**
 * Credential rules (S3): in production, database secrets rotate on a schedule. The one exception is a
 * superuser secret that a multi-user rotation function logs in with (its `masterSecretArn`): the
 * function needs it to change the other users' passwords, and rotating it is a separate decision.
 */
import type { PolicyResource } from "@pulumi/policy";
import { attachedTo, dig, stackRule } from "../util";
import { isProduction, productionSchema, type ProductionConfig } from "./security";

const SECRET = "aws:secretsmanager/secret:Secret";
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
const ROTATION_APP = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack";

/** Secrets a rotation application is told to log in with: by ARN, or by dependency during a preview. */
function rotationMasters(resources: readonly PolicyResource[]): Set<string> {
  const apps = resources.filter((r) => r.type === ROTATION_APP);
  const arns = new Set(
    apps.map((a) => dig(a.props, "parameters", "masterSecretArn")).filter((v) => typeof v === "string"),
  );
  const masters = new Set<string>();
  for (const secret of resources.filter((r) => r.type === SECRET)) {
    const byValue = ["arn", "id"].some((k) => arns.has(dig(secret.props, k) as string));
    const byDependency = apps.some((a) =>
      (a.propertyDependencies?.parameters ?? []).some((d) => d.urn === secret.urn),
    );
    if (byValue || byDependency) masters.add(secret.urn);
  }
  return masters;
}

export const prodSecretsRotate = {
  ...stackRule({
    name: "prod-secrets-rotate",
    description:
      "In production, every Secrets Manager secret has a rotation schedule (SecretRotation), except the superuser secret a rotation function logs in with (masterSecretArn).",
    check: (args, report) => {
      if (!isProduction(args, args.getConfig<ProductionConfig>())) return;
      const masters = rotationMasters(args.resources);
      for (const secret of args.resources.filter((r) => r.type === SECRET && !masters.has(r.urn))) {
        if (attachedTo(secret, args.resources, [ROTATION], "secretId", ["arn", "id"]).length === 0) {
          report(`secret ${secret.name} has no rotation schedule`, secret.urn);
        }
      }
    },
  }),
  configSchema: productionSchema,
};

export const credentialPolicies = [prodSecretsRotate];
