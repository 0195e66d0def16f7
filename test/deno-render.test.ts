// The rendered-mode project as Connect would render it: the bundle's files extracted into a
// folder, Quarto's placeholder index.html in place, then the bundled script run by each Deno
// that Quarto ships, with the environment Connect gives a render, against the Connect and S3
// test servers on 127.0.0.1.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { Float64, Int32, Table, tableToIPC, Utf8, vectorFromArray } from "apache-arrow";
import {
  Compression,
  initSync,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from "parquet-wasm/esm";
import { prepareRenderedProject } from "../src/rendered/prepare.ts";
import { SCRIPT_PATH } from "../src/rendered/project.ts";
import { DENO_VERSIONS, runLikeQuarto, stableFolder } from "./deno-run.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";
import { KeyRegistry } from "./servers/aws-keys.ts";
import { type ConnectTestServer, startConnectServer } from "./servers/connect.ts";
import { type ConnectOAuthState, installOAuthRoutes } from "./servers/connect-oauth.ts";
import { type S3TestServer, startS3Server } from "./servers/s3.ts";

const API_KEY = "render-api-key-7f3e9c1d5b";
const SESSION_TOKEN = "content-session-token-4a8b2c6d";
const INTEGRATION = "c0ffee00-0000-4000-8000-00000000a115";
const PLACEHOLDER = "<html><body>placeholder from quarto</body></html>";
// Only in the S3 copy of the data, so its presence proves S3 was read.
const S3_CSV = "order_id,region,revenue\n1,Atlantis,1000\n2,Atlantis,234.5\n3,Lemuria,66\n";

/** The same kind of orders as Parquet (written by arrow-rs through parquet-wasm). */
function ordersParquet(): Uint8Array {
  initSync({
    module: readFileSync(new URL(import.meta.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm"))),
  });
  const table = new Table({
    order_id: vectorFromArray([1, 2, 3], new Int32()),
    region: vectorFromArray(["Hyperborea", "Hyperborea", "Mu"], new Utf8()),
    revenue: vectorFromArray([500, 250.25, 75], new Float64()),
  });
  const properties = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, "stream")), properties);
}

let registry: KeyRegistry;
let connect: ConnectTestServer;
let oauth: ConnectOAuthState;
let s3: S3TestServer;
let files: { path: string; data: Uint8Array }[];
/** The same project published with --include-fallback. */
let withFallback: { path: string; data: Uint8Array }[];

before(async () => {
  registry = new KeyRegistry();
  s3 = await startS3Server({ registry });
  s3.createBucket("reports");
  s3.putObject("reports", "sales/orders.csv", S3_CSV, "text/csv");
  s3.putObject("reports", "sales/orders.parquet", ordersParquet(), "application/octet-stream");
  connect = await startConnectServer({ apiKey: API_KEY });
  oauth = installOAuthRoutes(connect, { registry });
  oauth.sessions.set(SESSION_TOKEN, {
    type: "content",
    integrations: [{ guid: INTEGRATION, template: "aws" }],
  });
  const project = await prepareRenderedProject({
    root: join(import.meta.dirname, ".."),
    definition: "test/input/publish/rendered/report.yml",
    env: {},
  });
  files = project.files;
  withFallback = (
    await prepareRenderedProject({
      root: join(import.meta.dirname, ".."),
      definition: "test/input/publish/rendered/report.yml",
      env: {},
      includeFallback: true,
    })
  ).files;
});
after(async () => {
  await connect?.close();
  await s3?.close();
  rmSync(PROJECT, { recursive: true, force: true });
});

/**
 * The one folder every test extracts its project into, afresh, at the same path in every run
 * (test/deno-run.ts): Deno keys its V8 code cache by the script's path, so the renders after
 * the first of each Deno version skip compiling the bundled script again (about 40% of a
 * render's CPU), and so do the first ones once an earlier run rendered the same script.
 */
const PROJECT = join(stableFolder("rendered-project"), "project");

/** Lay the bundle out as Connect extracts it, plus what Quarto rendered before post-render. */
function extract(bundle = files): string {
  const dir = PROJECT;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const file of bundle) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.data);
  }
  writeFileSync(join(dir, "index.html"), PLACEHOLDER);
  return dir;
}

function renderEnv(project: string): Record<string, string> {
  return {
    POSIT_PRODUCT: "CONNECT",
    CONNECT_SERVER: connect.url,
    CONNECT_API_KEY: API_KEY,
    CONNECT_CONTENT_SESSION_TOKEN: SESSION_TOKEN,
    RSC_REPORT_NAME: "Rendered sales",
    RSC_REPORT_URL: `${connect.url}/content/abc/`,
    RSC_REPORT_RENDERING_URL: `${connect.url}/content/abc/_rev7/`,
    RSC_REPORT_SUBSCRIPTION_URL: `${connect.url}/connect/#/apps/abc/subscriptions`,
    AWS_BUCKET_NAME: "reports",
    AWS_S3_FILEPATH: "sales/orders.csv",
    AWS_REGION: s3.region,
    AWS_ENDPOINT_URL_S3: s3.url,
    QUARTO_PROJECT_OUTPUT_DIR: project,
    QUARTO_PROJECT_RENDER_ALL: "1",
  };
}

test("the bundle carries the definition, the templates and the script, and no sample data", () => {
  const paths = files.map((f) => f.path);
  assert.ok(!paths.includes("test/input/publish/rendered/data/orders.csv"));
  assert.ok(!paths.some((p) => p.endsWith(".csv")));
  assert.equal(JSON.parse(configOf(files)).fallbackBundled, false);
  assert.ok(withFallback.some((f) => f.path === "test/input/publish/rendered/data/orders.csv"));
  assert.equal(JSON.parse(configOf(withFallback)).fallbackBundled, true);
  for (const path of [
    "test/input/publish/rendered/report.yml",
    "_quarto.yml",
    "index.qmd",
    SCRIPT_PATH,
    "_report/render.json",
    "_report/lib/deno/resvg_bg.wasm",
  ]) {
    assert.ok(paths.includes(path), path);
  }
  assert.ok(paths.some((p) => p.startsWith("_report/templates/fonts/")));
  // engine: athena works under Deno too: the Athena engine and client are in the script, and
  // the engine initializes only where the build imports it, so other reports never load it.
  const script = new TextDecoder().decode(files.find((f) => f.path === SCRIPT_PATH)?.data);
  assert.match(script, /AmazonAthena/);
  const inits = script.match(/init_athena\(\)/g) ?? [];
  const lazy = script.match(
    /Promise\.resolve\(\)\.then\(\(\) => \(init_athena\(\), athena_exports\)\)/g,
  );
  assert.ok(inits.length > 0);
  assert.equal(lazy?.length, inits.length);
});

const configOf = (bundle: typeof files) =>
  new TextDecoder().decode(bundle.find((f) => f.path === "_report/render.json")!.data);

test("on Connect with no bucket configured, the render fails naming the variables to set", async () => {
  const project = extract();
  const env: Record<string, string> = { ...renderEnv(project), AWS_BUCKET_NAME: "" };
  delete env.AWS_REGION;
  delete env.AWS_S3_FILEPATH;
  const run = await runLikeQuarto("2.7.14", join(project, SCRIPT_PATH), { cwd: project, env });
  assert.notEqual(run.code, 0);
  assert.match(
    run.stderr,
    /error: The report's S3 source is not configured on Connect: set AWS_BUCKET_NAME \(optional, with defaults in the definition: AWS_S3_FILEPATH, AWS_REGION\) in the content's Vars panel/,
  );
  assert.match(run.stderr, /hint: Or publish again with --env AWS_BUCKET_NAME=\.\.\./);
  // The render failed: Quarto's placeholder stays, Connect sends no email.
  assert.equal(readFileSync(join(project, "index.html"), "utf8"), PLACEHOLDER);
  assert.throws(() => readFileSync(join(project, ".output_metadata.json")));
});

test("on Connect, a fallback published with --include-fallback is used when no bucket is set", async () => {
  const project = extract(withFallback);
  const run = await runLikeQuarto("2.7.14", join(project, SCRIPT_PATH), {
    cwd: project,
    env: { ...renderEnv(project), AWS_BUCKET_NAME: "" },
  });
  assert.equal(run.code, 0, run.stderr);
  assertValidSummary(JSON.parse(readFileSync(join(project, "summary.json"), "utf8")));
  assert.match(readFileSync(join(project, "index.html"), "utf8"), /North/);
});

test("off Connect with no bucket configured, the script builds from the bundled fallback file", async () => {
  const project = extract(withFallback);
  const run = await runLikeQuarto("2.7.14", join(project, SCRIPT_PATH), {
    cwd: project,
    env: { QUARTO_PROJECT_OUTPUT_DIR: project },
  });
  assert.equal(run.code, 0, run.stderr);
  assertValidSummary(JSON.parse(readFileSync(join(project, "summary.json"), "utf8")));
  const html = readFileSync(join(project, "index.html"), "utf8");
  assert.notEqual(html, PLACEHOLDER);
  assert.match(html, /Rendered sales/);
  assert.match(html, /North/);
  assert.doesNotMatch(html, /Atlantis/);
  // No Connect version in the environment: v1. Revenue 120.50 + 80 + 45.25 + 300 + 10 + 99.99
  // = 655.74 is below the rule's 1,000, so the scheduled email is suppressed.
  const meta = checkV1(readMetadata(project), {
    subject: "Rendered sales: revenue $655.74",
    suppressed: true,
  });
  assert.match(meta.rsc_email_body_text, /6 rows from .*orders\.csv/);
});

/** The Connect release each Deno's render reports (SPARK_CONNECT_USER_AGENT), and the file version it reads. */
const CONNECT_OF: Record<(typeof DENO_VERSIONS)[number], { agent?: string; version: 1 | 2 }> = {
  "1.46.3": { version: 1 },
  "2.2.10": { agent: "posit-connect/2025.12.1", version: 1 },
  "2.7.14": { agent: "posit-connect/2026.03.0-dev+88-gda902918eb", version: 2 },
};

for (const version of DENO_VERSIONS) {
  const connectRelease = CONNECT_OF[version];
  test(`Deno ${version}: a render on Connect exchanges the session token, reads S3 and writes the report and a v${connectRelease.version} email`, async () => {
    const project = extract();
    const exchangesBefore = oauth.exchanges.length;
    const s3Before = s3.requests.length;
    const run = await runLikeQuarto(version, join(project, SCRIPT_PATH), {
      cwd: project,
      env: {
        ...renderEnv(project),
        ...(connectRelease.agent && { SPARK_CONNECT_USER_AGENT: connectRelease.agent }),
      },
    });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assertValidSummary(JSON.parse(readFileSync(join(project, "summary.json"), "utf8")));

    const exchanges = oauth.exchanges.slice(exchangesBefore);
    assert.ok(exchanges.length >= 1);
    assert.equal(exchanges[0].status, 200);
    assert.equal(exchanges[0].subjectToken, SESSION_TOKEN);
    const gets = s3.requests.slice(s3Before).filter((r) => r.action === "GetObject");
    assert.ok(gets.length >= 1);
    assert.ok(gets.every((r) => r.status < 300 && r.accessKeyId === exchanges[0].accessKeyId));

    const html = readFileSync(join(project, "index.html"), "utf8");
    assert.match(html, /Atlantis/);
    assert.match(html, /Lemuria/);
    assert.match(html, /<svg/);
    // Revenue in the S3 copy: 1000 + 234.5 + 66 = 1,300.50, above the rule's 1,000: sent.
    const expected = { subject: "Rendered sales: revenue $1,300.50", suppressed: false };
    const raw = readMetadata(project);
    const email =
      connectRelease.version === 2 ? checkV2(raw, expected) : v1AsEmail(checkV1(raw, expected));
    assert.match(email.body_html, new RegExp(`href="${connect.url}/content/abc/_rev7/"`));
    assert.match(
      email.body_html,
      new RegExp(`href="${connect.url}/connect/#/apps/abc/subscriptions"`),
    );
    assert.match(email.body_text, /3 rows from s3:\/\/reports\/sales\/orders\.csv/);
    assert.match(email.body_text, /Revenue: \$1,300\.50/);
    assert.match(email.body_text, /Unsubscribe: .*\/subscriptions/);

    // No secret in anything the render wrote, nor in its log.
    const issued = [...registry.keys.values()].flatMap((k) => [k.secretAccessKey, k.sessionToken]);
    const secrets = [API_KEY, SESSION_TOKEN, ...issued].filter((s): s is string => Boolean(s));
    const written = readdirSync(project, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name), "latin1"));
    for (const secret of secrets) {
      for (const text of [...written, run.stdout, run.stderr]) assert.ok(!text.includes(secret));
    }
  });
}

test("a failed exchange fails the render with Connect's message, leaving no email metadata", async () => {
  const project = extract();
  const run = await runLikeQuarto("2.2.10", join(project, SCRIPT_PATH), {
    cwd: project,
    env: { ...renderEnv(project), CONNECT_CONTENT_SESSION_TOKEN: "expired-token" },
  });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /subject token is invalid or has expired/);
  assert.equal(readFileSync(join(project, "index.html"), "utf8"), PLACEHOLDER);
  assert.throws(() => readFileSync(join(project, ".output_metadata.json")));
});

test("Deno 1.46.3: Parquet from S3 is decoded in the bundle, with parquet-wasm shipped beside it for the fallback", async () => {
  assert.ok(files.some((f) => f.path === "_report/lib/deno/parquet_wasm_bg.wasm"));
  const project = extract();
  const run = await runLikeQuarto("1.46.3", join(project, SCRIPT_PATH), {
    cwd: project,
    env: {
      ...renderEnv(project),
      AWS_S3_FILEPATH: "sales/orders.parquet",
      SPARK_CONNECT_USER_AGENT: "posit-connect/2026.04.1",
    },
  });
  assert.equal(run.code, 0, run.stderr);
  assertValidSummary(JSON.parse(readFileSync(join(project, "summary.json"), "utf8")));
  const html = readFileSync(join(project, "index.html"), "utf8");
  assert.match(html, /Hyperborea/);
  assert.match(html, /\$825\.25/); // Revenue KPI: 500 + 250.25 + 75
  assert.doesNotMatch(html, /Atlantis/);
  // Connect 2026.04 reads v2; 825.25 is below the rule's 1,000, so the email is suppressed.
  checkV2(readMetadata(project), { subject: "Rendered sales: revenue $825.25", suppressed: true });
});

// The shapes Connect reads (docs/design/connect-email.md), checked field by field.

const PNG_SIGNATURE = "89504e470d0a1a0a";

function readMetadata(project: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(project, ".output_metadata.json"), "utf8"));
}

/** Every cid: in the HTML has an image, every image is a PNG, and no image is unused. */
function checkImages(html: string, images: unknown): void {
  assert.ok(images && typeof images === "object");
  const map = images as Record<string, string>;
  const cids = [...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(Object.keys(map).sort(), [...new Set(cids)].sort());
  assert.ok(cids.length >= 1);
  for (const data of Object.values(map)) {
    assert.equal(Buffer.from(data, "base64").subarray(0, 8).toString("hex"), PNG_SIGNATURE);
  }
}

interface V1 {
  rsc_email_subject: string;
  rsc_email_body_html: string;
  rsc_email_body_text: string;
  rsc_email_images: Record<string, string>;
}

function checkV1(
  meta: Record<string, unknown>,
  want: { subject: string; suppressed: boolean },
): V1 {
  assert.deepEqual(Object.keys(meta).sort(), [
    "rsc_email_attachments",
    "rsc_email_body_html",
    "rsc_email_body_text",
    "rsc_email_images",
    "rsc_email_subject",
    "rsc_email_suppress_report_attachment",
    "rsc_email_suppress_scheduled",
  ]);
  assert.equal(meta.rsc_email_subject, want.subject);
  assert.equal(typeof meta.rsc_email_body_html, "string");
  assert.match(meta.rsc_email_body_html as string, /^<!DOCTYPE html>/);
  assert.equal(typeof meta.rsc_email_body_text, "string");
  assert.deepEqual(meta.rsc_email_attachments, []);
  assert.equal(meta.rsc_email_suppress_report_attachment, true);
  assert.equal(meta.rsc_email_suppress_scheduled, want.suppressed);
  checkImages(meta.rsc_email_body_html as string, meta.rsc_email_images);
  return meta as unknown as V1;
}

interface V2Email {
  subject: string;
  body_html: string;
  body_text: string;
}

function v1AsEmail(meta: V1): V2Email {
  return {
    subject: meta.rsc_email_subject,
    body_html: meta.rsc_email_body_html,
    body_text: meta.rsc_email_body_text,
  };
}

function checkV2(
  meta: Record<string, unknown>,
  want: { subject: string; suppressed: boolean },
): V2Email {
  assert.deepEqual(Object.keys(meta).sort(), ["emails", "rsc_email_version"]);
  assert.equal(meta.rsc_email_version, 2);
  assert.ok(Array.isArray(meta.emails));
  assert.equal(meta.emails.length, 1);
  const email = meta.emails[0] as Record<string, unknown>;
  assert.deepEqual(Object.keys(email).sort(), [
    "attachments",
    "body_html",
    "body_text",
    "email_id",
    "images",
    "send_report_as_attachment",
    "subject",
    "suppress_scheduled",
  ]);
  assert.equal(email.email_id, 1);
  assert.equal(email.subject, want.subject);
  assert.match(email.body_html as string, /^<!DOCTYPE html>/);
  assert.equal(typeof email.body_text, "string");
  assert.deepEqual(email.attachments, []);
  assert.equal(email.suppress_scheduled, want.suppressed);
  assert.equal(email.send_report_as_attachment, false);
  checkImages(email.body_html as string, email.images);
  return email as unknown as V2Email;
}
