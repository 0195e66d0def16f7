// An S3-compatible test server on 127.0.0.1 (path-style) that verifies SigV4 header
// signatures itself, with node:crypto, against the keys in a KeyRegistry shared with the
// Connect test server: InvalidAccessKeyId for unknown keys, ExpiredToken for expired ones,
// SignatureDoesNotMatch for bad signatures. GetObject (with Range, incl. suffix ranges, and
// If-Match), HeadObject, paged ListObjectsV2. Every request is recorded with its access key.
// Optional per-request latency and a per-response bandwidth cap make download benchmarks
// mean something on loopback. Faults injected per object, for one request or every one, break
// GetObject bodies the ways real networks and stores do (short, long, dropped, trickling, an
// object replaced between requests), after the signature has been checked as usual.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { KeyRegistry } from "./aws-keys.ts";
import { SigV4Error, verifySigV4 } from "./sigv4.ts";

export interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
}

export interface S3Recorded {
  method: string;
  bucket?: string;
  key?: string;
  /** "GetObject", "HeadObject", "PutObject", "DeleteObject", "ListObjectsV2" or "Unknown". */
  action: string;
  accessKeyId?: string;
  range?: string;
  status: number;
  /** The S3 error code when the request failed. */
  error?: string;
  /** Order in which responses finished (1, 2, …). */
  finished?: number;
  /** The If-Match header, when sent. */
  ifMatch?: string;
  /** The If-None-Match header, when sent (PutObject with `*` refuses to replace a key). */
  ifNoneMatch?: string;
  /** The fault injected into this request, if any. */
  fault?: FaultKind;
  /** Body bytes written to the connection (GetObject). */
  bytesSent?: number;
}

/** The ways a GetObject answer can be broken on purpose. */
export const FAULT_KINDS = ["short", "long", "drop", "trickle", "change", "reset"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * One broken answer. `times` is how many GetObject requests of the object it breaks, in turn
 * (default 1; Infinity for every request).
 */
export type Fault = { times?: number } & (
  | /** A well-formed answer that holds all but the last `missing` bytes asked for. */
  { kind: "short"; missing: number }
  /** The bytes asked for, then `extraBytes` more; announced in Content-Length, or chunked. */
  | { kind: "long"; extraBytes: number; announce?: boolean }
  /** Announces every byte asked for, sends `afterBytes` of them, then closes the connection. */
  | { kind: "drop"; afterBytes: number }
  /** Sends `afterBytes` (default 0) at once, then the rest at `bytesPerSecond`. */
  | { kind: "trickle"; bytesPerSecond: number; afterBytes?: number }
  /**
   * The object is replaced (new bytes, new ETag) just before this request is answered; with
   * `honourIfMatch: false` the server then ignores If-Match, as some stores do.
   */
  | { kind: "change"; body?: Uint8Array | string; honourIfMatch?: boolean }
  /** Closes the connection without an answer. */
  | { kind: "reset" }
);

export interface Throttle {
  /** Delay before each response starts. */
  latencyMs: number;
  /** Cap on each response body's rate (per connection, as S3 per-request throughput is). */
  bytesPerSecond?: number;
  /** Extra delay for particular requests, e.g. to make later ranges finish first. */
  latencyFor?: (request: S3Recorded) => number;
}

export interface S3ServerOptions {
  registry: KeyRegistry;
  /** The region signatures must be scoped to; default us-east-1. */
  region?: string;
  throttle?: Throttle;
  /** Largest page ListObjectsV2 returns, whatever MaxKeys asks; default 1000. */
  maxPageSize?: number;
  now?: () => Date;
}

export interface S3TestServer {
  /** Endpoint URL, e.g. http://127.0.0.1:41234 (use path-style addressing). */
  url: string;
  region: string;
  requests: S3Recorded[];
  throttle: Throttle;
  /** Refuse an action: return false to answer AccessDenied. Default: allow everything. */
  allow: (request: { accessKeyId: string; action: string; resource: string }) => boolean;
  createBucket(bucket: string): void;
  /** Break the next GetObject requests of bucket/key, one fault after another. */
  injectFaults(bucket: string, key: string, faults: Fault[]): void;
  /** Remove every fault still waiting. */
  clearFaults(): void;
  putObject(
    bucket: string,
    key: string,
    body: Uint8Array | string,
    contentType?: string,
  ): StoredObject;
  /** The object stored at bucket/key, as a test reads it back (no request). */
  getObject(bucket: string, key: string): StoredObject | undefined;
  /** The keys of bucket that start with `prefix`, sorted (no request; for the Athena server). */
  listKeys(bucket: string, prefix: string): string[];
  close(): Promise<void>;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const xmlEscape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Check the request's SigV4 header signature (sigv4.ts), as S3 errors. */
function verifySignature(
  req: IncomingMessage,
  body: Buffer,
  registry: KeyRegistry,
  region: string,
  now: Date,
  record: S3Recorded,
): string {
  try {
    return verifySigV4(req, body, registry, { region, service: "s3", now }, (key) => {
      record.accessKeyId = key;
    });
  } catch (error) {
    if (error instanceof SigV4Error)
      throw new S3Error(error.status, error.code, error.message, error.extra);
    throw error;
  }
}

/** Parse a single `bytes=` range against the object's size; undefined means the whole object. */
function parseRange(header: string | undefined, size: number): [number, number] | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const invalid = () =>
    new S3Error(416, "InvalidRange", "The requested range is not satisfiable", {
      RangeRequested: header,
      ActualObjectSize: String(size),
    });
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw invalid();
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) throw invalid();
  return [start, end];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function writeThrottled(res: ServerResponse, data: Buffer, bytesPerSecond?: number) {
  if (!bytesPerSecond) {
    res.end(data);
    return;
  }
  const tickMs = 20;
  const chunk = Math.max(1, Math.floor((bytesPerSecond * tickMs) / 1000));
  for (let offset = 0; offset < data.length; offset += chunk) {
    if (res.destroyed) return;
    const ok = res.write(data.subarray(offset, offset + chunk));
    if (!ok) await new Promise((resolve) => res.once("drain", resolve));
    await sleep(tickMs);
  }
  res.end();
}

/** Wait until the client has taken what was written, or has gone. */
const drained = (res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });

/** Write `data`, counting what was handed to the connection; false once the client has gone. */
async function writeCounted(res: ServerResponse, data: Buffer, record: S3Recorded) {
  if (res.destroyed) return false;
  record.bytesSent = (record.bytesSent ?? 0) + data.length;
  if (!res.write(data)) await drained(res);
  return !res.destroyed;
}

/** Answer with a broken body: `data` is what was asked for, `headers` the usual ones. */
async function writeFault(
  res: ServerResponse,
  fault: Exclude<Fault, { kind: "change" }>,
  status: number,
  headers: Record<string, string | number>,
  data: Buffer,
  record: S3Recorded,
) {
  switch (fault.kind) {
    case "short": {
      const kept = data.subarray(0, Math.max(0, data.length - fault.missing));
      const range = headers["content-range"];
      if (typeof range === "string") {
        const [, start, total] = /^bytes (\d+)-\d+\/(\d+)$/.exec(range) ?? [];
        // An empty answer cannot name a range, so it keeps the one asked for, as a broken store might.
        if (kept.length)
          headers["content-range"] = `bytes ${start}-${Number(start) + kept.length - 1}/${total}`;
      }
      res.writeHead(status, { ...headers, "content-length": kept.length });
      await writeCounted(res, kept, record);
      res.end();
      return;
    }
    case "long": {
      const total = data.length + fault.extraBytes;
      res.writeHead(status, fault.announce ? { ...headers, "content-length": total } : headers);
      if (!(await writeCounted(res, data, record))) return;
      const junk = Buffer.alloc(64 * 1024, 0x41);
      for (let left = fault.extraBytes; left > 0; left -= junk.length) {
        if (!(await writeCounted(res, junk.subarray(0, Math.min(left, junk.length)), record)))
          return;
      }
      res.end();
      return;
    }
    case "drop": {
      res.writeHead(status, { ...headers, "content-length": data.length });
      res.flushHeaders();
      const sent = data.subarray(0, Math.min(fault.afterBytes, data.length));
      record.bytesSent = sent.length;
      await new Promise<void>((resolve) => res.write(sent, () => resolve()));
      res.socket?.destroy();
      return;
    }
    case "reset":
      res.socket?.destroy();
      return;
    case "trickle": {
      res.writeHead(status, { ...headers, "content-length": data.length });
      // The answer has begun: what follows is a slow body, not a slow server.
      res.flushHeaders();
      const first = Math.min(fault.afterBytes ?? 0, data.length);
      if (first && !(await writeCounted(res, data.subarray(0, first), record))) return;
      const tickMs = Math.max(20, Math.ceil(1000 / fault.bytesPerSecond));
      const chunk = Math.max(1, Math.round((fault.bytesPerSecond * tickMs) / 1000));
      for (let offset = first; offset < data.length; offset += chunk) {
        await sleep(tickMs);
        if (!(await writeCounted(res, data.subarray(offset, offset + chunk), record))) return;
      }
      res.end();
      return;
    }
    default:
      return assertNever(fault);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected fault ${JSON.stringify(value)}`);
}

/** Start the server; buckets and objects are added with createBucket/putObject. */
export async function startS3Server(options: S3ServerOptions): Promise<S3TestServer> {
  const region = options.region ?? "us-east-1";
  const now = options.now ?? (() => new Date());
  const maxPageSize = options.maxPageSize ?? 1000;
  const buckets = new Map<string, Map<string, StoredObject>>();
  const requests: S3Recorded[] = [];
  const faults = new Map<string, Fault[]>();
  let finished = 0;

  /** The fault for this GetObject of bucket/key, used up as `times` runs out. */
  const takeFault = (bucket: string, key: string): Fault | undefined => {
    const queue = faults.get(`${bucket}/${key}`);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) queue.shift();
    else queue[0] = { ...fault, times: left };
    return fault;
  };

  const state: S3TestServer = {
    url: "",
    region,
    requests,
    throttle: options.throttle ?? { latencyMs: 0 },
    allow: () => true,
    createBucket(bucket) {
      if (!buckets.has(bucket)) buckets.set(bucket, new Map());
    },
    injectFaults(bucket, key, list) {
      faults.set(`${bucket}/${key}`, [...(faults.get(`${bucket}/${key}`) ?? []), ...list]);
    },
    clearFaults() {
      faults.clear();
    },
    putObject(bucket, key, body, contentType = "application/octet-stream") {
      state.createBucket(bucket);
      const bytes = typeof body === "string" ? Buffer.from(body) : Buffer.from(body);
      const object = {
        body: bytes,
        etag: `"${createHash("md5").update(bytes).digest("hex")}"`,
        lastModified: new Date(Math.floor(now().getTime() / 1000) * 1000),
        contentType,
      };
      buckets.get(bucket)?.set(key, object);
      return object;
    },
    getObject: (bucket, key) => buckets.get(bucket)?.get(key),
    listKeys: (bucket, prefix) =>
      [...(buckets.get(bucket)?.keys() ?? [])].filter((k) => k.startsWith(prefix)).sort(),
    close: async () => {},
  };

  function sendError(res: ServerResponse, method: string, path: string, error: S3Error) {
    const requestId = randomBytes(8).toString("hex").toUpperCase();
    res.writeHead(error.status, {
      "content-type": "application/xml",
      "x-amz-request-id": requestId,
    });
    if (method === "HEAD") {
      res.end();
      return;
    }
    const extra = Object.entries(error.extra)
      .map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
      .join("");
    res.end(
      `${XML_HEAD}<Error><Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message>${extra}<Resource>${xmlEscape(path)}</Resource><RequestId>${requestId}</RequestId></Error>`,
    );
  }

  function listObjects(
    res: ServerResponse,
    bucket: string,
    objects: Map<string, StoredObject>,
    url: URL,
  ) {
    const prefix = url.searchParams.get("prefix") ?? "";
    const maxKeys = Math.min(Number(url.searchParams.get("max-keys") ?? 1000), maxPageSize);
    const token = url.searchParams.get("continuation-token");
    const after = token
      ? Buffer.from(token, "base64url").toString("utf8")
      : (url.searchParams.get("start-after") ?? "");
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => {
        const o = objects.get(k) as StoredObject;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join("");
    const next = truncated
      ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]).toString("base64url")}</NextContinuationToken>`
      : "";
    const given = token ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : "";
    res.writeHead(200, { "content-type": "application/xml" });
    res.end(
      `${XML_HEAD}<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${given}${next}${contents}</ListBucketResult>`,
    );
  }

  /** PutObject; `If-None-Match: *` refuses (412) to replace an existing key, as S3 does. */
  function putObject(
    res: ServerResponse,
    bucket: string,
    key: string,
    body: Buffer,
    req: IncomingMessage,
  ) {
    if (req.headers["if-none-match"] === "*" && buckets.get(bucket)?.has(key)) {
      throw new S3Error(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        { Condition: "If-None-Match" },
      );
    }
    const type = req.headers["content-type"] ?? "application/octet-stream";
    const stored = state.putObject(bucket, key, body, type);
    res.writeHead(200, { etag: stored.etag });
    res.end();
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    record: S3Recorded,
  ) {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const segments = url.pathname.split("/");
    const bucket = decodeURIComponent(segments[1] ?? "");
    const key = segments.length > 2 ? decodeURIComponent(segments.slice(2).join("/")) : "";
    record.bucket = bucket || undefined;
    record.key = key || undefined;
    const listing = !key && url.searchParams.get("list-type") === "2";
    const objectActions: Record<string, string> = {
      HEAD: "HeadObject",
      PUT: "PutObject",
      DELETE: "DeleteObject",
    };
    record.action = key
      ? (objectActions[method] ?? "GetObject")
      : listing
        ? "ListObjectsV2"
        : "Unknown";
    if (typeof req.headers.range === "string") record.range = req.headers.range;
    if (typeof req.headers["if-match"] === "string") record.ifMatch = req.headers["if-match"];
    if (typeof req.headers["if-none-match"] === "string")
      record.ifNoneMatch = req.headers["if-none-match"];

    const accessKeyId = verifySignature(req, body, options.registry, region, now(), record);
    const delay = state.throttle.latencyMs + (state.throttle.latencyFor?.(record) ?? 0);
    if (delay) await sleep(delay);

    const resource = key ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`;
    const iamAction = !key
      ? "s3:ListBucket"
      : method === "PUT"
        ? "s3:PutObject"
        : method === "DELETE"
          ? "s3:DeleteObject"
          : "s3:GetObject";
    if (!state.allow({ accessKeyId, action: iamAction, resource })) {
      throw new S3Error(403, "AccessDenied", "Access Denied");
    }
    const objects = buckets.get(bucket);
    if (!objects) {
      throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist", {
        BucketName: bucket,
      });
    }
    if (!key) {
      if (method === "GET" && listing) return listObjects(res, bucket, objects, url);
      throw new S3Error(
        501,
        "NotImplemented",
        "This test server implements only ListObjectsV2 on buckets.",
      );
    }
    if (method === "PUT") return putObject(res, bucket, key, body, req);
    if (method === "DELETE") {
      // S3 answers 204 whether or not the key existed.
      objects.delete(key);
      res.writeHead(204);
      res.end();
      return;
    }
    if (method !== "GET" && method !== "HEAD") {
      throw new S3Error(
        501,
        "NotImplemented",
        `This test server does not implement ${method} on objects.`,
      );
    }
    const fault = method === "GET" && objects.has(key) ? takeFault(bucket, key) : undefined;
    if (fault) record.fault = fault.kind;
    if (fault?.kind === "change") {
      const old = objects.get(key) as StoredObject;
      state.putObject(
        bucket,
        key,
        fault.body ?? Buffer.concat([old.body, Buffer.from("\nchanged")]),
        old.contentType,
      );
    }
    const object = objects.get(key);
    if (!object)
      throw new S3Error(404, "NoSuchKey", "The specified key does not exist.", { Key: key });
    const ifMatch = req.headers["if-match"];
    const honourIfMatch = fault?.kind !== "change" || fault.honourIfMatch !== false;
    if (honourIfMatch && ifMatch && ifMatch !== object.etag && ifMatch !== "*") {
      throw new S3Error(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        { Condition: "If-Match" },
      );
    }
    const size = object.body.length;
    const range = method === "GET" ? parseRange(req.headers.range, size) : undefined;
    const headers: Record<string, string | number> = {
      "content-type": object.contentType,
      etag: object.etag,
      "last-modified": object.lastModified.toUTCString(),
      "accept-ranges": "bytes",
    };
    if (method === "HEAD") {
      res.writeHead(200, { ...headers, "content-length": size });
      res.end();
      return;
    }
    const [start, end] = range ?? [0, size - 1];
    const data = object.body.subarray(start, end + 1);
    if (range) headers["content-range"] = `bytes ${start}-${end}/${size}`;
    if (fault && fault.kind !== "change") {
      await writeFault(res, fault, range ? 206 : 200, headers, data, record);
      return;
    }
    res.writeHead(range ? 206 : 200, { ...headers, "content-length": data.length });
    record.bytesSent = data.length;
    await writeThrottled(res, data, state.throttle.bytesPerSecond);
  }

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const record: S3Recorded = { method: req.method ?? "GET", action: "Unknown", status: 0 };
    requests.push(record);
    try {
      await handle(req, res, Buffer.concat(chunks), record);
      record.status = res.statusCode;
      record.finished = ++finished;
    } catch (error) {
      const s3Error =
        error instanceof S3Error
          ? error
          : new S3Error(500, "InternalError", (error as Error).message);
      record.status = s3Error.status;
      record.error = s3Error.code;
      if (!res.headersSent)
        sendError(res, req.method ?? "GET", new URL(req.url ?? "/", "http://x").pathname, s3Error);
      else res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
