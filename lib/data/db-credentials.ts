import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { arnInRegion } from "../arn";
import { Region } from "../config";

/**
 * RDS master passwords may hold printable ASCII except '/', '"', '@' and space. Aurora's CreateDBCluster
 * documents 8–41 characters, so 32 leaves room and keeps ~190 bits of entropy.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
 */
export const PASSWORD_LENGTH = 32;
export const PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?";

export interface DbCredentialsArgs {
  /** User name. Default: "tapadmin" (the master user). */
  readonly username?: string;
  /** What the secret is for, in its description. Default: "Aurora master credentials". */
  readonly purpose?: string;
  /** Provider for the primary region, where the secret lives. */
  readonly provider: aws.Provider;
  readonly randomProvider: random.Provider;
  /** Primary-region KMS key for the secret. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Region and key of the replica, so the secondary can read credentials when the primary is gone. */
  readonly replica: { readonly region: Region; readonly kmsKeyArn: pulumi.Input<string> };
  /** Days Secrets Manager keeps a deleted secret. Default: 30 (7 outside production). */
  readonly recoveryWindowInDays?: number;
  readonly protect?: boolean;
}

/**
 * The Aurora master credentials (R9): a generated password that only ever exists as a Pulumi secret, and
 * a Secrets Manager secret encrypted with the primary key and replicated to the secondary region. The
 * secret's value (the connection document) is written by the database component once the endpoint exists.
 */
export class DbCredentials extends pulumi.ComponentResource {
  public readonly username: string;
  /** The master password, always a secret Output. */
  public readonly password: pulumi.Output<string>;
  public readonly secretArn: pulumi.Output<string>;

  constructor(name: string, args: DbCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:data:DbCredentials", name, {}, opts);
    this.username = args.username ?? "tapadmin";
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(this.username) || this.username === "postgres") {
      throw new Error(
        `DbCredentials: username "${this.username}" is not a valid, non-reserved PostgreSQL name`,
      );
    }

    const password = new random.RandomPassword(
      `${name}-password`,
      {
        length: PASSWORD_LENGTH,
        special: true,
        overrideSpecial: PASSWORD_SPECIALS,
        minLower: 2,
        minUpper: 2,
        minNumeric: 2,
        minSpecial: 2,
      },
      { parent: this, provider: args.randomProvider },
    );
    const secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      {
        description: `${name}: ${args.purpose ?? "Aurora master credentials"}`,
        kmsKeyId: args.kmsKeyArn,
        recoveryWindowInDays: args.recoveryWindowInDays ?? 30,
        replicas: [{ region: args.replica.region, kmsKeyId: args.replica.kmsKeyArn }],
      },
      { parent: this, provider: args.provider, protect: args.protect ?? false },
    );

    this.password = pulumi.secret(password.result);
    this.secretArn = secret.arn;
    this.registerOutputs({ secretArn: this.secretArn });
  }

  /** The secret's ARN in `region`: the primary secret or its replica there. */
  secretArnIn(region: Region): pulumi.Output<string> {
    return arnInRegion(this.secretArn, region);
  }
}
