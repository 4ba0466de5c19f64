/**
 * Policy pack entry point: `pulumi preview --policy-pack policy` (run `npm install` in policy/ first).
 * The rules live in rules/*.ts and are listed in policies.ts.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
  description: "Encryption, network, IAM and DR guardrails for the multi-region trading platform",
  enforcementLevel: PACK_ENFORCEMENT_LEVEL,
  policies,
});
