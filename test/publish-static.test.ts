// End to end: `publish` against the Connect test server on 127.0.0.1.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { prepareStatic, runPublish } from "../src/cli/publish.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { publishProject } from "./helpers/publish-project.ts";
import { type ConnectTestServer, startConnectServer } from "./servers/connect.ts";
import { addDeployRoutes, type DeployState, readTarGz } from "./servers/connect-deploy.ts";

const API_KEY = "test-api-key-0123456789";
// Records and builds go to a temporary copy of the project, never the repository.
const project = publishProject();

/** Effects with exactly `env` (no inherited AWS or Connect settings) and a recorded log. */
const effects = (env: Record<string, string | undefined>) =>
  recordingEffects({ env, now: () => new Date() });

let server: ConnectTestServer;
let state: DeployState;
before(async () => {
  server = await startConnectServer({ apiKey: API_KEY });
  state = addDeployRoutes(server);
});
after(() => server.close());

const env = () => ({ CONNECT_SERVER: server.url, CONNECT_API_KEY: API_KEY });

test("publish creates the content, then a second publish updates the same content", async () => {
  const first = effects(env());
  const code = await runPublish([...project.args, "--vanity", "sales/"], first);
  assert.equal(code, 0, first.lines.join("\n"));

  const items = [...state.content.values()].filter((c) => c.name === "sales_overview_trends");
  assert.equal(items.length, 1);
  const item = items[0];
  assert.equal(item.title, "Sales overview & trends");
  assert.equal(item.owner_guid, server.apiKeys.get(API_KEY)!.guid);
  assert.equal(item.app_mode, "static");
  const firstBundle = item.bundle_id!;
  assert.ok(state.bundles.has(firstBundle));
  const index = state.bundles.get(firstBundle)!.entries.get("index.html")!;
  assert.equal(index.toString("utf8"), readFileSync(join(project.dir, "index.html"), "utf8"));
  // The task log reached the user, and the client paged with `first`.
  assert.ok(first.lines.includes("  Building static content..."));
  assert.ok(first.lines.includes("  Launching static content..."));
  // The server reveals one line per poll: two polls, the second from `last` of the first.
  assert.deepEqual(
    state.taskPolls.map((p) => p.first),
    [0, 1],
  );
  assert.ok(state.taskPolls.every((p) => p.wait > 0));
  assert.equal(state.vanities.get("/sales/"), item.guid);
  assert.ok(first.lines.includes(`Content:   ${server.url}/content/${item.guid}/`));
  assert.ok(first.lines.includes(`Dashboard: ${server.url}/connect/#/apps/${item.guid}`));
  assert.ok(first.lines.includes(`Vanity:    ${server.url}/sales/`));
  // No secret in any uploaded file or in the log.
  for (const [path, data] of state.bundles.get(firstBundle)!.entries) {
    assert.ok(!data.toString("latin1").includes(API_KEY), path);
  }
  assert.ok(!first.lines.join("\n").includes(API_KEY));

  // A new --title would derive a new name, so the name is pinned to update the same content.
  const third = effects(env());
  const code3 = await runPublish(
    [
      ...project.args,
      "--name",
      "sales_overview_trends",
      "--title",
      "Sales, weekly",
      "--description",
      "d",
    ],
    third,
  );
  assert.equal(code3, 0, third.lines.join("\n"));
  assert.equal(
    [...state.content.values()].filter((c) => c.name === "sales_overview_trends").length,
    1,
  );
  assert.equal(item.title, "Sales, weekly");
  assert.equal(item.description, "d");
  assert.notEqual(item.bundle_id, firstBundle);
  assert.ok(third.lines.some((l) => l.startsWith(`Updating content "sales_overview_trends"`)));

  // Publishing again without --description keeps the description set in the dashboard.
  item.description = "Set by a human in the dashboard";
  const fourth = effects(env());
  const code4 = await runPublish(
    [...project.args, "--name", "sales_overview_trends", "--title", "Sales, weekly"],
    fourth,
  );
  assert.equal(code4, 0, fourth.lines.join("\n"));
  assert.equal(item.description, "Set by a human in the dashboard");
});

test("the title comes from the page with every HTML character reference decoded", async () => {
  const dir = mkdtempSync(join(tmpdir(), "csr-title-"));
  writeFileSync(
    join(dir, "index.html"),
    "<title>Bob&#x27;s Q1 &#x3D; &#x60;best&#x60; &amp; &#38;co</title>",
  );
  const prepared = await prepareStatic(dir, {});
  assert.equal(prepared.title, "Bob's Q1 = `best` & &co");
  assert.match(prepared.name, /^[A-Za-z0-9_-]{3,64}$/);
  assert.doesNotMatch(prepared.name, /x27|x3d|x60/);
});

test("a failing deploy reports the task's error and last lines; the previous bundle stays live", async () => {
  const ok = effects(env());
  assert.equal(
    await runPublish([...project.args, "--name", "fails-later"], ok),
    0,
    ok.lines.join("\n"),
  );
  const item = [...state.content.values()].find((c) => c.name === "fails-later")!;
  const live = item.bundle_id;

  const lines = Array.from({ length: 14 }, (_, i) => `render step ${i + 1}`);
  // Paged five lines a poll: the tail is gathered across three polls.
  state.nextTasks.push({
    output: lines,
    code: 1,
    error: "Unable to render: exit status 1",
    linesPerPoll: 5,
  });
  const failed = effects(env());
  assert.equal(await runPublish([...project.args, "--name", "fails-later"], failed), 1);
  const message = failed.lines.find((l) => l.startsWith("error: "))!;
  assert.match(message, /code 1\): Unable to render: exit status 1/);
  // The last ten lines, and not the earlier ones.
  assert.match(message, /render step 14/);
  assert.match(message, /render step 5\b/);
  assert.doesNotMatch(message, /render step 4\b/);
  assert.ok(failed.lines.some((l) => l.startsWith("hint: The previous bundle stays live")));
  assert.equal(item.bundle_id, live);
});

test("a refused API key gives Connect's message and a hint, and nothing is created", async () => {
  const before = state.content.size;
  const run = effects({ CONNECT_SERVER: server.url, CONNECT_API_KEY: "wrong-key" });
  assert.equal(await runPublish([...project.args, "--name", "never"], run), 1);
  const message = run.lines.find((l) => l.startsWith("error: "))!;
  assert.match(message, /HTTP 401, code 3: Invalid API key\./);
  assert.ok(run.lines.some((l) => /hint: CONNECT_API_KEY was refused/.test(l)));
  assert.equal(state.content.size, before);
  assert.ok(!run.lines.join("\n").includes("wrong-key"));
});

test("a name taken by another owner is a clear error (409, code 26)", async () => {
  const strict = await startConnectServer({ apiKey: API_KEY });
  try {
    const s = addDeployRoutes(strict, { namesUniqueAcrossOwners: true });
    s.addForeignContent("taken-name");
    const run = effects({ CONNECT_SERVER: strict.url, CONNECT_API_KEY: API_KEY });
    assert.equal(await runPublish([...project.args, "--name", "taken-name"], run), 1);
    const message = run.lines.find((l) => l.startsWith("error: "))!;
    assert.match(message, /already has content named "taken-name" that belongs to someone else/);
    assert.ok(run.lines.some((l) => l.includes("--name")));
    assert.equal(s.bundles.size, 0);
  } finally {
    await strict.close();
  }
});

test("--dry-run writes the bundle and contacts no server", async () => {
  const requests = server.requests.length;
  const out = join(mkdtempSync(join(tmpdir(), "dry-")), "bundle.tar.gz");
  // A project never published: no record, so the name comes from the title.
  const fresh = publishProject();
  const run = effects(env());
  assert.equal(await runPublish([...fresh.args, "--dry-run", "--bundle-out", out], run), 0);
  assert.equal(server.requests.length, requests);
  assert.ok(existsSync(out));
  const entries = readTarGz(readFileSync(out));
  assert.ok(entries.has("manifest.json") && entries.has("index.html"));
  assert.ok(run.lines.some((l) => l.includes(`find your content named "sales_overview_trends"`)));
});

test("missing settings and bad flags are errors with hints", async () => {
  const noEnv = effects({});
  assert.equal(await runPublish(project.args, noEnv), 1);
  assert.ok(noEnv.lines.includes("error: CONNECT_SERVER and CONNECT_API_KEY not set"));
  const badName = effects(env());
  assert.equal(await runPublish([...project.args, "--name", "a b"], badName), 1);
  assert.ok(badName.lines.some((l) => l.startsWith('error: Invalid content name "a b"')));
  const unknown = effects(env());
  assert.equal(await runPublish(["--frobnicate"], unknown), 1);
  const help = effects(env());
  assert.equal(await runPublish(["--help"], help), 0);
  assert.match(help.lines[0], /^Usage: connect-s3-report publish/);
});
