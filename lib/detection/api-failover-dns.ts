import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ApiFailoverDnsRegion {
  readonly role: "PRIMARY" | "SECONDARY";
  readonly provider: aws.Provider;
  readonly restApiId: pulumi.Input<string>;
  readonly stageName: string;
  /** Health check that decides whether Route 53 answers with this region. */
  readonly healthCheckId: pulumi.Input<string>;
}

export interface ApiFailoverDnsArgs {
  /** Public hosted zone that holds the API name. */
  readonly zoneName: string;
  /** The API's name inside the zone, e.g. api.example.com. */
  readonly domainName: string;
  /** TTL of the failover records; part of the DR budget's DNS time. */
  readonly ttlSeconds: number;
  /** Provider for global lookups (the zone). */
  readonly dnsProvider: aws.Provider;
  readonly regions: ApiFailoverDnsRegion[];
}

/**
 * Failover DNS for the API (R5): a custom domain with an ACM certificate in each region and PRIMARY /
 * SECONDARY failover records tied to the health checks. Only built when a hosted zone is configured.
 * CNAME records (not aliases) so the TTL is ours to set and to count in the RTO.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html
 */
export class ApiFailoverDns extends pulumi.ComponentResource {
  public readonly url: string;

  constructor(name: string, args: ApiFailoverDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:detection:ApiFailoverDns", name, {}, opts);
    const zone = aws.route53.getZoneOutput(
      { name: args.zoneName, privateZone: false },
      { parent: this, provider: args.dnsProvider },
    );

    const certs = args.regions.map(
      (region) =>
        new aws.acm.Certificate(
          `${name}-${region.role.toLowerCase()}-cert`,
          { domainName: args.domainName, validationMethod: "DNS" },
          { parent: this, provider: region.provider },
        ),
    );
    // ACM asks for the same validation CNAME in every region for one name in one account, so one
    // record, owned once, validates both certificates and keeps both renewing.
    // https://github.com/hashicorp/terraform-provider-aws/issues/13653
    const challenge = certs[0].domainValidationOptions[0];
    const validationRecord = new aws.route53.Record(
      `${name}-cert-validation`,
      {
        zoneId: zone.zoneId,
        name: challenge.resourceRecordName,
        type: challenge.resourceRecordType,
        records: [challenge.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      },
      { parent: this, provider: args.dnsProvider },
    );

    args.regions.forEach((region, i) => {
      const tag = region.role.toLowerCase();
      const child = { parent: this, provider: region.provider };
      const cert = certs[i];
      const validation = new aws.acm.CertificateValidation(
        `${name}-${tag}-cert-valid`,
        { certificateArn: cert.arn, validationRecordFqdns: [validationRecord.fqdn] },
        child,
      );
      const domain = new aws.apigateway.DomainName(
        `${name}-${tag}-domain`,
        {
          domainName: args.domainName,
          regionalCertificateArn: validation.certificateArn,
          endpointConfiguration: { types: "REGIONAL" },
          securityPolicy: "TLS_1_2",
        },
        child,
      );
      new aws.apigateway.BasePathMapping(
        `${name}-${tag}-mapping`,
        { restApi: region.restApiId, stageName: region.stageName, domainName: domain.domainName },
        child,
      );
      new aws.route53.Record(
        `${name}-${tag}-record`,
        {
          zoneId: zone.zoneId,
          name: args.domainName,
          type: "CNAME",
          ttl: args.ttlSeconds,
          records: [domain.regionalDomainName],
          setIdentifier: tag,
          failoverRoutingPolicies: [{ type: region.role }],
          healthCheckId: region.healthCheckId,
        },
        { parent: this, provider: args.dnsProvider },
      );
    });
    this.url = `https://${args.domainName}`;
    this.registerOutputs({ url: this.url });
  }
}
