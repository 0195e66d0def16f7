// As on Connect (POSIT_PRODUCT=CONNECT, CONNECT_SERVER, CONNECT_API_KEY, a token file): the
// report's data is read from the S3 test server with credentials from the Connect test
// server's exchange, refreshed mid-download when they are short-lived, and no secret shows
// in the most verbose output.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { build } from "../src/build.ts";
import { loadReportSpec } from "../src/config/index.ts";
import type { Effects } from "../src/effects.ts";
import { openDataSource } from "../src/source/open.ts";
import { localFetch, recordingLog } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";
import {
  API_KEY,
  type AwsWorld,
  collect,
  SESSION_TOKEN,
  startAwsWorld,
  testBytes,
} from "./servers/aws-world.ts";

const DEFINITION = join(import.meta.dirname, "input/aws/report.yml");
const CSV = `region,revenue\n${Array.from({ length: 200 }, (_, i) => `${["North", "South", "East"][i % 3]},${i * 7}`).join("\n")}\n`;

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld();
  world.s3.putObject("connect-bucket", "exports/orders.csv", CSV, "text/csv");
});
after(() => world.close());

const connectEffects = (extraEnv: Record<string, string> = {}) => {
  const log = recordingLog();
  const { lines } = log;
  const effects: Effects = {
    env: {
      ...world.connectEnv,
      AWS_BUCKET_NAME: "connect-bucket",
      AWS_S3_FILEPATH: "exports/orders.csv",
      ...extraEnv,
    },
    fetch: localFetch,
    now: () => new Date(),
    log,
  };
  return { lines, effects };
};

/** Every request the S3 server saw since `from` was signed with a key Connect's exchange issued. */
function assertSignedByExchange(from: number) {
  const seen = world.s3.requests.slice(from);
  assert.ok(seen.length > 0);
  for (const request of seen) {
    assert.ok(request.accessKeyId, "signed");
    const issued = world.registry.get(request.accessKeyId);
    assert.ok(
      issued?.issuedTo.startsWith("connect:"),
      `${request.accessKeyId} came from the exchange`,
    );
    assert.equal(request.error, undefined);
  }
  const exchanged = new Set(world.oauth.exchanges.map((e) => e.accessKeyId));
  for (const request of seen) assert.ok(exchanged.has(request.accessKeyId));
}

test("reads the report's data as on Connect, signed only with exchanged credentials", async () => {
  const { lines, effects } = connectEffects();
  const from = world.s3.requests.length;
  const spec = await loadReportSpec(DEFINITION, effects.env);
  const source = await openDataSource(spec.source, effects);
  assert.equal((await collect(source.body())).toString(), CSV);
  assert.equal(source.label, "s3://connect-bucket/exports/orders.csv");
  assert.equal(source.etag, world.s3.putObject("connect-bucket", "exports/orders.csv", CSV).etag);
  assert.match(source.credentialSource ?? "", /^Connect service-account integration/);
  assertSignedByExchange(from);
  assert.ok(
    lines.some((l) => l.startsWith("AWS credentials: Connect service-account integration")),
  );
});

test("builds the whole report as on Connect", async () => {
  const { lines, effects } = connectEffects();
  const outDir = join(world.dir, "site");
  const from = world.s3.requests.length;
  const result = await build(
    { definition: DEFINITION, outDir, verbose: true } as Parameters<typeof build>[0],
    effects,
  );
  assert.equal(result.source.label, "s3://connect-bucket/exports/orders.csv");
  assert.equal(result.summary.rows, 200);
  assertValidSummary(JSON.parse(await readFile(join(outDir, "summary.json"), "utf8")));
  assertSignedByExchange(from);
  const secrets = secretsIssued();
  const files = await readdir(outDir, { recursive: true });
  for (const file of files) {
    const text = await readFile(join(outDir, file)).catch(() => Buffer.alloc(0));
    for (const secret of secrets) assert.ok(!text.includes(secret), `${file} holds no secret`);
  }
  assertNoSecrets(lines, secrets);
});

test("two-second credentials are refreshed in the middle of a slow download", async () => {
  world.oauth.lifetimeMs = 2000;
  try {
    const bytes = testBytes(10 * 64 * 1024, 11);
    world.s3.putObject("connect-bucket", "big/orders.bin", bytes);
    const { effects } = connectEffects({ AWS_S3_FILEPATH: "big/orders.bin" });
    const exchangesBefore = world.oauth.exchanges.length;
    const from = world.s3.requests.length;
    const source = await openDataSource(
      { s3: { bucket: "connect-bucket", key: "big/orders.bin" }, csv: {} },
      effects,
      { partSize: 64 * 1024, concurrency: 2 },
    );
    const chunks: Uint8Array[] = [];
    for await (const chunk of source.body()) {
      chunks.push(chunk);
      await new Promise((resolve) => setTimeout(resolve, 350)); // a slow reader
    }
    assert.ok(Buffer.concat(chunks).equals(Buffer.from(bytes)));
    const gets = world.s3.requests.slice(from).filter((r) => r.action === "GetObject");
    assert.equal(gets.length, 10);
    const keys = new Set(gets.map((r) => r.accessKeyId));
    assert.ok(keys.size >= 2, `the download used ${keys.size} key(s)`);
    assert.ok(world.oauth.exchanges.length - exchangesBefore >= 2);
    // Refreshed before expiry: S3 never had to refuse an expired key.
    assertSignedByExchange(from);
  } finally {
    world.oauth.lifetimeMs = 3600_000;
  }
});

/** Every secret the servers handed out: API key, content session token, AWS secrets and session tokens. */
function secretsIssued(): string[] {
  const secrets = [API_KEY, SESSION_TOKEN];
  for (const key of world.registry.keys.values()) {
    secrets.push(key.secretAccessKey);
    if (key.sessionToken) secrets.push(key.sessionToken);
  }
  return secrets;
}

function assertNoSecrets(lines: string[], secrets: string[]) {
  const output = lines.join("\n");
  for (const secret of secrets) {
    assert.ok(!output.includes(secret), `output holds a secret (${secret.slice(0, 4)}…)`);
  }
}

test("the most verbose output holds no secret, failures included", async () => {
  const { lines, effects } = connectEffects();
  const spec = await loadReportSpec(DEFINITION, effects.env);
  const source = await openDataSource(spec.source, effects, { partSize: 100, concurrency: 3 });
  await collect(source.body());
  const failures = [
    connectEffects({ CONNECT_API_KEY: `${API_KEY}-revoked` }),
    connectEffects({ AWS_S3_FILEPATH: "exports/ordrs.csv" }),
  ];
  world.oauth.sessions.set(`${SESSION_TOKEN}-orphan`, { type: "content", integrations: [] });
  failures.push(
    connectEffects({
      CONNECT_CONTENT_SESSION_TOKEN_FILE: "",
      CONNECT_CONTENT_SESSION_TOKEN: `${SESSION_TOKEN}-orphan`,
    }),
  );
  for (const failure of failures) {
    const failingSpec = await loadReportSpec(DEFINITION, failure.effects.env);
    await assert.rejects(
      openDataSource(failingSpec.source, failure.effects).then((s) => collect(s.body())),
      (error: Error & { hint?: string }) => {
        lines.push(...failure.lines, error.message, error.hint ?? "", String(error.stack));
        return true;
      },
    );
  }
  assert.ok(lines.length > 8);
  assert.ok(lines.some((l) => l.includes("refreshed") || l.includes("issued by Connect")));
  assertNoSecrets(lines, [...secretsIssued(), `${API_KEY}-revoked`, `${SESSION_TOKEN}-orphan`]);
});
