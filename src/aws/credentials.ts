// Which AWS credentials the build uses: on Posit Connect, the content session token exchanged
// for the integration's credentials; elsewhere, the AWS SDK's default Node chain
// (environment, SSO, web identity, shared profile, process, container, instance metadata).
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { ConnectClient } from "../connect/client.ts";
import { connectEnvironment, readContentSessionToken } from "../connect/environment.ts";
import {
  connectClientFromEnvironment,
  connectExchangeProvider,
  type RefreshableCredentialProvider,
} from "../connect/exchange.ts";
import type { Effects } from "../effects.ts";
import { ReportError } from "../errors.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Credentials for S3 plus a name for where they come from (for logs and messages). */
export interface CredentialSource {
  provider: RefreshableCredentialProvider;
  /** "connect" for the exchange, "default-chain" otherwise. */
  kind: "connect" | "default-chain";
  /** Where the credentials come from; for the default chain, exact once they were resolved. */
  describe(): string;
}

export const NO_CREDENTIALS_HINT = [
  "Provide AWS credentials in one of these ways:",
  "  - AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys) in the environment;",
  "  - a profile in ~/.aws/credentials or ~/.aws/config (`aws configure`), chosen with AWS_PROFILE;",
  "  - AWS IAM Identity Center: `aws sso login --profile NAME` and AWS_PROFILE=NAME;",
  "  - web identity: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE;",
  "  - a container or EC2 instance role;",
  "  - on Posit Connect: associate an AWS integration with the content (Access panel → Integrations).",
].join("\n");

/** Map the SDK's credential feature codes (`$source`) to words. */
function describeSdkSource(credentials: AwsCredentialIdentity, env: Env): string {
  const features = Object.keys(
    (credentials as AwsCredentialIdentity & { $source?: Record<string, string> }).$source ?? {},
  );
  const profile = env.AWS_PROFILE ?? "default";
  const has = (feature: string) => features.includes(feature);
  if (
    has("CREDENTIALS_PROFILE_SSO") ||
    has("CREDENTIALS_PROFILE_SSO_LEGACY") ||
    has("CREDENTIALS_SSO") ||
    has("CREDENTIALS_SSO_LEGACY")
  )
    return `AWS SSO (profile "${profile}")`;
  if (has("CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN") || has("CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN"))
    return "web identity token (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)";
  if (has("CREDENTIALS_PROFILE_PROCESS") || has("CREDENTIALS_PROCESS"))
    return `credential_process of profile "${profile}"`;
  if (has("CREDENTIALS_ENV_VARS")) return "environment variables (AWS_ACCESS_KEY_ID)";
  if (has("CREDENTIALS_PROFILE") || has("CREDENTIALS_PROFILE_SOURCE_PROFILE")) {
    const files = [env.AWS_SHARED_CREDENTIALS_FILE, env.AWS_CONFIG_FILE].filter(Boolean);
    return `shared profile "${profile}"${files.length ? ` (${files.join(", ")})` : ""}`;
  }
  if (has("CREDENTIALS_HTTP")) return "container credentials endpoint";
  return "AWS default credential chain (instance or container metadata)";
}

const isNoCredentials = (error: unknown) =>
  error instanceof Error &&
  error.name === "CredentialsProviderError" &&
  /could not load credentials|no credentials/i.test(error.message);

/** The SDK's default Node chain, with the source named once known and "none found" explained. */
export function defaultChainSource(env: Env, log?: Effects["log"]): CredentialSource {
  let described = "AWS default credential chain";
  let logged = false;
  const make = () =>
    fromNodeProviderChain({
      profile: env.AWS_PROFILE || undefined,
      filepath: env.AWS_SHARED_CREDENTIALS_FILE || undefined,
      configFilepath: env.AWS_CONFIG_FILE || undefined,
    });
  let chain = make();
  const provider = async () => {
    let credentials: AwsCredentialIdentity;
    try {
      credentials = await chain();
    } catch (error) {
      if (isNoCredentials(error)) {
        throw new ReportError("No AWS credentials found (searched the AWS SDK's default chain)", {
          hint: NO_CREDENTIALS_HINT,
          cause: error,
        });
      }
      throw new ReportError(`Could not load AWS credentials: ${(error as Error).message}`, {
        hint: NO_CREDENTIALS_HINT,
        cause: error,
      });
    }
    described = describeSdkSource(credentials, env);
    if (!logged) {
      logged = true;
      log?.info(`AWS credentials: ${described}`);
    }
    return credentials;
  };
  return {
    kind: "default-chain",
    describe: () => described,
    provider: Object.assign(provider, {
      invalidate: () => {
        chain = make();
      },
      get description() {
        return described;
      },
    }),
  };
}

/** The Connect exchange as a credential source, logging each exchange (never the credentials). */
export function connectSource(
  env: Env,
  options: {
    audience?: string;
    fetch?: typeof globalThis.fetch;
    log?: Effects["log"];
    now?: () => Date;
    client?: ConnectClient;
  } = {},
): CredentialSource {
  const environment = connectEnvironment(env);
  const audience = options.audience ?? environment.audience;
  const provider = connectExchangeProvider({
    client: options.client ?? connectClientFromEnvironment(environment, { fetch: options.fetch }),
    subjectToken: () => readContentSessionToken(environment),
    audience,
    now: options.now,
    onExchange: ({ expiration, count }) =>
      options.log?.verbose(
        `AWS credentials ${count === 1 ? "issued" : "refreshed"} by Connect, valid until ${expiration.toISOString()}`,
      ),
  });
  options.log?.info(`AWS credentials: ${provider.description}`);
  return { kind: "connect", provider, describe: () => provider.description };
}

/** On Connect (POSIT_PRODUCT=CONNECT), the exchange; elsewhere, the default chain. */
export function selectCredentials(
  effects: Pick<Effects, "env" | "fetch" | "log" | "now">,
  options: { audience?: string } = {},
): CredentialSource {
  if (connectEnvironment(effects.env).onConnect) {
    return connectSource(effects.env, {
      audience: options.audience,
      fetch: effects.fetch,
      log: effects.log,
      now: effects.now,
    });
  }
  return defaultChainSource(effects.env, effects.log);
}
