// Which AWS credentials the build uses: on Posit Connect, the content session token exchanged
// for the integration's credentials; elsewhere, the AWS SDK's default Node chain in its order
// (environment keys, shared profile with SSO and credential_process, web identity, container,
// instance metadata), assembled here so every step reads the build's `effects.env` instead of
// process.env: a test, or an embedding program, decides which settings count.
import { join } from "node:path";
import {
  fromHttp,
  fromIni,
  fromInstanceMetadata,
  fromProcess,
  fromTokenFile,
} from "@aws-sdk/credential-providers";
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

/** A credential provider as the SDK calls it (with the calling client's config, if any). */
type Provider = (properties?: Record<string, unknown>) => Promise<AwsCredentialIdentity>;

/** One step of the default chain, and how to name the credentials it found. */
interface ChainLink {
  provider: Provider;
  describe(credentials: AwsCredentialIdentity): string;
}

/** Keys from the environment, as the SDK's fromEnv reads them, but from `env`. */
function envKeys(env: Env): AwsCredentialIdentity | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const expiration = env.AWS_CREDENTIAL_EXPIRATION;
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
    ...(expiration && { expiration: new Date(expiration) }),
    ...(env.AWS_CREDENTIAL_SCOPE && { credentialScope: env.AWS_CREDENTIAL_SCOPE }),
    ...(env.AWS_ACCOUNT_ID && { accountId: env.AWS_ACCOUNT_ID }),
  };
}

/** The home folder as the SDK finds it (HOME, USERPROFILE, HOMEDRIVE+HOMEPATH), from `env`. */
function homeDir(env: Env): string | undefined {
  return (
    env.HOME || env.USERPROFILE || (env.HOMEPATH && `${env.HOMEDRIVE ?? "C:\\"}${env.HOMEPATH}`)
  );
}

/**
 * The SDK's default Node chain, step by step, each step configured from `env`. The SDK still
 * reads process.env itself in places no init option reaches: the SSO token cache under
 * $HOME/.aws/sso/cache, a profile's `credential_source = Environment`, the STS region for web
 * identity and role assumption, and the instance metadata endpoint settings
 * (AWS_EC2_METADATA_SERVICE_ENDPOINT and friends).
 */
function defaultChainLinks(env: Env): ChainLink[] {
  const links: ChainLink[] = [];
  const profile = env.AWS_PROFILE || undefined;
  // As in the SDK: a named profile wins over keys in the environment.
  const keys = profile ? undefined : envKeys(env);
  if (keys) {
    links.push({
      provider: async () => keys,
      describe: () => "environment variables (AWS_ACCESS_KEY_ID)",
    });
  }
  const home = homeDir(env);
  const filepath =
    env.AWS_SHARED_CREDENTIALS_FILE || (home && join(home, ".aws", "credentials")) || undefined;
  const configFilepath = env.AWS_CONFIG_FILE || (home && join(home, ".aws", "config")) || undefined;
  // Without both files named, the SDK would look them up in process.env and the real home.
  if (filepath && configFilepath) {
    // The profile is always passed: left out, the SDK would take process.env.AWS_PROFILE.
    const files = { profile: profile ?? "default", filepath, configFilepath };
    const describe = (credentials: AwsCredentialIdentity) => describeSdkSource(credentials, env);
    links.push({ provider: fromIni(files), describe });
    links.push({ provider: fromProcess(files), describe });
  }
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) {
    links.push({
      provider: fromTokenFile({
        webIdentityTokenFile: env.AWS_WEB_IDENTITY_TOKEN_FILE,
        roleArn: env.AWS_ROLE_ARN,
        roleSessionName: env.AWS_ROLE_SESSION_NAME || `connect-s3-report-${Date.now()}`,
      }),
      describe: () => "web identity token (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)",
    });
  }
  const relativeUri = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
  const fullUri = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  if (relativeUri || fullUri) {
    // "" rather than undefined: fromHttp falls back to process.env for an undefined option.
    links.push({
      provider: fromHttp({
        awsContainerCredentialsRelativeUri: relativeUri ?? "",
        awsContainerCredentialsFullUri: fullUri ?? "",
        awsContainerAuthorizationToken: env.AWS_CONTAINER_AUTHORIZATION_TOKEN ?? "",
        awsContainerAuthorizationTokenFile: env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ?? "",
      }),
      describe: () => "container credentials endpoint",
    });
  } else if (!env.AWS_EC2_METADATA_DISABLED || env.AWS_EC2_METADATA_DISABLED === "false") {
    links.push({
      provider: fromInstanceMetadata(),
      describe: () => "EC2 instance metadata",
    });
  }
  return links;
}

/** SDK errors that mean "this step does not apply, try the next" (the SDK's own rule). */
const triesNext = (error: unknown) =>
  (error as { tryNextLink?: boolean } | undefined)?.tryNextLink === true;

/** Refresh credentials this close to their expiry, as the SDK's default chain does. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/** The default Node chain read from `env`, with the source named once known and "none found" explained. */
export function defaultChainSource(env: Env, log?: Effects["log"]): CredentialSource {
  let described = "AWS default credential chain";
  let logged = false;
  let cached: Promise<AwsCredentialIdentity> | undefined;

  const resolve = async (properties?: Record<string, unknown>) => {
    let last: unknown;
    for (const link of defaultChainLinks(env)) {
      let credentials: AwsCredentialIdentity;
      try {
        credentials = await link.provider(properties);
      } catch (error) {
        if (triesNext(error)) {
          last = error;
          continue;
        }
        throw new ReportError(`Could not load AWS credentials: ${(error as Error).message}`, {
          hint: NO_CREDENTIALS_HINT,
          cause: error,
        });
      }
      described = link.describe(credentials);
      if (!logged) {
        logged = true;
        log?.info(`AWS credentials: ${described}`);
      }
      return credentials;
    }
    throw new ReportError("No AWS credentials found (searched the AWS SDK's default chain)", {
      hint: NO_CREDENTIALS_HINT,
      cause: last,
    });
  };

  const provider = async (properties?: Record<string, unknown>) => {
    const current = cached;
    if (current) {
      const credentials = await current.catch(() => undefined);
      const expiry = credentials?.expiration?.getTime();
      if (credentials && (expiry === undefined || expiry - Date.now() > REFRESH_BEFORE_MS))
        return credentials;
      if (cached === current) cached = undefined;
    }
    cached ??= resolve(properties);
    return cached;
  };
  return {
    kind: "default-chain",
    describe: () => described,
    provider: Object.assign(provider, {
      invalidate: () => {
        cached = undefined;
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
