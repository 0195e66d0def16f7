// `publish --rendered` wiring the content on the Connect test server: --env (values sent,
// never printed; unset definition variables warned about), --integration (found, ambiguous,
// missing, none given), --schedule (accepted, with the request bodies checked against
// docs/design/connect-api.md §3.1; refused by an older server), and a failing step that
// leaves what succeeded in place.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runPublish as runPublishHere } from "../src/cli/publish.ts";
import { type RecordingLog, recordingEffects } from "./helpers/effects.ts";
import { type PublishProject, publishProject } from "./helpers/publish-project.ts";
import { type ConnectTestServer, startConnectServer } from "./servers/connect.ts";
import { addDeployRoutes, type DeployState } from "./servers/connect-deploy.ts";
import { addWiringRoutes, type WiringState } from "./servers/connect-wiring.ts";

const API_KEY = "wiring-api-key-3d9f1b7e2a6c";
const BUCKET = "bucket-value-never-printed";
const REGION = "eu-central-1";
// A Wednesday, 15:00 UTC (10:00 in New York, EST).
const NOW = new Date("2026-01-14T15:00:00Z");

const INTEGRATIONS = [
  {
    guid: "0a000000-0000-4000-8000-00000000a001",
    name: "AWS reports",
    template: "aws",
    auth_type: "Service Account",
  },
  {
    guid: "0a000000-0000-4000-8000-00000000a002",
    name: "Shared AWS",
    template: "aws",
    auth_type: "Service Account",
  },
  {
    guid: "0a000000-0000-4000-8000-00000000a003",
    name: "shared aws",
    template: "aws",
    auth_type: "Service Account",
  },
  {
    guid: "0a000000-0000-4000-8000-00000000a004",
    name: "AWS for viewers",
    template: "aws",
    auth_type: "Viewer",
  },
  {
    guid: "0a000000-0000-4000-8000-00000000a005",
    name: "GitHub",
    template: "github",
    auth_type: "Viewer",
  },
].map((i) => ({ ...i, description: "" }));

let server: ConnectTestServer;
let deploy: DeployState;
let wiring: WiringState;
let project: PublishProject;
const cwd = process.cwd();

before(async () => {
  server = await startConnectServer({ apiKey: API_KEY });
  deploy = addDeployRoutes(server);
  wiring = addWiringRoutes(server, deploy);
  wiring.integrations.push(...INTEGRATIONS);
  project = publishProject();
});
after(async () => {
  await server.close();
});

/**
 * A rendered project is published from its own folder, which every carried file is inside.
 * The folder is entered for each publish only: `npm test` may run other test files in this
 * process, and a working directory changed for the whole file would move them too.
 */
async function runPublish(...args: Parameters<typeof runPublishHere>): Promise<number> {
  process.chdir(project.root);
  try {
    return await runPublishHere(...args);
  } finally {
    process.chdir(cwd);
  }
}

const effects = (connect: ConnectTestServer = server) =>
  recordingEffects({
    env: { CONNECT_SERVER: connect.url, CONNECT_API_KEY: API_KEY, AWS_REGION: REGION },
    now: () => NOW,
  });
const contentNamed = (state: DeployState, name: string) =>
  [...state.content.values()].find((c) => c.name === name)!;

test("--env, --integration and --schedule wire the content; values are never printed", async () => {
  const run = effects();
  const code = await runPublish(
    [
      "--rendered",
      "--definition",
      "report.yml",
      "--name",
      "wired",
      "--env",
      `AWS_BUCKET_NAME=${BUCKET}`,
      "--env",
      "AWS_REGION",
      "--integration",
      "AWS reports",
      "--schedule",
      "weekly mon,thu 07:30",
      "--timezone",
      "America/New_York",
      "--email-subscribers",
    ],
    run,
  );
  assert.equal(code, 0, run.lines.join("\n"));
  const item = contentNamed(deploy, "wired");
  assert.equal(item.app_mode, "quarto-static");

  // Variables: both values arrived; neither is in the log.
  assert.deepEqual(Object.fromEntries(wiring.env.get(item.guid)!), {
    AWS_BUCKET_NAME: BUCKET,
    AWS_REGION: REGION,
  });
  const log = run.lines.join("\n");
  assert.ok(!log.includes(BUCKET) && !log.includes(REGION) && !log.includes(API_KEY));
  assert.ok(run.lines.includes("Variables: set AWS_BUCKET_NAME, AWS_REGION (values not shown)"));
  // The definition reads ${AWS_S3_FILEPATH:-orders.csv}, which stays unset on the content.
  assert.deepEqual((run.log as RecordingLog).warnings, [
    "AWS_S3_FILEPATH is not set on the content; the definition's default applies",
  ]);

  // Set before the upload: Connect renders the project while deploying it, and that first
  // render needs the variables and the integration.
  const order = (method: string, suffix: string) =>
    server.requests.findIndex(
      (r) => r.method === method && r.path.endsWith(suffix) && r.path.includes(item.guid),
    );
  assert.ok(order("PATCH", "/environment") >= 0);
  assert.ok(order("PATCH", "/environment") < order("POST", "/bundles"));
  assert.ok(order("PUT", "/associations") < order("POST", "/bundles"));
  assert.ok(order("POST", "/deploy") > order("POST", "/bundles"));

  // Integration: associated by name.
  assert.deepEqual(wiring.associations.get(item.guid), [INTEGRATIONS[0].guid]);
  assert.ok(
    run.lines.some((l) =>
      l.startsWith(
        "Integration: AWS reports (0a000000-0000-4000-8000-00000000a001, aws, Service Account) associated",
      ),
    ),
  );

  // Schedule: one create, on the default variant, in connectapi's shape.
  assert.equal(wiring.scheduleBodies.length, 1);
  const { path, body } = wiring.scheduleBodies[0];
  assert.equal(path, "/schedules");
  const appId = [...deploy.content.keys()].indexOf(item.guid) + 1;
  assert.deepEqual(body, {
    app_id: appId,
    variant_id: 1000 + appId,
    type: "dayofweek",
    schedule: '{"Days":[1,4]}',
    // Thursday 15 January 2026, 07:30 EST (UTC-5).
    start_time: "2026-01-15T12:30:00Z",
    timezone: "America/New_York",
    activate: true,
    email: true,
  });
  assert.equal(wiring.schedules.length, 1);
  assert.ok(
    run.lines.some((l) =>
      l.startsWith("Schedule: created weekly on mon,thu at 07:30 (America/New_York)"),
    ),
  );

  // Publishing again with another schedule replaces it (POST /schedules/{id}).
  const again = effects();
  const code2 = await runPublish(
    [
      "--rendered",
      "--definition",
      "report.yml",
      "--name",
      "wired",
      "--schedule",
      "daily 06:00",
      "--timezone",
      "UTC",
    ],
    again,
  );
  assert.equal(code2, 0, again.lines.join("\n"));
  assert.equal(wiring.schedules.length, 1);
  assert.deepEqual(wiring.scheduleBodies[1], {
    path: `/schedules/${wiring.schedules[0].id}`,
    body: {
      type: "day",
      schedule: '{"N":1}',
      start_time: "2026-01-15T06:00:00Z",
      timezone: "UTC",
      activate: true,
      email: false,
    },
  });
  // The integration stays associated, and is reported as such without --integration.
  assert.ok(
    again.lines.some((l) => l.startsWith("Integration: AWS reports (") && l.endsWith("associated")),
  );
});

test("--integration: two with the name is ambiguous; the variables set before stay set", async () => {
  const run = effects();
  const code = await runPublish(
    [
      "--rendered",
      "--definition",
      "report.yml",
      "--name",
      "ambiguous",
      "--env",
      "AWS_BUCKET_NAME=b1",
      "--integration",
      "Shared AWS",
    ],
    run,
  );
  assert.equal(code, 1);
  const item = contentNamed(deploy, "ambiguous");
  assert.ok(item.bundle_id, "the deploy itself succeeded");
  assert.equal(wiring.env.get(item.guid)?.get("AWS_BUCKET_NAME"), "b1");
  assert.equal(wiring.associations.get(item.guid), undefined);
  const failure = run.lines.find((l) => l.startsWith("Integration: failed: "))!;
  assert.match(failure, /2 integrations on the server are named "Shared AWS"/);
  assert.match(failure, /0a000000-0000-4000-8000-00000000a002/);
  assert.match(failure, /0a000000-0000-4000-8000-00000000a003/);
  assert.ok(run.lines.some((l) => l.includes("hint: Pass the GUID")));
  assert.ok(
    run.lines.some((l) => /^error: Published, but Integration could not be set up/.test(l)),
  );
  assert.ok(existsSync(join(project.root, ".connect")), "the record was written");

  // By GUID it is found.
  const byGuid = effects();
  assert.equal(
    await runPublish(
      [
        "--rendered",
        "--definition",
        "report.yml",
        "--name",
        "ambiguous",
        "--integration",
        INTEGRATIONS[2].guid,
      ],
      byGuid,
    ),
    0,
    byGuid.lines.join("\n"),
  );
  assert.deepEqual(wiring.associations.get(item.guid), [INTEGRATIONS[2].guid]);
});

test("--integration: an unknown name lists the AWS integrations that fit", async () => {
  const run = effects();
  assert.equal(
    await runPublish(
      [
        "--rendered",
        "--definition",
        "report.yml",
        "--name",
        "missing-int",
        "--integration",
        "nope",
      ],
      run,
    ),
    1,
  );
  const failure = run.lines.find((l) => l.startsWith("Integration: failed: "))!;
  assert.match(failure, /Unknown integration "nope"/);
  const hint = run.lines.find((l) => l.startsWith("  hint: AWS integrations that fit: "))!;
  for (const i of INTEGRATIONS.slice(0, 3)) assert.ok(hint.includes(i.guid), i.name);
  // A Viewer integration cannot serve a rendered report; GitHub is not AWS.
  assert.ok(!hint.includes(INTEGRATIONS[3].guid) && !hint.includes(INTEGRATIONS[4].guid));
});

test("without --integration, the fitting integrations are listed and nothing is associated; then no permission to set variables is explained, and the schedule is still set", async () => {
  // One content item for both: the plain publish here is also what the second part needs
  // first (content to mark forbidden), and each rendered publish gzips a 13 MB bundle.
  const run = effects();
  assert.equal(
    await runPublish(["--rendered", "--definition", "report.yml", "--name", "no-int"], run),
    0,
    run.lines.join("\n"),
  );
  const line = run.lines.find((l) =>
    l.startsWith("Integration: none associated. AWS integrations that fit: "),
  )!;
  assert.ok(line.includes("AWS reports") && line.endsWith("pass --integration NAME|GUID"));
  const item = contentNamed(deploy, "no-int");
  assert.equal(wiring.associations.get(item.guid), undefined);
  // The unset variable the definition needs is named, with the flag to set it.
  assert.ok(
    run.lines.includes(
      "warning: AWS_BUCKET_NAME is read by the report definition but not set on the content: set it with --env AWS_BUCKET_NAME=... or in the Vars panel",
    ),
  );

  wiring.envForbidden.add(item.guid);
  const schedules = wiring.schedules.length;
  const forbidden = effects();
  const code = await runPublish(
    [
      "--rendered",
      "--definition",
      "report.yml",
      "--name",
      "no-int",
      "--env",
      "AWS_BUCKET_NAME=b3",
      "--schedule",
      "every 6 hours",
      "--timezone",
      "UTC",
    ],
    forbidden,
  );
  assert.equal(code, 1);
  assert.match(
    forbidden.lines.find((l) => l.startsWith("Variables: failed: "))!,
    /no permission to set the content's variables \(HTTP 403/,
  );
  assert.equal(wiring.schedules.length, schedules + 1);
  assert.equal(wiring.schedules.at(-1)!.type, "hour");
  assert.equal(wiring.schedules.at(-1)!.schedule, '{"N":6}');
});

test("an older server without the schedule API: the schedule step explains, the rest stays done", async () => {
  const older = await startConnectServer({ apiKey: API_KEY });
  try {
    const olderDeploy = addDeployRoutes(older);
    const olderWiring = addWiringRoutes(older, olderDeploy, {
      olderServer: true,
      version: "1.8.8",
    });
    olderWiring.integrations.push(INTEGRATIONS[0]);
    const run = effects(older);
    const code = await runPublish(
      [
        "--rendered",
        "--definition",
        "report.yml",
        "--name",
        "older",
        "--env",
        "AWS_BUCKET_NAME=b2",
        "--integration",
        "AWS reports",
        "--schedule",
        "daily 07:00",
      ],
      run,
    );
    assert.equal(code, 1);
    const item = contentNamed(olderDeploy, "older");
    assert.ok(item.bundle_id);
    assert.equal(olderWiring.env.get(item.guid)?.get("AWS_BUCKET_NAME"), "b2");
    assert.deepEqual(olderWiring.associations.get(item.guid), [INTEGRATIONS[0].guid]);
    assert.equal(olderWiring.schedules.length, 0);
    const failure = run.lines.find((l) => l.startsWith("Schedule: failed: "))!;
    assert.match(failure, /Connect 1\.8\.8 is too old for the schedule API \(HTTP 404/);
    assert.ok(
      run.lines.some((l) => l.includes("hint: Set the schedule in the content's Schedule panel")),
    );
    assert.ok(run.lines.some((l) => /^error: Published, but Schedule could not be set up/.test(l)));
  } finally {
    await older.close();
  }
});

test("a schedule that cannot be read is refused before anything is sent", async () => {
  const requests = server.requests.length;
  const run = effects();
  assert.equal(
    await runPublish(
      ["--rendered", "--definition", "report.yml", "--schedule", "now and then"],
      run,
    ),
    1,
  );
  assert.ok(
    run.lines.includes('error: --schedule "now and then" is not a schedule this tool understands'),
  );
  const tz = effects();
  assert.equal(
    await runPublish(
      [
        "--rendered",
        "--definition",
        "report.yml",
        "--schedule",
        "daily",
        "--timezone",
        "Mars/Olympus",
      ],
      tz,
    ),
    1,
  );
  assert.ok(tz.lines.includes('error: Unknown time zone "Mars/Olympus" (--timezone)'));
  assert.equal(server.requests.length, requests);
});
