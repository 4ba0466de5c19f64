/** No ingress from the whole internet: every network path in this platform is private. */
import { dig, items, peek, resourceRule } from "../util";

const OPEN = ["0.0.0.0/0", "::/0"];

function openCidrs(rule: unknown): string[] {
  const cidrs = [...items(dig(rule, "cidrBlocks")), ...items(dig(rule, "ipv6CidrBlocks"))];
  return cidrs.filter((c): c is string => typeof c === "string" && OPEN.includes(c.trim()));
}

export const noOpenIngress = resourceRule({
  name: "no-open-ingress",
  description: "Security groups and their rules admit no ingress from 0.0.0.0/0 or ::/0.",
  types: [
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  ],
  check: (props, args, report) => {
    switch (args.type) {
      case "aws:ec2/securityGroupRule:SecurityGroupRule":
        if (peek(props, "type") === "ingress") {
          for (const cidr of openCidrs(props)) report(`ingress rule open to ${cidr}`);
        }
        return;
      case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        for (const key of ["cidrIpv4", "cidrIpv6"]) {
          const cidr = peek(props, key);
          if (typeof cidr === "string" && OPEN.includes(cidr.trim())) report(`ingress rule open to ${cidr}`);
        }
        return;
      default:
        items(peek(props, "ingress")).forEach((rule, i) => {
          for (const cidr of openCidrs(rule)) {
            report(
              `ingress #${i} (ports ${String(dig(rule, "fromPort"))}-${String(dig(rule, "toPort"))}) open to ${cidr}`,
            );
          }
        });
    }
  },
});

export const networkPolicies = [noOpenIngress];
