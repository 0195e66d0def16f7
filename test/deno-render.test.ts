// The rendered-mode project as Connect would render it: the bundle's files extracted into a
// folder, Quarto's placeholder index.html in place, then the bundled script run by each Deno
// that Quarto ships, with the environment Connect gives a render, against the Connect and S3
// test servers on 127.0.0.1.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
import { DENO_VERSIONS, runLikeQuarto } from "./deno-run.ts";
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
});

/** Lay the bundle out as Connect extracts it, plus what Quarto rendered before post-render. */
function extract(bundle = files): string {
  const dir = mkdtempSync(join(tmpdir(), "rendered-project-"));
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
  ]) {
    assert.ok(paths.includes(path), path);
  }
  assert.ok(paths.some((p) => p.startsWith("_report/templates/fonts/")));
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
  assert.match(readFileSync(join(project, "index.html"), "utf8"), /North/);
});

test("off Connect with no bucket configured, the script builds from the bundled fallback file", async () => {
  const project = extract(withFallback);
  const run = await runLikeQuarto("2.7.14", join(project, SCRIPT_PATH), {
    cwd: project,
    env: { QUARTO_PROJECT_OUTPUT_DIR: project },
  });
  assert.equal(run.code, 0, run.stderr);
  const html = readFileSync(join(project, "index.html"), "utf8");
  assert.notEqual(html, PLACEHOLDER);
  assert.match(html, /Rendered sales/);
  assert.match(html, /North/);
  assert.doesNotMatch(html, /Atlantis/);
  const meta = JSON.parse(readFileSync(join(project, ".output_metadata.json"), "utf8"));
  assert.match(meta.rsc_email_body_text, /^The report "Rendered sales" was updated on/);
  assert.match(meta.rsc_email_body_text, /6 rows from .*orders\.csv/);
});

for (const version of DENO_VERSIONS) {
  test(`Deno ${version}: a render on Connect exchanges the session token, reads S3 and writes the report and email`, async () => {
    const project = extract();
    const exchangesBefore = oauth.exchanges.length;
    const s3Before = s3.requests.length;
    const run = await runLikeQuarto(version, join(project, SCRIPT_PATH), {
      cwd: project,
      env: renderEnv(project),
    });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);

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
    const meta = JSON.parse(readFileSync(join(project, ".output_metadata.json"), "utf8"));
    assert.match(meta.rsc_email_subject, /^Rendered sales \(\d{4}-\d\d-\d\d\)$/);
    assert.match(meta.rsc_email_body_html, new RegExp(`href="${connect.url}/content/abc/_rev7/"`));
    assert.match(meta.rsc_email_body_text, /3 rows from s3:\/\/reports\/sales\/orders\.csv/);
    assert.match(meta.rsc_email_body_text, /Unsubscribe: .*\/subscriptions/);
    assert.equal(meta.rsc_email_suppress_scheduled, false);

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

test("Deno 1.46.3: Parquet from S3 is decoded by the wasm shipped beside the script", async () => {
  assert.ok(files.some((f) => f.path === "_report/lib/deno/parquet_wasm_bg.wasm"));
  const project = extract();
  const run = await runLikeQuarto("1.46.3", join(project, SCRIPT_PATH), {
    cwd: project,
    env: { ...renderEnv(project), AWS_S3_FILEPATH: "sales/orders.parquet" },
  });
  assert.equal(run.code, 0, run.stderr);
  const html = readFileSync(join(project, "index.html"), "utf8");
  assert.match(html, /Hyperborea/);
  assert.match(html, /\$825\.25/); // Revenue KPI: 500 + 250.25 + 75
  assert.doesNotMatch(html, /Atlantis/);
});
