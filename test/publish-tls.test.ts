// Publishing to a Connect server whose certificate comes from a private authority: an HTTPS
// test server with a self-signed certificate that `openssl` makes for this test. Without help
// the certificate is refused with a hint; --cacert FILE trusts it; --insecure skips the check.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runPublish } from "../src/cli/publish.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { publishProject } from "./helpers/publish-project.ts";
import { type ConnectTestServer, startConnectServer } from "./servers/connect.ts";
import { addDeployRoutes, type DeployState } from "./servers/connect-deploy.ts";

const API_KEY = "tls-api-key-8e1d4c7b2f9a";
const dir = mkdtempSync(join(tmpdir(), "connect-tls-"));
const certFile = join(dir, "cert.pem");
const keyFile = join(dir, "key.pem");

let server: ConnectTestServer;
let state: DeployState;
before(async () => {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  server = await startConnectServer({
    apiKey: API_KEY,
    tls: { key: readFileSync(keyFile), cert: readFileSync(certFile) },
  });
  state = addDeployRoutes(server);
});
after(() => server?.close());

const effects = () =>
  recordingEffects({
    env: { CONNECT_SERVER: server.url, CONNECT_API_KEY: API_KEY },
    now: () => new Date(),
  });

test("a self-signed certificate is refused at once, with a hint naming --cacert", async () => {
  assert.match(server.url, /^https:\/\//);
  const project = publishProject();
  const run = effects();
  const connections = server.connections;
  assert.equal(await runPublish([...project.args, "--name", "tls-refused"], run), 1);
  // Not retried: the same certificate would fail again, after seconds of backoff.
  assert.equal(server.connections - connections, 1, "one attempt");
  const error = run.lines.find((l) => l.startsWith("error: "))!;
  assert.match(
    error,
    /Could not verify the TLS certificate of https:\/\/127\.0\.0\.1:\d+ \(\w*SELF_SIGNED\w*\)/,
  );
  assert.ok(
    run.lines.some((l) =>
      l.startsWith("hint: If the server uses a private certificate authority, pass --cacert FILE"),
    ),
  );
  assert.equal(state.content.size, 0);
});

test("--cacert FILE trusts the private authority and the publish completes", async () => {
  const project = publishProject();
  const run = effects();
  const code = await runPublish(
    [...project.args, "--name", "tls-cacert", "--cacert", certFile],
    run,
  );
  assert.equal(code, 0, run.lines.join("\n"));
  const item = [...state.content.values()].find((c) => c.name === "tls-cacert")!;
  assert.equal(item.app_mode, "static");
  assert.ok(state.bundles.get(item.bundle_id!)!.entries.has("index.html"));
  assert.ok(!run.lines.some((l) => l.startsWith("warning:")));
});

test("--insecure connects without checking, and says so", async () => {
  const project = publishProject();
  const run = effects();
  const code = await runPublish([...project.args, "--name", "tls-insecure", "--insecure"], run);
  assert.equal(code, 0, run.lines.join("\n"));
  assert.ok(
    run.lines.some((l) =>
      l.startsWith("warning: --insecure: the server's TLS certificate is not checked"),
    ),
  );
  assert.ok([...state.content.values()].some((c) => c.name === "tls-insecure" && c.bundle_id));
});

test("--cacert with a file that holds no certificate is a clear error", async () => {
  const project = publishProject();
  const notPem = join(dir, "not.pem");
  writeFileSync(notPem, "hello");
  const run = effects();
  assert.equal(await runPublish([...project.args, "--cacert", notPem], run), 1);
  assert.ok(run.lines.includes(`error: ${notPem} holds no PEM certificate (--cacert)`));
});
