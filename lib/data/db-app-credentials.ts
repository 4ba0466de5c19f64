import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Region } from "../config";
import { DbCredentials } from "./db-credentials";

export interface DbAppCredentialsArgs {
  /** The processor's role name. Default: "tap_order_processor". */
  readonly username?: string;
  /** Provider for the primary region, where the secret lives. */
  readonly provider: aws.Provider;
  readonly randomProvider: random.Provider;
  /** Primary-region KMS key for the secret. */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Region and key of the replica, so the secondary's processor can read it when the primary is gone. */
  readonly replica: { readonly region: Region; readonly kmsKeyArn: pulumi.Input<string> };
  /** Host, port and database the document names (the global writer endpoint). */
  readonly host: pulumi.Input<string>;
  readonly port: number;
  readonly databaseName: string;
  /**
   * The superuser secret a multi-user rotation logs in with, written into the document as `masterarn`
   * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-strategy.html). Default: none
   * (no rotation).
   */
  readonly masterSecretArn?: pulumi.Input<string>;
  /** Days Secrets Manager keeps a deleted secret. Default: 30. */
  readonly recoveryWindowInDays?: number;
  readonly protect?: boolean;
}

/**
 * Credentials of the order processor's data-only database role (L6): a generated password in its own
 * Secrets Manager secret, replicated to the secondary region like the master secret, holding the same
 * connection document. The ledger migrator creates the role from it at deploy time.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
 */
export class DbAppCredentials extends pulumi.ComponentResource {
  public readonly username: string;
  public readonly secretArn: pulumi.Output<string>;
  /** Changes whenever the document (the password) changes: the migrator re-runs on it. */
  public readonly secretVersionId: pulumi.Output<string>;
  private readonly credentials: DbCredentials;

  constructor(name: string, args: DbAppCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:data:DbAppCredentials", name, {}, opts);
    this.credentials = new DbCredentials(
      `${name}-creds`,
      {
        username: args.username ?? "tap_order_processor",
        purpose: "order processor's data-only database role",
        provider: args.provider,
        randomProvider: args.randomProvider,
        kmsKeyArn: args.kmsKeyArn,
        replica: args.replica,
        recoveryWindowInDays: args.recoveryWindowInDays,
        protect: args.protect,
      },
      { parent: this },
    );
    this.username = this.credentials.username;
    const version = new aws.secretsmanager.SecretVersion(
      `${name}-document`,
      {
        secretId: this.credentials.secretArn,
        secretString: pulumi
          .all([this.credentials.password, args.host, args.masterSecretArn])
          .apply(([password, host, masterarn]) =>
            JSON.stringify({
              engine: "postgres",
              username: this.username,
              password,
              host,
              port: args.port,
              dbname: args.databaseName,
              ...(masterarn ? { masterarn } : {}),
            }),
          ),
      },
      { parent: this, provider: args.provider },
    );
    this.secretArn = this.credentials.secretArn;
    this.secretVersionId = version.versionId;
    this.registerOutputs({ secretArn: this.secretArn });
  }

  /** The secret's ARN in `region`: the primary secret or its replica there. */
  secretArnIn(region: Region): pulumi.Output<string> {
    return this.credentials.secretArnIn(region);
  }
}
