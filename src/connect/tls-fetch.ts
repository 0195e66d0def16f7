// A `fetch` for Connect servers behind a private certificate authority (--cacert FILE) or
// with a certificate that cannot be checked (--insecure). Node's global fetch takes its TLS
// settings from an undici dispatcher, but undici cannot be imported by name on Node 20 and
// NODE_EXTRA_CA_CERTS is read only at start-up; so this speaks HTTP through node:https,
// whose `ca` and `rejectUnauthorized` options work the same on Node 20, 22 and 24, and
// returns a standard Response. It covers what src/connect/client.ts sends: a method,
// headers, a string or byte body, no redirects followed, and an abort signal.
import { readFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { rootCertificates } from "node:tls";
import { ReportError } from "../errors.ts";

export interface TlsOptions {
  /** PEM file of extra certificate authorities, trusted besides Node's own list. */
  cacert?: string;
  /** Accept any certificate (an unverified connection: for testing a private server only). */
  insecure?: boolean;
}

/** Read a PEM bundle; an error names the file and what a PEM file looks like. */
function readPem(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ReportError(`Cannot read the certificate file ${path} (--cacert)`, {
      hint: "Pass the PEM file of your organisation's certificate authority.",
      cause: error,
    });
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    throw new ReportError(`${path} holds no PEM certificate (--cacert)`, {
      hint: "The file should contain -----BEGIN CERTIFICATE----- blocks; convert a DER file with `openssl x509 -inform der -in ca.der -out ca.pem`.",
    });
  }
  return text;
}

function toHeaders(message: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

/** A fetch with these TLS settings, or the global fetch when there are none. */
export function fetchWithTls(options: TlsOptions): typeof globalThis.fetch {
  if (!options.cacert && !options.insecure) return globalThis.fetch;
  const ca = options.cacert ? [...rootCertificates, readPem(options.cacert)] : undefined;
  const tlsFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const headers = new Headers(init.headers);
    const body = init.body;
    if (
      body !== undefined &&
      body !== null &&
      typeof body !== "string" &&
      !ArrayBuffer.isView(body)
    )
      throw new TypeError("fetchWithTls sends only string or byte bodies");
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const req = send(
        url,
        {
          method: init.method ?? "GET",
          headers: Object.fromEntries(headers),
          ...(url.protocol === "https:" ? { ca, rejectUnauthorized: !options.insecure } : {}),
        },
        (res) => {
          const status = res.statusCode ?? 502;
          const empty = status === 204 || status === 304 || init.method === "HEAD";
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              res.on("data", (chunk: Buffer) => controller.enqueue(new Uint8Array(chunk)));
              res.on("end", () => controller.close());
              res.on("error", (error) => controller.error(error));
            },
            cancel() {
              res.destroy();
            },
          });
          resolve(
            new Response(empty ? null : stream, {
              status,
              statusText: res.statusMessage,
              headers: toHeaders(res),
            }),
          );
        },
      );
      const abort = () => req.destroy(signal?.reason as Error);
      signal?.addEventListener("abort", abort, { once: true });
      req.on("close", () => signal?.removeEventListener("abort", abort));
      req.on("error", (error) => reject(new TypeError("fetch failed", { cause: error })));
      req.end(body ?? undefined);
    });
  };
  return tlsFetch as typeof globalThis.fetch;
}
