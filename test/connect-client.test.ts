// biome-ignore-all lint/suspicious/noControlCharactersInRegex: these tests look for control characters
// The Connect HTTP client against the Connect test server: Key auth, retries on 5xx,
// Connect's JSON error body, plain-text error bodies and timeouts.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ConnectApiError, createConnectClient } from "../src/connect/client.ts";
import { serverText } from "../src/connect/server-text.ts";
import { isReportError } from "../src/errors.ts";
import {
  type ConnectTestServer,
  sendError,
  sendJson,
  startConnectServer,
} from "./servers/connect.ts";

const KEY = "client-test-key-42";
// Made up for the test: a JWT-shaped token and a 40-digit hex run (a SHA-1 sized secret).
const JWT =
  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjb25uZWN0LXRlc3QifQ.c2lnbmF0dXJlLW9mLXRoZS10ZXN0LXRva2Vu";
const HEX = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
let server: ConnectTestServer;
let flaky = 0;

before(async () => {
  server = await startConnectServer({ apiKey: KEY });
  server.route("GET", /^\/flaky$/, ({ res }) => {
    flaky++;
    if (flaky <= 2) sendError(res, 503, "warming up");
    else sendJson(res, 200, { ok: true, attempts: flaky });
  });
  server.route("GET", /^\/always-500$/, ({ res }) => sendError(res, 500, "broken for good"));
  server.route("POST", /^\/post-500$/, ({ res }) => sendError(res, 500, "not idempotent"));
  server.route("GET", /^\/plain$/, ({ res }) => {
    res.writeHead(400, { "content-type": "text/plain" });
    res.end("Bad Request: the proxy did not like it\n");
  });
  server.route("POST", /^\/duplicate$/, ({ res }) =>
    sendError(res, 409, "A content item with this name already exists.", 26),
  );
  server.route("GET", /^\/login-page$/, ({ res }) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<html>secret-looking-token-abc123 login</html>");
  });
  server.route("GET", /^\/moved$/, ({ res }) => {
    res.writeHead(301, { location: "https://connect.example.com/__api__/moved" });
    res.end();
  });
  server.route("GET", /^\/noisy$/, ({ res }) => {
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(
      `\u001b[31mupstream\u001b[0m failed\r\nsession ${JWT}\ntrace ${HEX}\n${"x".repeat(5000)}`,
    );
  });
  server.route("GET", /^\/slow$/, async ({ res }) => {
    await new Promise((resolve) => setTimeout(resolve, 600));
    if (!res.destroyed) sendJson(res, 200, {});
  });
});
after(() => server.close());

const client = (extra: Partial<Parameters<typeof createConnectClient>[0]> = {}) =>
  createConnectClient({ server: server.url, apiKey: KEY, backoffMs: 5, ...extra });

test("sends Authorization: Key and retries a GET after 5xx answers", async () => {
  const before = server.requests.length;
  const body = await client().request<{ ok: boolean; attempts: number }>("GET", "flaky");
  assert.deepEqual(body, { ok: true, attempts: 3 });
  const sent = server.requests.slice(before);
  assert.equal(sent.length, 3);
  for (const r of sent) assert.equal(r.headers.authorization, `Key ${KEY}`);
});

test("gives up after the configured retries with the server's message", async () => {
  const before = server.requests.length;
  await assert.rejects(client({ retries: 2 }).request("GET", "always-500"), (error: unknown) => {
    assert.ok(error instanceof ConnectApiError);
    assert.equal(error.status, 500);
    assert.match(error.message, /broken for good/);
    return true;
  });
  assert.equal(server.requests.length - before, 3);
});

test("does not resend a POST that is not marked idempotent", async () => {
  const before = server.requests.length;
  await assert.rejects(client().request("POST", "post-500", { json: {} }), ConnectApiError);
  assert.equal(server.requests.length - before, 1);
});

test("a JSON error body gives the server's message and code", async () => {
  await assert.rejects(
    client().request("POST", "duplicate", { json: { name: "x" } }),
    (error: unknown) => {
      assert.ok(error instanceof ConnectApiError);
      assert.equal(error.status, 409);
      assert.equal(error.code, 26);
      assert.equal(error.serverMessage, "A content item with this name already exists.");
      return true;
    },
  );
});

test("a plain-text error body is kept as the message", async () => {
  await assert.rejects(client().request("GET", "plain"), (error: unknown) => {
    assert.ok(error instanceof ConnectApiError);
    assert.equal(error.status, 400);
    assert.equal(error.code, undefined);
    assert.equal(error.serverMessage, "Bad Request: the proxy did not like it");
    return true;
  });
});

test("a wrong API key gets a hint about API keys", async () => {
  await assert.rejects(client({ apiKey: "wrong" }).request("GET", "flaky"), (error: unknown) => {
    assert.ok(error instanceof ConnectApiError);
    assert.equal(error.status, 401);
    assert.match(error.hint ?? "", /API key/);
    return true;
  });
});

test("a server that does not answer in time gives a timeout error after retrying", async () => {
  const before = server.requests.length;
  await assert.rejects(
    client({ timeoutMs: 150, retries: 1 }).request("GET", "slow"),
    (error: unknown) => {
      assert.ok(isReportError(error));
      assert.match(error.message, /did not answer GET \/__api__\/slow within 0\.15 s/);
      return true;
    },
  );
  assert.equal(server.requests.length - before, 2);
});

test("a 200 that is not JSON is a user error that does not quote the body", async () => {
  await assert.rejects(client().request("GET", "login-page"), (error: unknown) => {
    assert.ok(isReportError(error));
    assert.match((error as Error).message, /not JSON \(text\/html\)/);
    assert.doesNotMatch(String((error as Error).message), /secret-looking-token/);
    return true;
  });
});

test("a redirect names the server to use", async () => {
  await assert.rejects(client().request("GET", "moved"), (error: unknown) => {
    assert.ok(isReportError(error));
    assert.match(
      (error as Error).message,
      /redirect \(HTTP 301\) to https:\/\/connect\.example\.com/,
    );
    assert.match(error.hint ?? "", /CONNECT_SERVER to https:\/\/connect\.example\.com/);
    return true;
  });
});

test("server text is filtered before it reaches a message", async () => {
  await assert.rejects(client({ retries: 0 }).request("GET", "noisy"), (error: unknown) => {
    assert.ok(error instanceof ConnectApiError);
    const text = error.message;
    assert.match(text, /upstream failed session \[redacted\] trace \[redacted\] x+…/);
    assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f]/);
    assert.ok(!text.includes(JWT.slice(0, 20)) && !text.includes(HEX));
    assert.ok(error.serverMessage.length <= 400, `${error.serverMessage.length}`);
    return true;
  });
});

test("serverText: secrets the client sent, escapes, controls and length", () => {
  const secret = "s3cr3t-subject-token";
  assert.equal(serverText(`bad token ${secret}!`, { secrets: [secret] }), "bad token [redacted]!");
  // A URL-encoded echo of the secret counts too.
  assert.equal(
    serverText(`token=${encodeURIComponent("a/b+c=d e")}`, { secrets: ["a/b+c=d e"] }),
    "token=[redacted]",
  );
  assert.equal(
    serverText("\u001b[1;31mred\u001b[0m \u001b]8;;http://x\u0007link\u001b]8;;\u0007"),
    "red link",
  );
  assert.equal(serverText("a\u0000b\tc\u0085d"), "a b c d");
  assert.equal(serverText("word ".repeat(100), { maxChars: 20 }), "word word word word…");
  // Ordinary text with ids, paths and short numbers stays readable.
  const plain = "Bundle 101 not found for content 5e3a1c2b-0000-4000-8000-000000000001.";
  assert.equal(serverText(plain), plain);
});

test("CONNECT_SERVER is never repeated in its own error: it may hold a password", () => {
  for (const bad of ["connect.example.com:hunter2", "https://admin:hunter2@connect.example.com"]) {
    assert.throws(
      () => createConnectClient({ server: bad, apiKey: KEY }),
      (error: unknown) => {
        assert.ok(isReportError(error));
        assert.match(error.message, /^CONNECT_SERVER /);
        assert.ok(!`${error.message}${error.hint}`.includes("hunter2"));
        return true;
      },
    );
  }
});
