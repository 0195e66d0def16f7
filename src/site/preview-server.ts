// A local preview: serves the output folder on 127.0.0.1 and tells open pages to reload
// after each rebuild (server-sent events). The reload snippet is added to the served page
// only; the files in output/ stay script-free.
import { readFile } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { ReportError } from "../errors.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

const RELOAD_SNIPPET = `<script>new EventSource("/__reload").onmessage=()=>location.reload()</script>`;

export interface PreviewServer {
  url: string;
  /** Tell every open page to reload. */
  reload(): void;
  close(): Promise<void>;
}

/** Serve `dir` on 127.0.0.1:`port` (0 picks a free port). */
export async function startPreviewServer(dir: string, port: number): Promise<PreviewServer> {
  const clients = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
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
      if (type.startsWith("text/html"))
        body = body.toString("utf8").replace("</body>", `${RELOAD_SNIPPET}</body>`);
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end(`Not found: ${path}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new ReportError(`Port ${port} on 127.0.0.1 is already in use.`, {
              hint: "Stop the other preview, or pass --port 0 (any free port) or another port.",
            })
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    reload() {
      for (const client of clients) client.write("data: reload\n\n");
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
