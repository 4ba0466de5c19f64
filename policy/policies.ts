/**
 * Every rule of the pack, in one list. Imported by policy/index.ts (the pack), by the offline plan
 * (tooling/plan/policy-check.ts) and by the tests, so the same rules run everywhere. Constructing the
 * PolicyPack happens only in index.ts: it starts the analyzer server.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { credentialPolicies } from "./rules/credentials";
import { dataProtectionPolicies } from "./rules/data-protection";
import { encryptionPolicies } from "./rules/encryption";
import { iamPolicies } from "./rules/iam";
import { networkPolicies } from "./rules/network";
import { operationsPolicies } from "./rules/operations";
import { securityPolicies } from "./rules/security";

export const PACK_NAME = "tap-dr-guardrails";
/** Pack default; individual rules override it (advisory ones say so). */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

export const policies: Policies = [
  ...encryptionPolicies,
  ...networkPolicies,
  ...iamPolicies,
  ...dataProtectionPolicies,
  ...operationsPolicies,
  ...securityPolicies,
  ...credentialPolicies,
];
