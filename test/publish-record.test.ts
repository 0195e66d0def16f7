// The deployment record (report/.connect/<server>.json) against the Connect test server:
// publish, change the title, publish again and hit the same GUID; --new makes another item;
// the record holds the content's coordinates and no secret. Also --server/--api-key, the
// build that runs first, and the refusal of a stale output folder.
import assert from "node:assert/strict";
import { appendFileSync, readdirSync, readFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runPublish } from "../src/cli/publish.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";
import { publishProject } from "./helpers/publish-project.ts";
import { type ConnectTestServer, startConnectServer } from "./servers/connect.ts";
import { addDeployRoutes, type DeployState } from "./servers/connect-deploy.ts";

const API_KEY = "record-api-key-5c2e8a71f0d4b9";

let server: ConnectTestServer;
let state: DeployState;
before(async () => {
  server = await startConnectServer({ apiKey: API_KEY });
  state = addDeployRoutes(server);
});
after(() => server.close());

const env = () => ({ CONNECT_SERVER: server.url, CONNECT_API_KEY: API_KEY });
const effects = (e: Record<string, string | undefined>) =>
  recordingEffects({ env: e, now: () => new Date() });
const recordFile = (root: string) =>
  join(root, ".connect", `127.0.0.1_${new URL(server.url).port}.json`);

test("a title change does not lose the content: the record's GUID is updated; --new makes another", async () => {
  const project = publishProject();
  const first = effects(env());
  assert.equal(
    await runPublish([...project.args, "--title", "Seattle weather 2012–2015"], first),
    0,
    first.lines.join("\n"),
  );
  const record = JSON.parse(readFileSync(recordFile(project.root), "utf8"));
  const item = state.content.get(record.guid)!;
  assert.ok(item, "the record names content that exists on the server");
  // Every field, each from the server's own content object.
  assert.deepEqual(Object.keys(record).sort(), [
    "app_mode",
    "content_url",
    "dashboard_url",
    "guid",
    "name",
    "published_at",
    "server",
    "title",
  ]);
  assert.equal(record.server, server.url);
  assert.equal(record.name, item.name);
  assert.equal(record.app_mode, "static");
  assert.equal(record.content_url, item.content_url);
  assert.equal(record.dashboard_url, item.dashboard_url);
  assert.equal(record.title, "Seattle weather 2012–2015");
  assert.ok(!Number.isNaN(Date.parse(record.published_at)));
  const text = readFileSync(recordFile(project.root), "utf8");
  assert.ok(!text.includes(API_KEY));
  assert.ok(!/key|token|secret|password/i.test(Object.keys(record).join(" ")));
  // Written atomically: no temporary file is left beside it.
  assert.deepEqual(readdirSync(join(project.root, ".connect")), [
    `127.0.0.1_${new URL(server.url).port}.json`,
  ]);

  const contentBefore = state.content.size;
  const second = effects(env());
  assert.equal(
    await runPublish([...project.args, "--title", "Seattle weather, edited"], second),
    0,
    second.lines.join("\n"),
  );
  assert.equal(state.content.size, contentBefore, "no new content item");
  assert.equal(item.title, "Seattle weather, edited");
  assert.equal(state.bundles.get(item.bundle_id!)?.contentGuid, record.guid);
  assert.ok(second.lines.some((l) => l.startsWith("Updating the content recorded in")));
  const after2 = JSON.parse(readFileSync(recordFile(project.root), "utf8"));
  assert.equal(after2.guid, record.guid);
  assert.equal(after2.title, "Seattle weather, edited");

  // A dry run says which content it would update, and sends nothing.
  const requests = server.requests.length;
  const dry = effects(env());
  assert.equal(
    await runPublish(
      [...project.args, "--dry-run", "--bundle-out", join(project.root, "b.tar.gz")],
      dry,
    ),
    0,
  );
  assert.ok(
    dry.lines.some(
      (l) => l.startsWith("  update the content recorded in ") && l.endsWith(`(${record.guid})`),
    ),
  );
  assert.equal(server.requests.length, requests);

  const third = effects(env());
  assert.equal(
    await runPublish([...project.args, "--new", "--title", "Seattle weather 2012–2015"], third),
    0,
    third.lines.join("\n"),
  );
  assert.equal(state.content.size, contentBefore + 1);
  const newer = JSON.parse(readFileSync(recordFile(project.root), "utf8"));
  assert.notEqual(newer.guid, record.guid);
  const created = state.content.get(newer.guid)!;
  // The first title again, so its derived name is taken: a suffix keeps it unique.
  assert.equal(created.name, `${item.name}-2`);
  assert.equal(created.app_mode, "static");
  assert.ok(!third.lines.join("\n").includes(API_KEY));
});

test("recorded content that was deleted on the server is a clear error pointing at --new", async () => {
  const project = publishProject();
  assert.equal(await runPublish([...project.args, "--name", "to-be-deleted"], effects(env())), 0);
  const { guid } = JSON.parse(readFileSync(recordFile(project.root), "utf8"));
  state.content.delete(guid);
  const run = effects(env());
  assert.equal(await runPublish(project.args, run), 1);
  const error = run.lines.find((l) => l.startsWith("error: "))!;
  assert.match(error, new RegExp(`recorded in .*\\(${guid}\\) no longer exists`));
  assert.ok(run.lines.some((l) => l.startsWith("hint: Publish with --new")));
});

test("--server and --api-key stand in for CONNECT_SERVER and CONNECT_API_KEY", async () => {
  const project = publishProject();
  const run = effects({});
  const code = await runPublish(
    [...project.args, "--name", "flags-only", "--server", server.url, "--api-key", API_KEY],
    run,
  );
  assert.equal(code, 0, run.lines.join("\n"));
  const item = [...state.content.values()].find((c) => c.name === "flags-only")!;
  assert.equal(item.owner_guid, server.apiKeys.get(API_KEY)!.guid);
  assert.ok(!run.lines.join("\n").includes(API_KEY));
  // A wrong key by flag is refused like one from the environment.
  const wrong = effects(env());
  assert.equal(
    await runPublish([...project.args, "--name", "flags-only", "--api-key", "not-a-key"], wrong),
    1,
  );
  assert.ok(wrong.lines.some((l) => /HTTP 401/.test(l)));
});

test("publish builds first: the uploaded page shows the data as it is now", async () => {
  const project = publishProject();
  appendFileSync(join(project.root, "data/orders.csv"), "7,Zanzibar,999.25\n");
  const run = effects(env());
  const out = join(project.root, "built");
  const code = await runPublish(
    ["--definition", project.definition, "--dir", out, "--name", "built-first"],
    run,
  );
  assert.equal(code, 0, run.lines.join("\n"));
  const item = [...state.content.values()].find((c) => c.name === "built-first")!;
  const html = state.bundles.get(item.bundle_id!)!.entries.get("index.html")!.toString("utf8");
  assert.match(html, /Zanzibar/);
  assert.match(html, /Rendered sales/);
  assertValidSummary(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")));
});

test("--no-build refuses an output older than the definition or its data, naming the file", async () => {
  const project = publishProject();
  const requests = server.requests.length;
  const past = new Date(Date.now() - 7200_000);
  utimesSync(join(project.dir, "index.html"), past, past);
  const run = effects(env());
  assert.equal(await runPublish([...project.args, "--name", "stale"], run), 1);
  const error = run.lines.find((l) => l.startsWith("error: "))!;
  assert.match(error, /is out of date: .*(report\.yml|orders\.csv) changed after it was built/);
  assert.ok(run.lines.some((l) => l.includes("without --no-build")));
  assert.equal(server.requests.length, requests, "nothing was sent");

  // Fresh again once the data is older than the output; then only the data is newer.
  utimesSync(join(project.dir, "index.html"), new Date(), new Date());
  const future = new Date(Date.now() + 60_000);
  utimesSync(join(project.root, "data/orders.csv"), future, future);
  const data = effects(env());
  assert.equal(await runPublish([...project.args, "--name", "stale"], data), 1);
  assert.match(
    data.lines.find((l) => l.startsWith("error: "))!,
    /orders\.csv changed after it was built/,
  );
});

test("static content takes no wiring flags", async () => {
  const project = publishProject();
  const run = effects(env());
  assert.equal(await runPublish([...project.args, "--env", "A=b"], run), 1);
  assert.ok(run.lines.includes("error: --env applies to --rendered content only"));
});
