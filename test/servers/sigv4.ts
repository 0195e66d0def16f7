// SigV4 header signatures checked with node:crypto against the keys of a KeyRegistry, for the
// AWS test servers (s3.ts, athena.ts): unknown keys, expired or missing session tokens, a
// wrong region or service, clock skew and bad signatures each fail with S3's error code;
// a server maps those to its own service's codes.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { KeyRegistry } from "./aws-keys.ts";

/** A signature check that failed: the HTTP status, S3's error code, and extra XML fields. */
export class SigV4Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Where a signature must be scoped, and the clock to check its date against. */
export interface SigV4Scope {
  region: string;
  service: string;
  now: Date;
}

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) =>
  createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

interface ParsedAuth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string): ParsedAuth {
  const match =
    /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      header.trim(),
    );
  if (!match) {
    throw new SigV4Error(
      400,
      "AuthorizationHeaderMalformed",
      "The authorization header is malformed.",
    );
  }
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(";"), signature };
}

/** The canonical query string: pairs decoded, re-encoded strictly, sorted by name then value. */
function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return "";
  return rawQuery
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1));
      return [uriEncode(name), uriEncode(value)] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

/**
 * Check the request's SigV4 header signature; returns the access key it was signed with.
 * S3 signs the path as sent (no second encoding, no normalisation).
 */
export function verifySigV4(
  req: IncomingMessage,
  body: Buffer,
  registry: KeyRegistry,
  scope: SigV4Scope,
  onKey: (accessKeyId: string) => void = () => {},
): string {
  const { region, service, now } = scope;
  const header = req.headers.authorization;
  if (!header) throw new SigV4Error(403, "AccessDenied", "Anonymous access is not allowed.");
  const auth = parseAuthorization(header);
  onKey(auth.accessKeyId);
  const key = registry.get(auth.accessKeyId);
  if (!key) {
    throw new SigV4Error(
      403,
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
      { AWSAccessKeyId: auth.accessKeyId },
    );
  }
  if (auth.region !== region || auth.service !== service) {
    throw new SigV4Error(
      400,
      "AuthorizationHeaderMalformed",
      `The authorization header is malformed; the region '${auth.region}' is wrong; expecting '${region}'`,
      { Region: region },
    );
  }
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const parsed = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!parsed || amzDate.slice(0, 8) !== auth.date) {
    throw new SigV4Error(
      403,
      "AccessDenied",
      "X-Amz-Date is missing or does not match the credential scope.",
    );
  }
  const [, y, mo, d, h, mi, s] = parsed.map(Number);
  const signedAt = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Math.abs(now.getTime() - signedAt) > 15 * 60_000) {
    throw new SigV4Error(
      403,
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
    );
  }
  if (key.sessionToken !== undefined) {
    const token = req.headers["x-amz-security-token"];
    if (token !== key.sessionToken || !auth.signedHeaders.includes("x-amz-security-token")) {
      throw new SigV4Error(
        400,
        "InvalidToken",
        "The provided token is malformed or otherwise invalid.",
      );
    }
    if (key.expiration && key.expiration.getTime() <= now.getTime()) {
      throw new SigV4Error(400, "ExpiredToken", "The provided token has expired.");
    }
  }
  if (!auth.signedHeaders.includes("host")) {
    throw new SigV4Error(400, "AuthorizationHeaderMalformed", "The host header must be signed.");
  }
  // S3 signs the payload hash it is sent in a header; other services hash the body themselves.
  const payloadHash =
    service === "s3" ? String(req.headers["x-amz-content-sha256"] ?? "") : sha256Hex(body);
  if (!payloadHash) {
    throw new SigV4Error(
      400,
      "InvalidRequest",
      "Missing required header for this request: x-amz-content-sha256",
    );
  }
  if (payloadHash !== "UNSIGNED-PAYLOAD" && payloadHash !== sha256Hex(body)) {
    throw new SigV4Error(
      400,
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }

  const rawUrl = req.url ?? "/";
  const q = rawUrl.indexOf("?");
  const canonicalHeaders = auth.signedHeaders
    .map((name) => {
      const value = req.headers[name];
      const text = Array.isArray(value) ? value.join(",") : (value ?? "");
      return `${name}:${text.trim().replace(/\s+/g, " ")}\n`;
    })
    .join("");
  const canonicalRequest = [
    req.method,
    q < 0 ? rawUrl : rawUrl.slice(0, q),
    canonicalQuery(q < 0 ? "" : rawUrl.slice(q + 1)),
    canonicalHeaders,
    auth.signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
  const credentialScope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    credentialScope,
    sha256Hex(canonicalRequest),
  ].join("\n");
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, auth.date), auth.region), auth.service),
    "aws4_request",
  );
  const expected = createHmac("sha256", signingKey).update(stringToSign).digest();
  const given = Buffer.from(auth.signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SigV4Error(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      { AWSAccessKeyId: auth.accessKeyId, StringToSign: stringToSign },
    );
  }
  return auth.accessKeyId;
}
