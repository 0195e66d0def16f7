// A local preview: serves the output folder on 127.0.0.1 and tells open pages to reload
// after each rebuild (server-sent events). The reload snippet is added to the served page
// only; the files in output/ stay script-free. It answers only requests addressed to its
// own names, so a web page whose DNS name is rebound to 127.0.0.1 cannot read the report.
// When a rebuild fails, served pages carry an overlay with the located message (the last good
// report stays underneath) until a build succeeds; with no good report yet, a page of its own.
import { readFile } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { ReportError } from "../errors.ts";
import { escapeMarkup } from "../markup.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".txt": "text/plain; charset=utf-8",
};

const RELOAD_SNIPPET = `<script>new EventSource("/__reload").onmessage=()=>location.reload()</script>`;

/** A failed build as the overlay shows it. */
export interface BuildFailure {
  message: string;
  hint?: string;
}

/** The id of the overlay element; tests and styles find it by this. */
export const OVERLAY_ID = "csr-preview-error";

/** The overlay markup for `failure`: fixed on top, readable in light and dark, announced. */
export function overlayMarkup(
  failure: BuildFailure,
  headline = "The last rebuild failed; this is the last good report.",
): string {
  const hint = failure.hint
    ? `<p style="margin:.75rem 0 0">hint: ${escapeMarkup(failure.hint)}</p>`
    : "";
  return (
    `<div id="${OVERLAY_ID}" role="alert" style="position:fixed;inset:0 0 auto 0;z-index:2147483647;` +
    "max-height:60vh;overflow:auto;margin:0;padding:1rem 1.25rem;background:#fff1f0;color:#5c0b05;" +
    'border-bottom:3px solid #b42318;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace">' +
    `<p style="margin:0 0 .5rem;font-weight:700">${escapeMarkup(headline)}</p>` +
    `<pre style="margin:0;white-space:pre-wrap">${escapeMarkup(failure.message)}</pre>${hint}</div>`
  );
}

/** The page served at `/` while no build has succeeded yet. */
function failurePage(failure: BuildFailure): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Build failed</title></head><body>${overlayMarkup(failure, "The build failed; there is no report yet.")}</body></html>`;
}

export interface PreviewServer {
  url: string;
  /** Tell every open page to reload. */
  reload(): void;
  /** Show `failure` over every page (or clear it with undefined) from the next request on. */
  showFailure(failure: BuildFailure | undefined): void;
  close(): Promise<void>;
}

/** The names a browser on this machine uses for a loopback server, besides its bind address. */
const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"] as const;

/** The Host header values that address this server: its names with its port. */
function ownHosts(bindHost: string, port: number): Set<string> {
  const bound = bindHost.includes(":") ? `[${bindHost}]` : bindHost;
  const names = [...LOOPBACK_NAMES, bound.toLowerCase()];
  return new Set(
    names.flatMap((name) => (port === 80 ? [name, `${name}:80`] : [`${name}:${port}`])),
  );
}

/** Serve `dir` on `host` (default 127.0.0.1) at `port` (0 picks a free port). */
export async function startPreviewServer(
  dir: string,
  port: number,
  host = "127.0.0.1",
): Promise<PreviewServer> {
  const clients = new Set<ServerResponse>();
  let failure: BuildFailure | undefined;
  let allowedHosts = new Set<string>();
  const server = createServer(async (req, res) => {
    if (!allowedHosts.has((req.headers.host ?? "").toLowerCase())) {
      res
        .writeHead(403, { "content-type": "text/plain" })
        .end("Forbidden: this preview answers only to its own address (e.g. 127.0.0.1).\n");
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("Bad request: malformed URL");
      return;
    }
    if (path === "/__reload") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(": connected\n\n");
      clients.add(res);
      req.on("close", () => clients.delete(res));
      return;
    }
    const file = normalize(join(dir, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(normalize(dir) + sep) && file !== normalize(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      let body: Buffer | string = await readFile(file);
      const type = TYPES[extname(file)] ?? "application/octet-stream";
      if (type.startsWith("text/html")) {
        const overlay = failure === undefined ? "" : overlayMarkup(failure);
        body = body.toString("utf8").replace("</body>", `${overlay}${RELOAD_SNIPPET}</body>`);
      }
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    } catch {
      if (failure !== undefined && path.endsWith("/")) {
        const page = failurePage(failure).replace("</body>", `${RELOAD_SNIPPET}</body>`);
        res.writeHead(200, { "content-type": TYPES[".html"], "cache-control": "no-store" });
        res.end(page);
        return;
      }
      res.writeHead(404, { "content-type": "text/plain" }).end(`Not found: ${path}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new ReportError(`Port ${port} on ${host} is already in use.`, {
              hint: "Stop the other preview, or pass --port 0 (any free port) or another port.",
            })
          : error,
      ),
    );
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  allowedHosts = ownHosts(host, address.port);
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${address.port}/`,
    reload() {
      for (const client of clients) client.write("data: reload\n\n");
    },
    showFailure(next) {
      failure = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
