// biome-ignore-all lint/suspicious/noControlCharactersInRegex: these tests look for control characters
// `publish` against a Connect test server that misbehaves: a deploy task that never finishes,
// a deploy reply without a task id, a task log full of terminal escapes, and a proxy whose
// error page echoes the request (API key included).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runPublish } from "../src/cli/publish.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { publishProject } from "./helpers/publish-project.ts";
import { type ConnectTestServer, startConnectServer } from "./servers/connect.ts";
import { addDeployRoutes, type DeployState } from "./servers/connect-deploy.ts";

const API_KEY = "faults-api-key-7f3a9c0e5b1d";
// Records and builds go to a temporary copy of the project, never the repository.
const project = publishProject();
// C0 controls other than tab, DEL and the C1 range: none may reach the terminal.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

let server: ConnectTestServer;
let state: DeployState;
before(async () => {
  server = await startConnectServer({ apiKey: API_KEY });
  state = addDeployRoutes(server);
});
after(() => server.close());

const effects = (extra: Record<string, string> = {}) =>
  recordingEffects({
    env: { CONNECT_SERVER: server.url, CONNECT_API_KEY: API_KEY, ...extra },
    now: () => new Date(),
  });

test("a deploy task that never finishes stops at the deadline, polling with pauses", {
  timeout: 20_000,
}, async () => {
  state.nextTasks.push({ output: ["Building static content..."], neverFinishes: true });
  const polls = state.taskPolls.length;
  const run = effects({ CONNECT_DEPLOY_TIMEOUT: "2" });
  assert.equal(await runPublish([...project.args, "--name", "never-ends"], run), 1);
  const error = run.lines.find((l) => l.startsWith("error: ")) ?? "";
  assert.match(error, /did not finish within 2 s/);
  const hint = run.lines.find((l) => l.startsWith("hint: ")) ?? "";
  assert.match(hint, /--deploy-timeout/);
  assert.match(hint, /CONNECT_DEPLOY_TIMEOUT/);
  // The server answers at once, so only the client's pauses space the polls: at least
  // 250 ms apart, so at most 2 s / 250 ms + 1 polls (the old loop made thousands).
  const made = state.taskPolls.length - polls;
  assert.ok(made >= 2 && made <= 9, `${made} polls`);
});

test("--deploy-timeout sets the deadline; a bad value is an error", async () => {
  const bad = effects();
  assert.equal(await runPublish([...project.args, "--deploy-timeout", "soon"], bad), 1);
  assert.ok(
    bad.lines.some((l) => /^error: --deploy-timeout/.test(l)),
    bad.lines.join("\n"),
  );
  const badEnv = effects({ CONNECT_DEPLOY_TIMEOUT: "-3" });
  assert.equal(await runPublish(project.args, badEnv), 1);
  assert.ok(badEnv.lines.some((l) => /^error: CONNECT_DEPLOY_TIMEOUT/.test(l)));

  state.nextTasks.push({ neverFinishes: true });
  const run = effects({ CONNECT_DEPLOY_TIMEOUT: "600" });
  const code = await runPublish(
    [...project.args, "--name", "flag-wins", "--deploy-timeout", "1"],
    run,
  );
  assert.equal(code, 1);
  assert.ok(
    run.lines.some((l) => /did not finish within 1 s/.test(l)),
    run.lines.join("\n"),
  );
});

test("a deploy reply without a task id is a clear error, and no task is polled", async () => {
  state.nextTasks.push({ noTaskId: true });
  const run = effects();
  assert.equal(await runPublish([...project.args, "--name", "no-task-id"], run), 1);
  const error = run.lines.find((l) => l.startsWith("error: ")) ?? "";
  assert.match(error, /no task id/);
  assert.ok(!server.requests.some((r) => r.path.includes("/v1/tasks/undefined")));
  assert.ok(!server.requests.some((r) => /\/v1\/tasks\/$/.test(r.path)));
});

test("terminal escapes in the task log are removed from every line", async () => {
  state.nextTasks.push({
    output: [
      "\u001b[31mBuilding\u001b[0m static content...",
      "\u001b]0;owned\u0007title set\u001b[2J",
      "carriage\rreturn and bell\u0007",
    ],
    code: 1,
    error: "\u001b[1mUnable to render\u001b[0m\u009b31m",
  });
  const run = effects();
  assert.equal(await runPublish([...project.args, "--name", "escapes"], run), 1);
  for (const line of run.lines.flatMap((l) => l.split("\n")))
    assert.doesNotMatch(line, CONTROL, JSON.stringify(line));
  assert.ok(run.lines.includes("  Building static content..."), run.lines.join("\n"));
  assert.ok(run.lines.some((l) => l.includes("title set")));
  const error = run.lines.find((l) => l.startsWith("error: ")) ?? "";
  assert.match(error, /Unable to render/);
});

test("an error page that echoes the request does not put the API key in the output", async () => {
  server.faults.echo = { path: /^\/v1\/content\/[0-9a-f-]+\/bundles$/, status: 413 };
  try {
    const run = effects();
    assert.equal(await runPublish([...project.args, "--name", "echoed"], run), 1);
    const text = run.lines.join("\n");
    assert.match(text, /HTTP 413/);
    assert.ok(!text.includes(API_KEY), text);
    for (const line of run.lines.flatMap((l) => l.split("\n")))
      assert.doesNotMatch(line, CONTROL, JSON.stringify(line));
    // The bundle (binary) was echoed too: what is quoted is short.
    const error = run.lines.find((l) => l.startsWith("error: ")) ?? "";
    assert.ok(error.length < 700, `${error.length} characters`);
  } finally {
    server.faults.echo = undefined;
  }
});

test("the deadline's flag and variable are in --help and docs/publishing.md", async () => {
  const help = effects();
  assert.equal(await runPublish(["--help"], help), 0);
  assert.match(help.lines.join("\n"), /--deploy-timeout S .*CONNECT_DEPLOY_TIMEOUT/s);
  const docs = await readFile(join(import.meta.dirname, "../docs/publishing.md"), "utf8");
  assert.match(docs, /`--deploy-timeout SECONDS`/);
  assert.match(docs, /CONNECT_DEPLOY_TIMEOUT=SECONDS/);
});
