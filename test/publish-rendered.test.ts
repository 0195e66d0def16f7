// `publish --rendered` end to end against the Connect test server, and the secret scan of
// every bundled file.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runPublish } from "../src/cli/publish.ts";
import { SCRIPT_PATH } from "../src/rendered/project.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { type ConnectTestServer, startConnectServer } from "./servers/connect.ts";
import { addDeployRoutes, type DeployState, readTarGz } from "./servers/connect-deploy.ts";
import { addWiringRoutes } from "./servers/connect-wiring.ts";

const API_KEY = "rendered-publish-key-93b1e0";
// Set in the publishing environment, as a careless setup might: none may reach the bundle.
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY93";
const AWS_SESSION = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN93";
const CONTENT_TOKEN = "content-session-token-never-bundled-93";
const definition = "test/input/publish/rendered/report.yml";

/** Effects with exactly `env` (no inherited AWS or Connect settings) and a recorded log. */
const effects = (env: Record<string, string | undefined>) =>
  recordingEffects({ env, now: () => new Date() });

let server: ConnectTestServer;
let state: DeployState;
before(async () => {
  server = await startConnectServer({ apiKey: API_KEY });
  state = addDeployRoutes(server);
  addWiringRoutes(server, state);
});
after(async () => {
  await server.close();
  // The deployment record lands beside the definition; this one is the test's own.
  rmSync("test/input/publish/rendered/.connect", { recursive: true, force: true });
});

const publishEnv = () => ({
  CONNECT_SERVER: server.url,
  CONNECT_API_KEY: API_KEY,
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLE93",
  AWS_SECRET_ACCESS_KEY: AWS_SECRET,
  AWS_SESSION_TOKEN: AWS_SESSION,
  CONNECT_CONTENT_SESSION_TOKEN: CONTENT_TOKEN,
  AWS_BUCKET_NAME: "reports",
});

test("publish --rendered deploys a quarto-static project with the markdown engine only", async () => {
  const run = effects(publishEnv());
  const code = await runPublish(["--rendered", "--definition", definition, "--verbose"], run);
  assert.equal(code, 0, run.lines.join("\n"));
  const item = [...state.content.values()].find((c) => c.name === "rendered_sales")!;
  assert.equal(item.title, "Rendered sales");
  assert.equal(item.app_mode, "quarto-static");
  // Wiring is reported even when nothing was asked: no integration fits on this server.
  assert.ok(run.lines.some((l) => l.startsWith("Integration: none associated")));
  const bundle = state.bundles.get(item.bundle_id!)!;
  assert.deepEqual(bundle.manifest.quarto?.engines, ["markdown"]);
  assert.equal(bundle.manifest.metadata.entrypoint, "index.qmd");
  const quartoYml = bundle.entries.get("_quarto.yml")!.toString("utf8");
  assert.match(quartoYml, /post-render:\n\s+- _report\/lib\/deno\/render\.js/);
  assert.match(quartoYml, /render:\n\s+- index\.qmd/);
  const config = JSON.parse(bundle.entries.get("_report/render.json")!.toString("utf8"));
  assert.equal(config.definition, definition);
  assert.equal(
    bundle.entries.get(`${definition}`)!.toString("utf8"),
    readFileSync(definition, "utf8"),
  );
  // The fallback sample data stays on this machine unless --include-fallback.
  assert.ok(!bundle.entries.has("test/input/publish/rendered/data/orders.csv"));
  assert.ok(![...bundle.entries.keys()].some((path) => path.endsWith(".csv")));

  // The secret scan: every entry of the uploaded archive, the Deno script included.
  assert.ok(bundle.entries.get(SCRIPT_PATH)!.length > 100_000);
  for (const [path, data] of bundle.entries) {
    const text = data.toString("latin1");
    for (const secret of [API_KEY, AWS_SECRET, AWS_SESSION, CONTENT_TOKEN]) {
      assert.ok(!text.includes(secret), `${path} contains a secret`);
    }
  }
  assert.ok(!run.lines.join("\n").includes(API_KEY));
});

test("publish --rendered --dry-run writes the project bundle and sends nothing", async () => {
  const requests = server.requests.length;
  const out = join(mkdtempSync(join(tmpdir(), "rendered-dry-")), "rendered.tar.gz");
  const run = effects(publishEnv());
  const code = await runPublish(
    ["--rendered", "--definition", definition, "--dry-run", "--bundle-out", out, "--name", "x-y-z"],
    run,
  );
  assert.equal(code, 0, run.lines.join("\n"));
  assert.equal(server.requests.length, requests);
  const entries = readTarGz(readFileSync(out));
  const manifest = JSON.parse(entries.get("manifest.json")!.toString("utf8"));
  assert.equal(manifest.metadata.appmode, "quarto-static");
  for (const path of Object.keys(manifest.files)) assert.ok(entries.has(path), path);
  assert.ok(run.lines.some((l) => l.includes('find your content named "x-y-z"')));
});

test("a missing definition is a clear error", async () => {
  const run = effects(publishEnv());
  assert.equal(await runPublish(["--rendered", "--definition", "nope/report.yml"], run), 1);
  assert.ok(run.lines.some((l) => l.startsWith("error: Report definition not found")));
});
