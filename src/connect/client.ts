// A thin fetch-based client for Connect's API: Key auth, timeouts, retries, session cookies,
// and Connect's error body, which reaches a message only through serverText (server-text.ts).
import { ReportError } from "../errors.ts";
import { serverText } from "./server-text.ts";

/** How to reach a Connect server. */
export interface ConnectClientOptions {
  /** CONNECT_SERVER; `/__api__` is appended when missing, as the Posit SDKs do. */
  server: string;
  /** CONNECT_API_KEY; sent as `Authorization: Key …`. Omit for unauthenticated calls. */
  apiKey?: string;
  fetch?: typeof globalThis.fetch;
  /** Per-attempt timeout; default 30 s. */
  timeoutMs?: number;
  /** Retries after network errors and 5xx answers; default 3. */
  retries?: number;
  /** First backoff delay, doubled each retry; default 250 ms. */
  backoffMs?: number;
}

export interface ConnectRequest {
  /** JSON body. */
  json?: unknown;
  /** application/x-www-form-urlencoded body; undefined values are omitted. */
  form?: Record<string, string | undefined>;
  /** Raw body (a bundle). */
  body?: Uint8Array;
  contentType?: string;
  query?: Record<string, string | number | undefined>;
  /** Whether a failed attempt may be sent again; default true for GET. */
  idempotent?: boolean;
  /** Values in this request that no message may quote (e.g. the subject token). */
  secrets?: readonly string[];
  /** This request's timeout, when shorter than the client's. */
  timeoutMs?: number;
}

/** A thin HTTP client for Connect's API: auth, timeouts, retries and Connect's error body. */
export interface ConnectClient {
  /** The API root, ending in `/__api__`. */
  readonly apiUrl: string;
  /** The server root, for content and dashboard links. */
  readonly serverUrl: string;
  request<T>(method: string, path: string, request?: ConnectRequest): Promise<T>;
  /**
   * Text from the server made safe to print (server-text.ts), with the API key and the
   * session cookies redacted; for task logs and anything else quoted from a reply.
   */
  quote(text: string, maxChars?: number): string;
}

/** An HTTP error from Connect, carrying the server's own message and code. */
export class ConnectApiError extends ReportError {
  readonly status: number;
  readonly code: number | undefined;
  readonly serverMessage: string;

  constructor(
    method: string,
    url: string,
    status: number,
    serverMessage: string,
    code: number | undefined,
    hint?: string,
  ) {
    const codeText = code === undefined ? "" : `, code ${code}`;
    super(`Connect answered ${method} ${url} with HTTP ${status}${codeText}: ${serverMessage}`, {
      hint,
    });
    this.name = "ConnectApiError";
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
  }
}

/** Normalise CONNECT_SERVER to the server root and the API root. */
export function connectUrls(server: string): { serverUrl: string; apiUrl: string } {
  const trimmed = server.trim().replace(/\/+$/, "");
  // The value is not repeated: it comes from the environment and may hold a password.
  if (!/^https?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) {
    throw new ReportError("CONNECT_SERVER is not an http(s) URL", {
      hint: "Set CONNECT_SERVER to the server's address, e.g. https://connect.example.com",
    });
  }
  const parsed = new URL(trimmed);
  if (parsed.username || parsed.password) {
    throw new ReportError("CONNECT_SERVER must not contain a user name or password", {
      hint: "Connect authenticates with CONNECT_API_KEY: set CONNECT_SERVER to the bare address, e.g. https://connect.example.com",
    });
  }
  const serverUrl = trimmed.replace(/\/__api__$/, "");
  return { serverUrl, apiUrl: `${serverUrl}/__api__` };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Error bodies longer than this are not read further (a proxy may echo a whole bundle). */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Read Connect's `{code, error, payload}` body, or fall back to the text or the status; the
 * message is filtered by `quote`.
 */
async function errorDetails(
  response: Response,
  quote: (text: string) => string,
): Promise<{ message: string; code?: number }> {
  const text = await readCapped(response, MAX_ERROR_BODY).catch(() => "");
  try {
    const body = JSON.parse(text) as { code?: unknown; error?: unknown };
    if (body && typeof body.error === "string") {
      return {
        message: quote(body.error) || "no message",
        code: typeof body.code === "number" ? body.code : undefined,
      };
    }
  } catch {
    // Not JSON: Connect and proxies in front of it answer some errors in plain text.
  }
  return { message: quote(text) || quote(response.statusText) || "no message" };
}

/** The first `limit` bytes of a body as text; the rest is not read. */
async function readCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(Math.min(size, limit));
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
  }
  return new TextDecoder().decode(bytes);
}

/** Create a client for one Connect server. */
export function createConnectClient(options: ConnectClientOptions): ConnectClient {
  const { serverUrl, apiUrl } = connectUrls(options.server);
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 250;
  // Load-balanced Connect pins a session with cookies; without them task polling can 404.
  const cookies = new Map<string, string>();
  const quote = (text: string, maxChars?: number, secrets: readonly string[] = []) =>
    serverText(text, {
      secrets: [...(options.apiKey ? [options.apiKey] : []), ...cookies.values(), ...secrets],
      maxChars,
    });

  async function request<T>(method: string, path: string, req: ConnectRequest = {}): Promise<T> {
    const url = new URL(`${apiUrl}/${path.replace(/^\/+/, "")}`);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { Accept: "application/json" };
    if (options.apiKey) headers.Authorization = `Key ${options.apiKey}`;
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (req.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(req.json);
    } else if (req.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(req.form))
        if (v !== undefined && v !== "") form.set(k, v);
      body = form.toString();
    } else if (req.body) {
      headers["Content-Type"] = req.contentType ?? "application/octet-stream";
      // Bundles come from zlib or readFile, whose buffers are never shared memory.
      body = req.body as Uint8Array<ArrayBuffer>;
    }
    const idempotent = req.idempotent ?? method === "GET";
    const where = `${url.pathname}${url.search}`;
    const attemptTimeout = Math.min(timeoutMs, req.timeoutMs ?? timeoutMs);
    const quoteHere = (text: string) => quote(text, undefined, req.secrets);

    for (let attempt = 0; ; attempt++) {
      if (cookies.size) headers.Cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      let response: Response;
      try {
        response = await doFetch(url, {
          method,
          headers,
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(attemptTimeout),
        });
      } catch (error) {
        const tls = certificateProblem(error);
        // A certificate that fails verification fails again: only network trouble is retried.
        if (idempotent && attempt < retries && !tls) {
          await sleep(backoffMs * 2 ** attempt);
          continue;
        }
        const timedOut = error instanceof Error && error.name === "TimeoutError";
        throw new ReportError(
          timedOut
            ? `Connect did not answer ${method} ${where} within ${attemptTimeout / 1000} s`
            : tls
              ? `Could not verify the TLS certificate of ${serverUrl} (${tls})`
              : `Could not reach Connect at ${serverUrl} (${method} ${where}): ${quoteHere((error as Error).message)}`,
          {
            hint: tls
              ? "If the server uses a private certificate authority, pass --cacert FILE with its PEM certificate (or --insecure to skip the check, for testing only)."
              : "Check CONNECT_SERVER and that this machine can reach the server.",
            cause: error,
          },
        );
      }
      for (const header of response.headers.getSetCookie?.() ?? []) {
        const [pair] = header.split(";");
        const eq = pair.indexOf("=");
        if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      if (response.status >= 500 && idempotent && attempt < retries) {
        await response.body?.cancel();
        await sleep(backoffMs * 2 ** attempt);
        continue;
      }
      if (response.status >= 300 && response.status < 400) {
        const location = response.headers.get("location") ?? "";
        await response.body?.cancel();
        const origin =
          /^https?:\/\//.test(location) && URL.canParse(location)
            ? quoteHere(new URL(location).origin)
            : undefined;
        throw new ReportError(
          `Connect answered ${method} ${where} with a redirect (HTTP ${response.status})${origin ? ` to ${origin}` : ""}.`,
          {
            hint: origin
              ? `Set CONNECT_SERVER to ${origin} (API calls are not followed through redirects).`
              : "Check CONNECT_SERVER: it should be the server's address, usually https://.",
          },
        );
      }
      if (!response.ok) {
        const { message, code } = await errorDetails(response, quoteHere);
        throw new ConnectApiError(
          method,
          where,
          response.status,
          message,
          code,
          hintFor(response.status),
        );
      }
      if (response.status === 204) return undefined as T;
      const text = await response.text();
      try {
        return (text ? JSON.parse(text) : undefined) as T;
      } catch {
        // Never quote the body: from the credential exchange it would be a token.
        throw new ReportError(
          `Connect answered ${method} ${where} with something that is not JSON (${quoteHere(response.headers.get("content-type") ?? "no content type")}).`,
          {
            hint: "Check that CONNECT_SERVER points at Connect itself, not a proxy or login page.",
          },
        );
      }
    }
  }

  return { apiUrl, serverUrl, request, quote: (text, maxChars) => quote(text, maxChars) };
}

/** OpenSSL's code when a connection failed on the server's certificate, else undefined. */
function certificateProblem(error: unknown): string | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT/.test(code)) return code;
  }
  return undefined;
}

function hintFor(status: number): string | undefined {
  if (status === 401)
    return "CONNECT_API_KEY was refused: create a new API key in Connect (your name → API Keys).";
  if (status === 403)
    return "The API key's user lacks permission for this; ask a Connect administrator or the content owner.";
  return undefined;
}
