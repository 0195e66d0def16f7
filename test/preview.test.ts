import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ReportError } from "../src/errors.ts";
import { startPreviewServer } from "../src/site/preview-server.ts";

describe("preview server", () => {
  it("serves the report with a reload hook that fires on reload(), leaving the file script-free", async () => {
    const dir = await mkdtemp(join(tmpdir(), "csr-preview-"));
    const page = "<!doctype html><html><body><h1>Report</h1></body></html>";
    await writeFile(join(dir, "index.html"), page);
    const server = await startPreviewServer(dir, 0);
    try {
      const served = await (await fetch(server.url)).text();
      assert.match(served, /<h1>Report<\/h1>/);
      assert.match(served, /new EventSource\("\/__reload"\)/);
      assert.equal(await readFile(join(dir, "index.html"), "utf8"), page);

      const events = await fetch(`${server.url}__reload`);
      const reader = events.body!.getReader();
      const decoder = new TextDecoder();
      let text = decoder.decode((await reader.read()).value);
      server.reload();
      while (!text.includes("data: reload")) text += decoder.decode((await reader.read()).value);
      assert.match(text, /data: reload/);
      await reader.cancel();
    } finally {
      await server.close();
    }
  });

  it("answers 404 for missing files and never serves outside its folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "csr-preview-"));
    const server = await startPreviewServer(dir, 0);
    try {
      assert.equal((await fetch(`${server.url}nope.html`)).status, 404);
      const outside = await fetch(`${server.url}..%2F..%2Fetc%2Fpasswd`);
      assert.ok(outside.status === 403 || outside.status === 404, `got ${outside.status}`);
      assert.doesNotMatch(await outside.text(), /root:/);
    } finally {
      await server.close();
    }
  });
});

/** Send one raw HTTP/1.1 GET with exactly this Host header; resolves to the status and body. */
function rawGet(
  port: number,
  path: string,
  host: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    socket.on("data", (chunk) => {
      reply += chunk;
    });
    socket.on("error", reject);
    socket.on("end", () => {
      const [head, ...body] = reply.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), body: body.join("\r\n\r\n") });
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

describe("preview server and DNS rebinding", () => {
  it("answers only requests addressed to its own names: 403 for any other Host", async () => {
    const dir = await mkdtemp(join(tmpdir(), "csr-preview-"));
    await writeFile(join(dir, "index.html"), "<html><body>secret figures</body></html>");
    const server = await startPreviewServer(dir, 0);
    const port = Number(new URL(server.url).port);
    try {
      for (const host of ["evil.example", `evil.example:${port}`, `127.0.0.1:${port + 1}`, ""]) {
        for (const path of ["/", "/index.html", "/__reload"]) {
          const reply = await rawGet(port, path, host);
          assert.equal(reply.status, 403, `${host} ${path}`);
          assert.doesNotMatch(reply.body, /secret figures/);
        }
      }
      for (const host of [
        `127.0.0.1:${port}`,
        `localhost:${port}`,
        `LOCALHOST:${port}`,
        `[::1]:${port}`,
      ]) {
        const reply = await rawGet(port, "/", host);
        assert.equal(reply.status, 200, host);
        assert.match(reply.body, /secret figures/);
      }
    } finally {
      await server.close();
    }
  });
});

describe("preview server errors", () => {
  it("answers 400 to a malformed URL and keeps serving", async () => {
    const dir = await mkdtemp(join(tmpdir(), "csr-preview-"));
    await writeFile(join(dir, "index.html"), "<html><body>ok</body></html>");
    const server = await startPreviewServer(dir, 0);
    try {
      assert.equal((await fetch(`${server.url}%E0%A4%A`)).status, 400);
      assert.equal((await fetch(server.url)).status, 200);
    } finally {
      await server.close();
    }
  });

  it("says which port is taken instead of crashing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "csr-preview-"));
    const first = await startPreviewServer(dir, 0);
    try {
      const port = Number(new URL(first.url).port);
      await assert.rejects(
        startPreviewServer(dir, port),
        (error: unknown) => error instanceof ReportError && error.message.includes(`Port ${port}`),
      );
    } finally {
      await first.close();
    }
  });
});
