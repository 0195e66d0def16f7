// Building as on a laptop: the default chain finds keys in the environment, then in a profile
// file (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE), and when it finds none the message
// lists the ways to provide them. The chain reads the build's effects.env, not process.env:
// keys that are only in this process's environment are never used.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { build } from "../src/build.ts";
import { loadReportSpec } from "../src/config/index.ts";
import type { Effects } from "../src/effects.ts";
import { isReportError } from "../src/errors.ts";
import { openDataSource } from "../src/source/open.ts";
import { localFetch, recordingLog } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";
import { KeyRegistry } from "./servers/aws-keys.ts";
import { collect } from "./servers/aws-world.ts";
import { type S3TestServer, startS3Server } from "./servers/s3.ts";

const DEFINITION = join(import.meta.dirname, "input/aws/report.yml");
const CSV = "region,revenue\nNorth,10\nSouth,20\nNorth,5\nEast,7\n";
const registry = new KeyRegistry();
let s3: S3TestServer;
let dir: string;

before(async () => {
  s3 = await startS3Server({ registry });
  s3.putObject("laptop-bucket", "exports/orders.csv", CSV, "text/csv");
  dir = await mkdtemp(join(tmpdir(), "credentials-test-"));
});
after(async () => {
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

/** What the build does with the data source: load the definition, open the source, read it. */
async function readLikeBuild(effects: Effects) {
  const spec = await loadReportSpec(DEFINITION, effects.env);
  const source = await openDataSource(spec.source, effects);
  return { source, bytes: await collect(source.body()) };
}

/** A laptop's environment with no credentials in it, plus `extra`. */
const laptopEffects = (extra: Record<string, string> = {}) => {
  const log = recordingLog();
  const { lines } = log;
  const effects: Effects = {
    env: {
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
      ...extra,
    },
    fetch: localFetch,
    now: () => new Date(),
    log,
  };
  return { lines, effects };
};

/** Run `body` with `vars` set in this process's own environment, then put it back. */
async function withProcessEnv(vars: Record<string, string>, body: () => Promise<void>) {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Profile files with a "reports" profile holding `accessKeyId`; returns their paths. */
async function profileFiles(name: string, accessKeyId: string, secret: string) {
  const credentialsFile = join(dir, `${name}-credentials`);
  const configFile = join(dir, `${name}-config`);
  await writeFile(
    credentialsFile,
    `[default]\naws_access_key_id = AKIDWRONGDEFAULT0001\naws_secret_access_key = nope\n\n[reports]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secret}\n`,
  );
  await writeFile(configFile, "[profile reports]\nregion = us-east-1\n");
  return { credentialsFile, configFile };
}

test("keys from the environment", async () => {
  registry.addStatic("AKIDENVIRONMENT00001", "env-secret-value-1", "env");
  const { lines, effects } = laptopEffects({
    AWS_ACCESS_KEY_ID: "AKIDENVIRONMENT00001",
    AWS_SECRET_ACCESS_KEY: "env-secret-value-1",
  });
  const before = s3.requests.length;
  const result = await build({ definition: DEFINITION, outDir: join(dir, "out-env") }, effects);
  assert.equal(result.summary.rows, 4);
  assertValidSummary(JSON.parse(await readFile(join(dir, "out-env", "summary.json"), "utf8")));
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
  const { credentialsFile, configFile } = await profileFiles(
    "laptop",
    "AKIDPROFILE000000001",
    "profile-secret-value-1",
  );
  const { lines, effects } = laptopEffects({
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: configFile,
    AWS_PROFILE: "reports",
  });
  const before = s3.requests.length;
  const result = await build({ definition: DEFINITION, outDir: join(dir, "out-profile") }, effects);
  assert.equal(result.summary.rows, 4);
  assertValidSummary(JSON.parse(await readFile(join(dir, "out-profile", "summary.json"), "utf8")));
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

/** Keys (and, with `profile`, a profile) that S3 accepts, for this process's environment. */
async function processOnlySettings(profile: boolean): Promise<Record<string, string>> {
  registry.addStatic("AKIDPROCESSENV000001", "process-secret-value-1", "process-env");
  const keys = {
    AWS_ACCESS_KEY_ID: "AKIDPROCESSENV000001",
    AWS_SECRET_ACCESS_KEY: "process-secret-value-1",
  };
  if (!profile) return keys;
  registry.addStatic("AKIDPROCESSPROFILE01", "process-secret-value-2", "process-profile");
  const files = await profileFiles("process", "AKIDPROCESSPROFILE01", "process-secret-value-2");
  return {
    ...keys,
    AWS_PROFILE: "reports",
    AWS_SHARED_CREDENTIALS_FILE: files.credentialsFile,
    AWS_CONFIG_FILE: files.configFile,
  };
}

test("the build's environment decides: keys only in process.env are not used", async () => {
  await withProcessEnv(await processOnlySettings(true), async () => {
    registry.addStatic("AKIDEFFECTSENV000001", "effects-secret-value-1", "effects-env");
    const { lines, effects } = laptopEffects({
      AWS_ACCESS_KEY_ID: "AKIDEFFECTSENV000001",
      AWS_SECRET_ACCESS_KEY: "effects-secret-value-1",
    });
    const before = s3.requests.length;
    const result = await build(
      { definition: DEFINITION, outDir: join(dir, "out-decides") },
      effects,
    );
    assert.equal(result.summary.rows, 4);
    assertValidSummary(
      JSON.parse(await readFile(join(dir, "out-decides", "summary.json"), "utf8")),
    );
    assert.equal(result.source.credentialSource, "environment variables (AWS_ACCESS_KEY_ID)");
    const seen = s3.requests.slice(before);
    assert.ok(seen.length >= 2);
    assert.deepEqual([...new Set(seen.map((r) => r.accessKeyId))], ["AKIDEFFECTSENV000001"]);
    assert.ok(lines.includes("AWS credentials: environment variables (AWS_ACCESS_KEY_ID)"));
  });
});

for (const profile of [false, true]) {
  test(`no credentials in the build's environment: none found, with keys${profile ? " and a profile" : ""} in process.env`, async () => {
    await withProcessEnv(await processOnlySettings(profile), async () => {
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
      assert.equal(s3.requests.length, before, "nothing was sent, signed or unsigned");
    });
  });
}
