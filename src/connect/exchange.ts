// Connect's OAuth credential exchange (RFC 8693) for AWS credentials, as posit-sdk-py's
// `external.aws.get_content_credentials` and connectapi's `get_aws_content_credentials` do it
// (wire contract: docs/design/connect-api.md §1), and an AWS SDK v3 credential provider
// on top of it that caches and refreshes before expiry.
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { ReportError } from "../errors.ts";
import { ConnectApiError, type ConnectClient, createConnectClient } from "./client.ts";
import {
  type ConnectEnvironment,
  connectEnvironment,
  readContentSessionToken,
} from "./environment.ts";

type Env = Readonly<Record<string, string | undefined>>;

export const GRANT_TYPE_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
/** Service Account integrations: the token Connect gives the content it runs. */
export const CONTENT_SESSION_TOKEN = "urn:posit:connect:content-session-token";
/** Viewer integrations: the `Posit-Connect-User-Session-Token` header of interactive content. */
export const USER_SESSION_TOKEN = "urn:posit:connect:user-session-token";
export const AWS_CREDENTIALS_TOKEN = "urn:ietf:params:aws:token-type:credentials";

export type SubjectTokenType = typeof CONTENT_SESSION_TOKEN | typeof USER_SESSION_TOKEN;

/** Connect releases that first support what this module asks for (connectapi R/get.R). */
export const MIN_VERSION_AWS = "2025.03.0";
export const MIN_VERSION_AUDIENCE = "2025.07.0";

/** Temporary AWS credentials, in the AWS SDK v3 shape. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface ExchangeRequest {
  subjectToken: string;
  subjectTokenType: SubjectTokenType;
  /** GUID of the integration to use when several are associated (Connect ≥ 2025.07.0). */
  audience?: string;
}

interface ExchangeResponse {
  access_token?: string;
  issued_token_type?: string;
  token_type?: string;
}

/** Decode the exchange's `access_token`: base64 of `{accessKeyId, secretAccessKey, sessionToken, expiration}`. */
export function decodeAwsCredentials(accessToken: string): AwsCredentials {
  let fields: Record<string, unknown>;
  try {
    const bytes = Uint8Array.from(atob(accessToken.trim()), (c) => c.charCodeAt(0));
    fields = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ReportError("Connect's AWS credentials are not base64-encoded JSON", {
      cause: error,
    });
  }
  const text = (name: string) => {
    const value = fields?.[name];
    if (typeof value !== "string" || !value) {
      throw new ReportError(`Connect's AWS credentials lack "${name}"`);
    }
    return value;
  };
  const expiration = new Date(text("expiration"));
  if (Number.isNaN(expiration.getTime())) {
    throw new ReportError("Connect's AWS credentials have an unreadable expiration time");
  }
  return {
    accessKeyId: text("accessKeyId"),
    secretAccessKey: text("secretAccessKey"),
    sessionToken: text("sessionToken"),
    expiration,
  };
}

/** Compare two Connect versions such as "2025.03.0" (missing parts count as 0). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The server's version from GET /__api__/server_settings, or undefined when hidden or unreachable. */
export async function serverVersion(client: ConnectClient): Promise<string | undefined> {
  try {
    const settings = await client.request<{ version?: unknown }>("GET", "server_settings");
    return typeof settings?.version === "string" && settings.version
      ? client.quote(settings.version, 40)
      : undefined;
  } catch {
    return undefined;
  }
}

const INTEGRATION_HINT =
  "Associate an AWS integration (Service Account) with this content: open it in Connect, Access panel → Integrations → Add integration.";

/** Turn a failed exchange into a message that says what to change. */
async function explainFailure(
  client: ConnectClient,
  request: ExchangeRequest,
  error: ConnectApiError,
): Promise<ReportError> {
  const what = "Connect could not exchange the content session token for AWS credentials";
  if (error.status === 401) {
    return new ReportError(`${what}: the API key was refused (${error.serverMessage})`, {
      hint: "CONNECT_API_KEY is wrong or revoked. On Connect it is provided for you; elsewhere create a new key in Connect (your name → API Keys).",
      cause: error,
    });
  }
  if (error.status >= 500) {
    return new ReportError(
      `${what}: Connect failed (HTTP ${error.status}): ${error.serverMessage}`,
      {
        hint: "This is on the server's side and was retried; try again later, or ask the Connect administrator to check the server log.",
        cause: error,
      },
    );
  }
  const version = await serverVersion(client);
  if (version && compareVersions(version, MIN_VERSION_AWS) < 0) {
    return new ReportError(
      `Connect ${version} at ${client.serverUrl} cannot issue AWS credentials: that needs Connect ${MIN_VERSION_AWS} or later`,
      {
        hint: "Ask your Connect administrator to upgrade, or give the content AWS keys as environment variables (the content's Vars panel: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).",
        cause: error,
      },
    );
  }
  if (request.audience && version && compareVersions(version, MIN_VERSION_AUDIENCE) < 0) {
    return new ReportError(
      `Connect ${version} cannot choose an integration by audience (${request.audience}): that needs Connect ${MIN_VERSION_AUDIENCE} or later`,
      {
        hint: "Remove source.audience / CONNECT_AWS_INTEGRATION_GUID and associate exactly one AWS integration with the content.",
        cause: error,
      },
    );
  }
  const audience = request.audience ? ` (audience ${request.audience})` : "";
  const hint = request.audience
    ? `Check that integration ${request.audience} is an AWS integration associated with this content (Access panel → Integrations), or remove the audience.`
    : request.subjectTokenType === USER_SESSION_TOKEN
      ? "Associate an AWS Viewer integration with this content (Access panel → Integrations); the viewer must be logged in."
      : INTEGRATION_HINT;
  return new ReportError(
    `${what}${audience}: Connect answered HTTP ${error.status}: ${error.serverMessage}`,
    { hint, cause: error },
  );
}

/** Exchange a Connect session token for temporary AWS credentials (one POST). */
export async function exchangeForAwsCredentials(
  client: ConnectClient,
  request: ExchangeRequest,
): Promise<AwsCredentials> {
  let response: ExchangeResponse | undefined;
  try {
    response = await client.request<ExchangeResponse>("POST", "v1/oauth/integrations/credentials", {
      form: {
        grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
        subject_token_type: request.subjectTokenType,
        subject_token: request.subjectToken,
        requested_token_type: AWS_CREDENTIALS_TOKEN,
        audience: request.audience,
      },
      // Asking twice only issues a second set of credentials, so a retry is harmless.
      idempotent: true,
      // A proxy's error page may echo the form.
      secrets: [request.subjectToken],
    });
  } catch (error) {
    if (error instanceof ConnectApiError) throw await explainFailure(client, request, error);
    throw error;
  }
  if (!response?.access_token) {
    throw new ReportError("Connect's credential exchange returned no access token", {
      hint: INTEGRATION_HINT,
    });
  }
  if (response.issued_token_type && response.issued_token_type !== AWS_CREDENTIALS_TOKEN) {
    const version = await serverVersion(client);
    throw new ReportError(
      `Connect${version ? ` ${version}` : ""} issued ${client.quote(String(response.issued_token_type), 100)} instead of AWS credentials`,
      {
        hint: `AWS credentials need Connect ${MIN_VERSION_AWS} or later and an AWS integration associated with the content (Access panel → Integrations).`,
      },
    );
  }
  return decodeAwsCredentials(response.access_token);
}

/** An AWS SDK v3 credential provider that can be told to drop its cached credentials. */
export interface RefreshableCredentialProvider extends AwsCredentialIdentityProvider {
  /** Forget the cached credentials (after S3 answered ExpiredToken); the next call exchanges again. */
  invalidate(): void;
  /** Where the credentials come from, for logs and messages; never a secret. */
  readonly description: string;
}

export interface ExchangeProviderOptions {
  client: ConnectClient;
  /** Called before every exchange, so a refreshed token file is picked up. */
  subjectToken: () => Promise<string | undefined>;
  subjectTokenType?: SubjectTokenType;
  audience?: string;
  now?: () => Date;
  /** Refresh this long before expiry (default 5 min), but at most half the credentials' lifetime. */
  refreshMarginMs?: number;
  /** Told about each exchange, e.g. for a verbose log line (the credentials are not passed). */
  onExchange?: (info: { expiration: Date; count: number }) => void;
}

/** A credential provider that exchanges on first use and again shortly before expiry. */
export function connectExchangeProvider(
  options: ExchangeProviderOptions,
): RefreshableCredentialProvider {
  const now = options.now ?? (() => new Date());
  const margin = options.refreshMarginMs ?? 5 * 60_000;
  const subjectTokenType = options.subjectTokenType ?? CONTENT_SESSION_TOKEN;
  let cached: { credentials: AwsCredentials; refreshAt: number } | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  let count = 0;

  async function exchange(): Promise<AwsCredentials> {
    const subjectToken = await options.subjectToken();
    if (!subjectToken) {
      throw new ReportError(
        subjectTokenType === USER_SESSION_TOKEN
          ? "No viewer session token: the request carried no Posit-Connect-User-Session-Token header"
          : "Running on Connect, but there is no content session token (CONNECT_CONTENT_SESSION_TOKEN_FILE and CONNECT_CONTENT_SESSION_TOKEN are unset or empty)",
        { hint: INTEGRATION_HINT },
      );
    }
    const issuedAt = now().getTime();
    const credentials = await exchangeForAwsCredentials(options.client, {
      subjectToken,
      subjectTokenType,
      audience: options.audience,
    });
    const expires = credentials.expiration.getTime();
    const lifetime = Math.max(0, expires - issuedAt);
    cached = { credentials, refreshAt: expires - Math.min(margin, lifetime / 2) };
    count++;
    options.onExchange?.({ expiration: credentials.expiration, count });
    return credentials;
  }

  const provider = async (): Promise<AwsCredentialIdentity> => {
    if (cached && now().getTime() < cached.refreshAt) return cached.credentials;
    pending ??= exchange().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const audience = options.audience ? `, audience ${options.audience}` : "";
  const kind = subjectTokenType === USER_SESSION_TOKEN ? "viewer" : "service-account";
  return Object.assign(provider, {
    invalidate: () => {
      cached = undefined;
    },
    description: `Connect ${kind} integration (credential exchange at ${options.client.serverUrl}${audience})`,
  });
}

export interface ConnectCredentialOptions {
  /** Default: process.env. */
  env?: Env;
  /** Integration GUID; default CONNECT_AWS_INTEGRATION_GUID. */
  audience?: string;
  fetch?: typeof globalThis.fetch;
  /** Per-attempt timeout of the Connect calls; default 30 s. */
  timeoutMs?: number;
  onExchange?: ExchangeProviderOptions["onExchange"];
  now?: () => Date;
}

/** A Connect client from CONNECT_SERVER and CONNECT_API_KEY, with a message when either is missing. */
export function connectClientFromEnvironment(
  environment: ConnectEnvironment,
  options: Pick<ConnectCredentialOptions, "fetch" | "timeoutMs"> = {},
): ConnectClient {
  const missing = [
    environment.server ? "" : "CONNECT_SERVER",
    environment.apiKey ? "" : "CONNECT_API_KEY",
  ].filter(Boolean);
  if (missing.length) {
    throw new ReportError(
      `Cannot exchange credentials with Connect: ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set`,
      {
        hint: "Connect sets both for the content it runs; elsewhere set CONNECT_SERVER to the server's URL and CONNECT_API_KEY to an API key.",
      },
    );
  }
  return createConnectClient({
    server: environment.server as string,
    apiKey: environment.apiKey,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
  });
}

/**
 * AWS SDK v3 credential provider for content running on Connect with a Service Account AWS
 * integration: `new S3Client({ credentials: fromConnectContentSession() })`.
 */
export function fromConnectContentSession(
  options: ConnectCredentialOptions = {},
): RefreshableCredentialProvider {
  const environment = connectEnvironment(options.env ?? process.env);
  return connectExchangeProvider({
    client: connectClientFromEnvironment(environment, options),
    subjectToken: () => readContentSessionToken(environment),
    audience: options.audience ?? environment.audience,
    onExchange: options.onExchange,
    now: options.now,
  });
}

/**
 * AWS SDK v3 credential provider for interactive content with a Viewer AWS integration: pass
 * the request's `Posit-Connect-User-Session-Token` header.
 */
export function fromConnectViewerSession(
  userSessionToken: string,
  options: ConnectCredentialOptions = {},
): RefreshableCredentialProvider {
  const environment = connectEnvironment(options.env ?? process.env);
  return connectExchangeProvider({
    client: connectClientFromEnvironment(environment, options),
    subjectToken: async () => userSessionToken,
    subjectTokenType: USER_SESSION_TOKEN,
    audience: options.audience ?? environment.audience,
    onExchange: options.onExchange,
    now: options.now,
  });
}

/** One exchange of the content session token, like posit-sdk-py's `get_content_credentials`. */
export async function getAwsContentCredentials(
  options: ConnectCredentialOptions = {},
): Promise<AwsCredentials> {
  return (await fromConnectContentSession(options)()) as AwsCredentials;
}
