// A Connect test server on 127.0.0.1 that follows the documented wire contracts
// (docs/design/connect-api.md). This file is the shell: routing, the `Key` auth
// check and Connect's error body. API areas add their routes from their own modules
// (connect-oauth.ts, connect-deploy.ts), as posit-sdk-py keeps one module per API area.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface ConnectRequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Regex groups of the matched route. */
  params: string[];
  body: Buffer;
}

export type RouteHandler = (ctx: ConnectRequestContext) => void | Promise<void>;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/**
 * A misbehaving proxy in front of Connect: requests whose API path matches `path` are answered
 * with `status` and a plain-text body that echoes the whole request, headers and body included
 * (as a debugging proxy or a WAF error page does), so any secret the client sent is in it.
 */
export interface EchoFault {
  path: RegExp;
  status: number;
}

export interface ConnectTestServer {
  /** Server root, e.g. http://127.0.0.1:41234 (CONNECT_SERVER). */
  url: string;
  /** Fault modes; none by default. */
  faults: { echo?: EchoFault };
  /** API keys the server accepts, mapped to the user they belong to. */
  apiKeys: Map<string, { guid: string; username: string }>;
  requests: RecordedRequest[];
  /** TCP connections accepted so far: a refused TLS handshake shows here, not in `requests`. */
  readonly connections: number;
  /** Add a route under /__api__; `path` is matched against the whole path after it. */
  route(method: string, path: RegExp, handler: RouteHandler, options?: { auth?: boolean }): void;
  close(): Promise<void>;
}

/** Send Connect's JSON error body `{code, error, payload}`. */
export function sendError(res: ServerResponse, status: number, error: string, code = 0): void {
  sendJson(res, status, { code, error, payload: null });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json" });
  res.end(text);
}

/** Start the shell with one valid API key (`apiKey`) and no routes. */
export async function startConnectServer(
  options: { apiKey?: string; tls?: { key: string | Buffer; cert: string | Buffer } } = {},
): Promise<ConnectTestServer> {
  const routes: {
    method: string;
    path: RegExp;
    handler: RouteHandler;
    auth: boolean;
  }[] = [];
  const apiKeys = new Map<string, { guid: string; username: string }>();
  apiKeys.set(options.apiKey ?? "test-api-key-0123456789", {
    guid: "5e3a1c2b-0000-4000-8000-000000000001",
    username: "publisher",
  });
  const requests: RecordedRequest[] = [];
  const faults: ConnectTestServer["faults"] = {};

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push({ method: req.method ?? "GET", path: url.pathname, headers: req.headers, body });
    const apiPath = url.pathname.startsWith("/__api__/") ? url.pathname.slice(8) : undefined;
    const echo = faults.echo;
    if (echo && apiPath !== undefined && echo.path.test(apiPath)) {
      const head = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`);
      res.writeHead(echo.status, { "content-type": "text/plain" });
      res.end(
        [`Request rejected: ${req.method} ${req.url}`, ...head, "", body.toString("utf8")].join(
          "\r\n",
        ),
      );
      return;
    }
    try {
      for (const route of routes) {
        if (apiPath === undefined || route.method !== req.method) continue;
        const match = route.path.exec(apiPath);
        if (!match) continue;
        if (route.auth) {
          const header = req.headers.authorization ?? "";
          const key = header.startsWith("Key ") ? header.slice(4) : undefined;
          if (!key || !apiKeys.has(key)) {
            sendError(res, 401, "Invalid API key.", 3);
            return;
          }
        }
        await route.handler({ req, res, url, params: match.slice(1), body });
        return;
      }
      sendError(res, 404, `Not found: ${req.method} ${url.pathname}`, 4);
    } catch (error) {
      sendError(res, 500, `test server failure: ${(error as Error).message}`);
    }
  };
  // With `tls`, HTTPS (e.g. with a self-signed certificate made by the test).
  const server = options.tls ? createHttpsServer(options.tls, handler) : createServer(handler);
  let connections = 0;
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    faults,
    apiKeys,
    requests,
    get connections() {
      return connections;
    },
    route(method, path, handler, routeOptions = {}) {
      routes.push({ method, path, handler, auth: routeOptions.auth ?? true });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
