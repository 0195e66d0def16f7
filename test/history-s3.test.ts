// The run history in S3, through the S3 test server (which verifies SigV4 and session tokens)
// with credentials from Connect's exchange, as a report rendered on Connect gets them: runs are
// written and read back, builds running at the same moment each keep their own run, S3's
// If-None-Match: * keeps an existing run from being replaced, and retention deletes the oldest.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { connectSource } from "../src/aws/credentials.ts";
import { createS3Access } from "../src/aws/s3.ts";
import { build } from "../src/build.ts";
import { s3HistoryStore } from "../src/history/s3-store.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";
import { type AwsWorld, startAwsWorld } from "./servers/aws-world.ts";

let world: AwsWorld;
let dir = "";

const DATA = `region,amount\n${Array.from({ length: 200 }, (_, i) => `${["N", "S", "E"][i % 3]},${(i * 7) % 101}`).join("\n")}\n`;

before(async () => {
  world = await startAwsWorld();
  world.s3.putObject("data", "sales.csv", DATA, "text/csv");
  world.s3.createBucket("hist");
  dir = await mkdtemp(join(tmpdir(), "history-s3-"));
});
after(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

/** A definition reading s3://data/sales.csv and keeping its history as `history` says. */
async function definition(name: string, history: string): Promise<string> {
  const file = join(dir, `${name}.yml`);
  await writeFile(
    file,
    `title: S3 history\nsource:\n  s3: { bucket: data, key: sales.csv }\nhistory: ${history}\nsections:\n  - kpis: [{ label: Orders, value: count() }]\n  - profile: all\n`,
  );
  return file;
}

/** Build on "Connect" at `at`: credentials from the exchange, S3 at the test server. */
function buildAt(file: string, out: string, at: string) {
  const now = new Date(at);
  return build(
    { definition: file, outDir: join(dir, out) },
    recordingEffects({ env: world.connectEnv, now: () => now }),
  );
}

/** The stored object's text, read on the server's side. */
function text(bucket: string, key: string): string | undefined {
  return world.s3.getObject(bucket, key)?.body.toString("utf8");
}

/** Keys under `prefix` in the history bucket, sorted. */
async function keys(prefix: string): Promise<string[]> {
  const access = createS3Access(
    { bucket: "hist" },
    connectSource(world.connectEnv),
    world.connectEnv,
  );
  const store = s3HistoryStore(access, prefix);
  return (await store.list()).map((name) => `${prefix}${name}`);
}

test("runs are written to and read from S3 with the exchanged session credentials", async () => {
  const file = await definition("one", "s3://hist/reports/sales/");
  const first = await buildAt(file, "out-one", "2026-04-01T06:00:00Z");
  assert.equal(first.changes, undefined);
  const second = await buildAt(file, "out-one", "2026-04-02T06:00:00Z");
  // The second build read the first run back from S3: same object, same ETag, nothing notable.
  assert.equal(second.changes?.previous.builtAt, "2026-04-01T06:00:00.000Z");
  assert.equal(second.changes?.sameData, true);
  assert.deepEqual(second.changes?.notable, []);
  assert.equal(second.document.data.etag, world.s3.getObject("data", "sales.csv")?.etag);
  assert.deepEqual(await keys("reports/sales/"), [
    `reports/sales/${first.historyRun}`,
    `reports/sales/${second.historyRun}`,
  ]);
  const puts = world.s3.requests.filter((r) => r.action === "PutObject" && r.bucket === "hist");
  assert.equal(puts.length, 2);
  for (const put of puts) {
    assert.equal(put.status, 200);
    assert.equal(put.ifNoneMatch, "*");
    // Signed with a temporary key from the exchange, whose session token the server checked.
    assert.ok(world.registry.get(put.accessKeyId ?? "")?.sessionToken, "a session key");
  }
  const stored = text("hist", `reports/sales/${second.historyRun}`);
  assertValidSummary(JSON.parse(stored ?? "null"), "the stored run");
});

test("builds at the same moment each keep their own run", async () => {
  const file = await definition("many", "s3://hist/concurrent/");
  const at = "2026-04-03T06:00:00Z";
  const results = await Promise.all([1, 2, 3, 4].map((n) => buildAt(file, `out-many-${n}`, at)));
  const names = results.map((r) => r.historyRun);
  assert.equal(new Set(names).size, 4, `four different runs: ${names.join(", ")}`);
  assert.deepEqual(await keys("concurrent/"), names.map((n) => `concurrent/${n}`).sort());
  for (const name of names) {
    const run = JSON.parse(text("hist", `concurrent/${name}`) ?? "null");
    assertValidSummary(run, name);
    assert.equal(run.builtAt, "2026-04-03T06:00:00.000Z");
  }
});

test("If-None-Match: * keeps an existing run from being replaced", async () => {
  const [existing] = await keys("reports/sales/");
  const before = text("hist", existing);
  const access = createS3Access(
    { bucket: "hist" },
    connectSource(world.connectEnv),
    world.connectEnv,
  );
  const store = s3HistoryStore(access, "reports/sales/");
  const from = world.s3.requests.length;
  assert.equal(await store.create(existing.slice("reports/sales/".length), "{}"), false);
  assert.equal(text("hist", existing), before);
  const refused = world.s3.requests
    .slice(from)
    .filter((r) => r.action === "PutObject" && r.key === existing);
  assert.deepEqual(
    refused.map((r) => [r.status, r.error]),
    [[412, "PreconditionFailed"]],
  );
});

test("retention keeps the newest runs and deletes the rest", async () => {
  const file = await definition("keep", "{ location: s3://hist/keep/, keep: { runs: 2 } }");
  const runs = [];
  for (const day of ["05", "06", "07"]) {
    runs.push((await buildAt(file, "out-keep", `2026-04-${day}T06:00:00Z`)).historyRun);
  }
  assert.deepEqual(await keys("keep/"), [`keep/${runs[1]}`, `keep/${runs[2]}`]);
  const deletes = world.s3.requests.filter((r) => r.action === "DeleteObject");
  assert.deepEqual(
    deletes.map((r) => [r.key, r.status]),
    [[`keep/${runs[0]}`, 204]],
  );
});
