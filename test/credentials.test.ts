// Building as on a laptop: the AWS SDK's default chain finds keys in the environment, then
// in a profile file (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE), and when it finds none
// the message lists the ways to provide them. The chain reads process.env itself, so these
// tests set it (each test file runs in its own process).
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { build } from "../src/build.ts";
import { loadReportSpec } from "../src/config/index.ts";
import type { Effects } from "../src/effects.ts";
import { isReportError } from "../src/errors.ts";
import { openDataSource } from "../src/source/open.ts";
import { recordingLog } from "./helpers/effects.ts";
import { KeyRegistry } from "./servers/aws-keys.ts";
import { collect } from "./servers/aws-world.ts";
import { type S3TestServer, startS3Server } from "./servers/s3.ts";

const DEFINITION = join(import.meta.dirname, "input/aws/report.yml");
const CSV = "region,revenue\nNorth,10\nSouth,20\nNorth,5\nEast,7\n";
const registry = new KeyRegistry();
let s3: S3TestServer;
let dir: string;
const saved = { ...process.env };

before(async () => {
  s3 = await startS3Server({ registry });
  s3.putObject("laptop-bucket", "exports/orders.csv", CSV, "text/csv");
  dir = await mkdtemp(join(tmpdir(), "credentials-test-"));
});
after(async () => {
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const name of Object.keys(process.env)) {
    if (/^(AWS_|POSIT_PRODUCT|RSTUDIO_PRODUCT|CONNECT_)/.test(name)) delete process.env[name];
  }
  Object.assign(process.env, {
    AWS_BUCKET_NAME: "laptop-bucket",
    AWS_S3_FILEPATH: "exports/orders.csv",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_S3: s3.url,
    // Never ask a real instance metadata service, and never read the machine's ~/.aws.
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "absent-credentials"),
    AWS_CONFIG_FILE: join(dir, "absent-config"),
    // Nor the machine's download cache (each test here must reach S3).
    CONNECT_S3_REPORT_CACHE: "off",
  });
});
after(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});

/** What the build does with the data source: load the definition, open the source, read it. */
async function readLikeBuild(effects: Effects) {
  const spec = await loadReportSpec(DEFINITION, effects.env);
  const source = await openDataSource(spec.source, effects);
  return { source, bytes: await collect(source.body()) };
}

const laptopEffects = () => {
  const log = recordingLog();
  const { lines } = log;
  const effects: Effects = {
    env: process.env,
    fetch: globalThis.fetch,
    now: () => new Date(),
    log,
  };
  return { lines, effects };
};

test("keys from the environment", async () => {
  registry.addStatic("AKIDENVIRONMENT00001", "env-secret-value-1", "env");
  process.env.AWS_ACCESS_KEY_ID = "AKIDENVIRONMENT00001";
  process.env.AWS_SECRET_ACCESS_KEY = "env-secret-value-1";
  const { lines, effects } = laptopEffects();
  const before = s3.requests.length;
  const result = await build({ definition: DEFINITION, outDir: join(dir, "out-env") }, effects);
  assert.equal(result.summary.rows, 4);
  assert.equal(result.source.label, "s3://laptop-bucket/exports/orders.csv");
  assert.equal(result.source.credentialSource, "environment variables (AWS_ACCESS_KEY_ID)");
  assert.equal(result.source.size, CSV.length);
  const seen = s3.requests.slice(before);
  assert.ok(seen.length >= 2);
  assert.ok(seen.every((r) => r.accessKeyId === "AKIDENVIRONMENT00001" && !r.error));
  assert.ok(lines.includes("AWS credentials: environment variables (AWS_ACCESS_KEY_ID)"));
});

test("keys from a profile file", async () => {
  registry.addStatic("AKIDPROFILE000000001", "profile-secret-value-1", "profile");
  const credentialsFile = join(dir, "credentials");
  const configFile = join(dir, "config");
  await writeFile(
    credentialsFile,
    "[default]\naws_access_key_id = AKIDWRONGDEFAULT0001\naws_secret_access_key = nope\n\n[reports]\naws_access_key_id = AKIDPROFILE000000001\naws_secret_access_key = profile-secret-value-1\n",
  );
  await writeFile(configFile, "[profile reports]\nregion = us-east-1\n");
  Object.assign(process.env, {
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: configFile,
    AWS_PROFILE: "reports",
  });
  const { lines, effects } = laptopEffects();
  const before = s3.requests.length;
  const result = await build({ definition: DEFINITION, outDir: join(dir, "out-profile") }, effects);
  assert.equal(result.summary.rows, 4);
  assert.equal((await readLikeBuild(effects)).bytes.toString(), CSV);
  assert.equal(
    result.source.credentialSource,
    `shared profile "reports" (${credentialsFile}, ${configFile})`,
  );
  const seen = s3.requests.slice(before);
  assert.ok(seen.length >= 2);
  assert.ok(seen.every((r) => r.accessKeyId === "AKIDPROFILE000000001" && !r.error));
  assert.ok(lines.some((l) => l.startsWith('AWS credentials: shared profile "reports"')));
});

test("no credentials found lists the ways to provide them", async () => {
  const { effects } = laptopEffects();
  const before = s3.requests.length;
  await assert.rejects(
    build({ definition: DEFINITION, outDir: join(dir, "out-none") }, effects),
    (error) => {
      assert.ok(isReportError(error));
      assert.match(error.message, /^No AWS credentials found/);
      for (const way of [
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
        "aws sso login",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "instance role",
        "Access panel → Integrations",
      ]) {
        assert.ok(error.hint?.includes(way), `hint mentions ${way}`);
      }
      return true;
    },
  );
  assert.equal(s3.requests.length, before, "nothing unsigned was sent");
});
