// Reading report data from S3: the client, HeadObject for the footer (size, ETag,
// last-modified), paged ListObjectsV2 for a key prefix, and errors a user can act on. The
// body itself is fetched by src/aws/s3-download.ts.
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { editDistance } from "../config/closest.ts";
import type { S3Location } from "../config/spec.ts";
import type { Effects } from "../effects.ts";
import { ReportError } from "../errors.ts";
import { LIMITS } from "../limits.ts";
import { withoutUserinfo } from "../redact-url.ts";
import { type CredentialSource, NO_CREDENTIALS_HINT } from "./credentials.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface S3DownloadOptions {
  /** Bytes per ranged GET; default 8 MiB. Objects up to this size take one GET. */
  partSize?: number;
  /** Ranged GETs in flight at once; default 4. */
  concurrency?: number;
  /**
   * Connection timeout per request, and the longest a response body may send nothing
   * before it is resumed; default 30 s.
   */
  timeoutMs?: number;
  /**
   * Attempts per request (the SDK retries network errors, 5xx and throttling); a body that
   * drops, stalls or ends early is resumed as long as answers bring new bytes, until this
   * many answers in a row bring none; default 3.
   */
  maxAttempts?: number;
  /** Seconds one object may take to download, resumes included (limit download_timeout_seconds). */
  downloadTimeoutSeconds?: number;
}

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_CONCURRENCY = 4;

export interface S3ObjectInfo {
  bucket: string;
  key: string;
  size: number;
  etag?: string;
  /** On a versioned bucket. */
  versionId?: string;
  lastModified?: Date;
  contentType?: string;
}

/** An S3 client for one location whose credentials can be renewed after ExpiredToken. */
export interface S3Access {
  bucket: string;
  region: string;
  endpoint: string | undefined;
  credentials: CredentialSource;
  options: Required<S3DownloadOptions>;
  log?: Effects["log"];
  /** The endpoint as messages show it: without a user name or password. */
  endpointLabel: string;
  /**
   * Send a command; on ExpiredToken, renew the credentials and send it once more. Errors
   * become ReportErrors unless `raw`; once `abortSignal` fires, its reason is thrown.
   */
  send<T>(make: () => { input: unknown }, what: Operation, options?: SendOptions): Promise<T>;
}

export interface SendOptions {
  /** Throw the SDK's error as it is, not as a ReportError. */
  raw?: boolean;
  abortSignal?: AbortSignal;
}

/** What a request was doing, for messages. */
export interface Operation {
  action: "s3:GetObject" | "s3:ListBucket" | "s3:PutObject" | "s3:DeleteObject";
  /** The SDK operation name, e.g. HeadObject. */
  name: string;
  key?: string;
  prefix?: string;
}

/**
 * Download options from the environment: S3_PART_SIZE_MIB, S3_CONCURRENCY,
 * S3_TIMEOUT_SECONDS and S3_MAX_ATTEMPTS (docs/limits.md).
 */
export function downloadOptionsFromEnv(env: Env): S3DownloadOptions {
  const number = (name: string) => {
    const text = env[name]?.trim();
    if (!text) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) {
      throw new ReportError(`${name}="${text}" is not a positive number`, {
        hint: `Unset ${name} or give it a number greater than 0.`,
      });
    }
    return value;
  };
  const mib = number("S3_PART_SIZE_MIB");
  const seconds = number("S3_TIMEOUT_SECONDS");
  const attempts = number("S3_MAX_ATTEMPTS");
  return {
    partSize: mib === undefined ? undefined : Math.round(mib * 1024 * 1024),
    concurrency: number("S3_CONCURRENCY"),
    timeoutMs: seconds === undefined ? undefined : seconds * 1000,
    maxAttempts: attempts === undefined ? undefined : Math.max(1, Math.round(attempts)),
  };
}

const errorName = (error: unknown) =>
  error && typeof error === "object" && "name" in error ? String(error.name) : "";
const httpStatus = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/** Create the client for a location; the endpoint override switches to path-style addressing. */
export function createS3Access(
  location: Pick<S3Location, "bucket" | "region" | "endpoint">,
  credentials: CredentialSource,
  env: Env,
  options: S3DownloadOptions & { log?: Effects["log"] } = {},
): S3Access {
  const region = location.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
  const endpoint =
    location.endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const resolved: Required<S3DownloadOptions> = {
    partSize: Math.max(1, Math.floor(options.partSize ?? DEFAULT_PART_SIZE)),
    concurrency: Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY)),
    timeoutMs: options.timeoutMs ?? 30_000,
    maxAttempts: options.maxAttempts ?? 3,
    downloadTimeoutSeconds:
      options.downloadTimeoutSeconds ?? LIMITS.download_timeout_seconds.default,
  };
  const make = () =>
    new S3Client({
      region,
      endpoint,
      forcePathStyle: endpoint !== undefined,
      credentials: credentials.provider,
      maxAttempts: resolved.maxAttempts,
      // S3-compatible stores often lack the newer flexible checksums.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      requestHandler: {
        connectionTimeout: resolved.timeoutMs,
        socketTimeout: resolved.timeoutMs,
        httpAgent: { keepAlive: true, maxSockets: Math.max(resolved.concurrency, 8) },
        httpsAgent: { keepAlive: true, maxSockets: Math.max(resolved.concurrency, 8) },
      },
    });
  let client = make();

  const access: S3Access = {
    bucket: location.bucket,
    region,
    endpoint,
    endpointLabel: endpoint === undefined ? `S3 in ${region}` : withoutUserinfo(endpoint),
    credentials,
    options: resolved,
    log: options.log,
    async send<T>(
      command: () => { input: unknown },
      what: Operation,
      { raw = false, abortSignal }: SendOptions = {},
    ): Promise<T> {
      for (let attempt = 0; ; attempt++) {
        const used = client;
        try {
          // biome-ignore lint/suspicious/noExplicitAny: the SDK's overloads are per command type.
          return (await used.send(command() as any, { abortSignal })) as T;
        } catch (error) {
          if (abortSignal?.aborted) throw abortSignal.reason;
          if (errorName(error) === "ExpiredToken" && attempt === 0) {
            // The SDK caches credentials until 5 minutes before their stated expiry; a
            // server that disagrees (clock skew, revoked session) needs a fresh exchange.
            // Requests in flight may still use the old client, so it is left to close by itself.
            if (client === used) {
              credentials.provider.invalidate();
              client = make();
            }
            options.log?.verbose(`S3 answered ExpiredToken to ${what.name}; renewing credentials`);
            continue;
          }
          throw raw ? error : await explainS3Error(error, access, what);
        }
      }
    },
  };
  return access;
}

/** The s3://bucket/key form used in messages and the footer. */
export const s3Url = (bucket: string, key = "") => `s3://${bucket}/${key}`;

/** The error for an object replaced while it was being read (a new ETag). */
export function objectChangedError(target: string, cause?: unknown): ReportError {
  return new ReportError(`${target} changed while it was being downloaded`, {
    hint: "Build again once the upload that replaced it has finished.",
    cause,
  });
}

const CONNECTION_DROPPED = ["ECONNRESET", "EPIPE", "ECONNABORTED"];

/** Object names near `key` (same folder), closest first, for "did you mean". */
export async function nearbyKeys(access: S3Access, key: string): Promise<string[]> {
  const folder = key.includes("/") ? key.slice(0, key.lastIndexOf("/") + 1) : "";
  try {
    const listing = await listS3Objects(access, folder, { limit: 1000 });
    const scored = listing
      .map((o) => ({ key: o.key, d: editDistance(key.toLowerCase(), o.key.toLowerCase()) }))
      .sort((a, b) => a.d - b.d || (a.key < b.key ? -1 : 1));
    const allowed = Math.max(2, Math.floor(key.length / 3));
    const close = scored.filter((s) => s.d <= allowed).slice(0, 3);
    return (close.length ? close : scored.slice(0, 5)).map((s) => s.key);
  } catch {
    return [];
  }
}

/** Turn an SDK error into a ReportError that names the bucket, key, credentials and fix. */
export async function explainS3Error(
  error: unknown,
  access: S3Access,
  what: Operation,
): Promise<Error> {
  if (error instanceof ReportError) return error;
  const name = errorName(error);
  const status = httpStatus(error);
  const bucket = access.bucket;
  const target =
    what.key !== undefined ? s3Url(bucket, what.key) : s3Url(bucket, what.prefix ?? "");
  const source = access.credentials.describe();
  const onConnect = access.credentials.kind === "connect";
  const serverMessage = withoutUserinfo((error as Error)?.message ?? String(error));
  const code = (error as { code?: unknown })?.code;

  if (name === "NoSuchBucket") {
    return new ReportError(
      `S3 bucket "${bucket}" does not exist (reading ${target}${what.key !== undefined ? `, key "${what.key}"` : ""})`,
      {
        hint: `Check the bucket name (source.s3.bucket, usually AWS_BUCKET_NAME) and the region (${access.region})${access.endpoint ? ` and the endpoint ${access.endpointLabel}` : ""}.`,
        cause: error,
      },
    );
  }
  if (name === "NoSuchKey" || (name === "NotFound" && what.key !== undefined)) {
    const key = what.key ?? "";
    const near = await nearbyKeys(access, key);
    const folder = key.includes("/") ? key.slice(0, key.lastIndexOf("/") + 1) : "";
    const suggestion = near.length
      ? `Objects with similar names in bucket "${bucket}"${folder ? ` under "${folder}"` : ""}: ${near.map((k) => `"${k}"`).join(", ")}.`
      : `No objects found in bucket "${bucket}"${folder ? ` under "${folder}"` : ""}.`;
    return new ReportError(`S3 object not found: key "${key}" in bucket "${bucket}" (${target})`, {
      hint: `${suggestion} Check the key (source.s3.key, usually AWS_S3_FILEPATH); keys are case-sensitive.`,
      cause: error,
    });
  }
  if (
    name === "AccessDenied" ||
    name === "Forbidden" ||
    (status === 403 && !name.includes("Signature") && name !== "InvalidAccessKeyId")
  ) {
    const resource =
      what.action === "s3:ListBucket"
        ? `arn:aws:s3:::${bucket}`
        : `arn:aws:s3:::${bucket}/${what.key ?? ""}`;
    const whom = onConnect
      ? "the IAM role of the AWS integration associated with the content on Connect"
      : `the IAM user or role behind ${source}`;
    return new ReportError(
      `Access denied: ${what.action} on ${resource} was refused for the credentials from ${source} (${what.name})`,
      {
        hint: `Allow ${what.action} on ${resource} for ${whom}${onConnect ? "" : ", or use other credentials (AWS_PROFILE or environment variables)"}.`,
        cause: error,
      },
    );
  }
  if (name === "ExpiredToken" || name === "TokenRefreshRequired") {
    return new ReportError(
      `The AWS credentials from ${source} have expired (S3 refused ${what.name} on ${target}, also after renewing them)`,
      {
        hint: onConnect
          ? "Connect issued credentials that S3 considers expired: check the clock of the Connect server and the integration's session duration."
          : "Renew them: `aws sso login` for SSO profiles, or new temporary keys in AWS_SESSION_TOKEN / the profile.",
        cause: error,
      },
    );
  }
  if (
    name === "InvalidAccessKeyId" ||
    name === "SignatureDoesNotMatch" ||
    name === "InvalidToken"
  ) {
    const why = {
      InvalidAccessKeyId: "S3 does not know the access key",
      SignatureDoesNotMatch: "the secret key does not match the access key",
      InvalidToken: "the session token is invalid",
    }[name];
    return new ReportError(
      `S3 refused the credentials from ${source}: ${why} (${name}, ${what.name} on ${target})`,
      {
        hint: onConnect
          ? "Check the AWS integration's configuration on Connect (role ARN, trust policy)."
          : "Check the keys (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN or the profile) and the endpoint.",
        cause: error,
      },
    );
  }
  if (name === "AuthorizationHeaderMalformed" || name === "PermanentRedirect" || status === 301) {
    return new ReportError(
      `Bucket "${bucket}" is not in region ${access.region} (${what.name} on ${target})`,
      {
        hint: "Set source.s3.region (usually AWS_REGION) to the bucket's region.",
        cause: error,
      },
    );
  }
  // The SDK names a reset connection a TimeoutError too; the code tells them apart.
  if (
    (typeof code === "string" && CONNECTION_DROPPED.includes(code)) ||
    /socket hang up/i.test(serverMessage)
  ) {
    return new ReportError(
      `The connection to S3 dropped before it answered ${what.name} on ${target} (after ${access.options.maxAttempts} attempts)`,
      {
        hint: `Check the network and the endpoint (${access.endpointLabel}); raise the attempts with S3_MAX_ATTEMPTS.`,
        cause: error,
      },
    );
  }
  if (
    name === "TimeoutError" ||
    name === "RequestTimeout" ||
    /ETIMEDOUT|timed out/i.test(serverMessage)
  ) {
    return new ReportError(
      `S3 did not answer ${what.name} on ${target} within ${access.options.timeoutMs / 1000} s (after ${access.options.maxAttempts} attempts)`,
      {
        hint: `Check the network and the endpoint (${access.endpointLabel}); raise the limit with S3_TIMEOUT_SECONDS.`,
        cause: error,
      },
    );
  }
  if (name === "CredentialsProviderError") {
    return new ReportError("No AWS credentials found", { hint: NO_CREDENTIALS_HINT, cause: error });
  }
  if (name === "PreconditionFailed") return objectChangedError(target, error);
  return new ReportError(
    `S3 ${what.name} on ${target} failed: ${name || "error"}${status ? ` (HTTP ${status})` : ""}: ${serverMessage}`,
    { hint: `Credentials from ${source}.`, cause: error },
  );
}

/** HeadObject: size, ETag, last-modified and content type. HEAD errors carry no code, so a 1-byte GET explains them. */
export async function headS3Object(access: S3Access, key: string): Promise<S3ObjectInfo> {
  const what: Operation = { action: "s3:GetObject", name: "HeadObject", key };
  let head: {
    ContentLength?: number;
    ETag?: string;
    VersionId?: string;
    LastModified?: Date;
    ContentType?: string;
  };
  try {
    head = await access.send(
      () => new HeadObjectCommand({ Bucket: access.bucket, Key: key }),
      what,
      { raw: true },
    );
  } catch (error) {
    if (httpStatus(error) === undefined) throw await explainS3Error(error, access, what);
    // A HEAD answer has no body, so NoSuchBucket, ExpiredToken, … all look alike; a GET of
    // one byte gets the error code, and renews the credentials on ExpiredToken, after
    // which the HEAD is worth one more try.
    await access.send(
      () => new GetObjectCommand({ Bucket: access.bucket, Key: key, Range: "bytes=0-0" }),
      { ...what, name: "GetObject" },
    );
    head = await access.send(
      () => new HeadObjectCommand({ Bucket: access.bucket, Key: key }),
      what,
    );
  }
  return {
    bucket: access.bucket,
    key,
    size: head.ContentLength ?? 0,
    etag: head.ETag,
    ...(head.VersionId === undefined ? {} : { versionId: head.VersionId }),
    lastModified: head.LastModified,
    contentType: head.ContentType,
  };
}

/** All objects under `prefix`, following ListObjectsV2 continuation tokens. */
export async function listS3Objects(
  access: S3Access,
  prefix: string,
  options: { pageSize?: number; limit?: number } = {},
): Promise<S3ObjectInfo[]> {
  const objects: S3ObjectInfo[] = [];
  let token: string | undefined;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  do {
    const page = await access.send<{
      Contents?: { Key?: string; Size?: number; ETag?: string; LastModified?: Date }[];
      NextContinuationToken?: string;
      IsTruncated?: boolean;
    }>(
      () =>
        new ListObjectsV2Command({
          Bucket: access.bucket,
          Prefix: prefix || undefined,
          ContinuationToken: token,
          MaxKeys: options.pageSize,
        }),
      { action: "s3:ListBucket", name: "ListObjectsV2", prefix },
    );
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined) continue;
      objects.push({
        bucket: access.bucket,
        key: item.Key,
        size: item.Size ?? 0,
        etag: item.ETag,
        lastModified: item.LastModified,
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && objects.length < limit);
  return objects.slice(0, limit);
}
