// The download cache (src/cache/) against the S3 test server, which records every request:
// a second build of an unchanged object sends HeadObject and no GetObject; a changed ETag
// downloads again; a damaged entry is detected and replaced; --no-cache and Connect renders
// bypass it; least recently used entries go first past the size limit. The cache folder is
// always a temp folder passed in through the environment, never the real ~/.cache.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { build } from "../src/build.ts";
import { cacheSettings, platformCacheDir } from "../src/cache/cache-dir.ts";
import { entryName } from "../src/cache/object-cache.ts";
import { withCacheFlags } from "../src/cli/build.ts";
import type { Effects } from "../src/effects.ts";
import { isReportError } from "../src/errors.ts";
import { openDataSource } from "../src/source/open.ts";
import { type RecordingEffects, recordingEffects } from "./helpers/effects.ts";
import { type AwsWorld, collect, startAwsWorld, testBytes } from "./servers/aws-world.ts";

let world: AwsWorld;
let dir: string;
before(async () => {
  world = await startAwsWorld();
  world.s3.createBucket("data");
  dir = await mkdtemp(join(tmpdir(), "cache-test-"));
});
after(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

/** Effects for a Connect-style run with the cache in `cacheDir` (and more variables). */
function effectsWith(cacheDir: string, env: Record<string, string> = {}): RecordingEffects {
  return recordingEffects({
    env: { ...world.connectEnv, CONNECT_S3_REPORT_CACHE_DIR: cacheDir, ...env },
  });
}

/** The S3 actions recorded while `run` ran, for `key`. */
async function actionsDuring(key: string, run: () => Promise<unknown>): Promise<string[]> {
  const start = world.s3.requests.length;
  await run();
  return world.s3.requests
    .slice(start)
    .filter((request) => request.key === key)
    .map((request) => request.action);
}

/** Read an object's bytes through openDataSource, as the build does. */
async function readThrough(key: string, effects: Effects): Promise<Buffer> {
  const source = await openDataSource({ s3: { bucket: "data", key }, csv: {} }, effects);
  return collect(source.body());
}

const csv = (rows: number) =>
  ["region,revenue", ...Array.from({ length: rows }, (_, i) => `R${i % 4},${i}`)].join("\n");

test("a second build of an unchanged object sends HeadObject and no GetObject", async () => {
  const cacheDir = join(dir, "builds");
  world.s3.putObject("data", "sales.csv", csv(120));
  const buildOnce = (effects: Effects) =>
    build({ source: "s3://data/sales.csv", outDir: join(dir, "out"), check: true }, effects);
  const firstEffects = effectsWith(cacheDir);
  let first: Awaited<ReturnType<typeof buildOnce>> | undefined;
  const firstActions = await actionsDuring("sales.csv", async () => {
    first = await buildOnce(firstEffects);
  });
  assert.ok(firstActions.includes("GetObject"), firstActions.join(", "));
  const secondEffects = effectsWith(cacheDir);
  let second: Awaited<ReturnType<typeof buildOnce>> | undefined;
  const secondActions = await actionsDuring("sales.csv", async () => {
    second = await buildOnce(secondEffects);
  });
  assert.deepEqual(secondActions, ["HeadObject"]);
  assert.equal(second?.summary.rows, 120);
  assert.deepEqual(second?.summary.columns, first?.summary.columns);
  assert.ok(secondEffects.lines.some((line) => line.includes("read from the cache")));
});

test("a changed ETag downloads the object again", async () => {
  const cacheDir = join(dir, "etag");
  const first = world.s3.putObject("data", "changing.csv", csv(10));
  assert.equal((await readThrough("changing.csv", effectsWith(cacheDir))).toString(), csv(10));
  const second = world.s3.putObject("data", "changing.csv", csv(11));
  assert.notEqual(second.etag, first.etag);
  let bytes: Buffer = Buffer.alloc(0);
  const actions = await actionsDuring("changing.csv", async () => {
    bytes = await readThrough("changing.csv", effectsWith(cacheDir));
  });
  assert.deepEqual(actions, ["HeadObject", "GetObject"]);
  assert.equal(bytes.toString(), csv(11));
  // The new version is now the cached one.
  const again = await actionsDuring("changing.csv", () =>
    readThrough("changing.csv", effectsWith(cacheDir)),
  );
  assert.deepEqual(again, ["HeadObject"]);
});

test("a damaged cache entry (same length or truncated) is detected and replaced", async () => {
  const cacheDir = join(dir, "damaged");
  const body = testBytes(5000, 7);
  const stored = world.s3.putObject("data", "blob.bin", body);
  await readThrough("blob.bin", effectsWith(cacheDir));
  const entry = join(
    cacheDir,
    "objects",
    `${entryName({ bucket: "data", key: "blob.bin", etag: stored.etag, size: body.length })}.bin`,
  );
  assert.ok(Buffer.from(await readFile(entry)).equals(Buffer.from(body)), "entry holds the bytes");

  for (const damage of [
    (bytes: Buffer) => {
      bytes[2500] ^= 0xff;
      return bytes;
    },
    (bytes: Buffer) => bytes.subarray(0, 4000),
  ]) {
    await writeFile(entry, damage(Buffer.from(await readFile(entry))));
    const effects = effectsWith(cacheDir);
    let got: Buffer = Buffer.alloc(0);
    const actions = await actionsDuring("blob.bin", async () => {
      got = await readThrough("blob.bin", effects);
    });
    assert.deepEqual(actions, ["HeadObject", "GetObject"]);
    assert.ok(got.equals(Buffer.from(body)), "the reader gets the object's bytes");
    assert.ok(
      effects.lines.some((line) => line.startsWith("warning:") && line.includes("damaged")),
    );
    assert.ok(Buffer.from(await readFile(entry)).equals(Buffer.from(body)), "entry replaced");
  }
});

test("--no-cache (CONNECT_S3_REPORT_CACHE=off) and a Connect render without a folder bypass it", async () => {
  world.s3.putObject("data", "plain.csv", csv(5));
  const off = join(dir, "off");
  for (let i = 0; i < 2; i++) {
    const actions = await actionsDuring("plain.csv", () =>
      readThrough("plain.csv", effectsWith(off, { CONNECT_S3_REPORT_CACHE: "off" })),
    );
    assert.deepEqual(actions, ["HeadObject", "GetObject"]);
  }
  await assert.rejects(readdir(off), { code: "ENOENT" });
  assert.equal(cacheSettings({ POSIT_PRODUCT: "CONNECT", XDG_CACHE_HOME: off }), undefined);
  assert.equal(
    cacheSettings({ POSIT_PRODUCT: "CONNECT", CONNECT_S3_REPORT_CACHE_DIR: off })?.dir,
    off,
  );
});

test("the platform cache folder follows each platform's convention", () => {
  assert.equal(platformCacheDir({}, "linux", "/home/u"), "/home/u/.cache/connect-s3-report");
  assert.equal(
    platformCacheDir({ XDG_CACHE_HOME: "/xdg" }, "linux", "/home/u"),
    "/xdg/connect-s3-report",
  );
  assert.equal(
    platformCacheDir({}, "darwin", "/Users/u"),
    "/Users/u/Library/Caches/connect-s3-report",
  );
  assert.equal(
    platformCacheDir({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32", "C:\\Users\\u"),
    join("C:\\Users\\u\\AppData\\Local", "connect-s3-report", "Cache"),
  );
});

test("past the size limit the least recently used entry is evicted", async () => {
  const cacheDir = join(dir, "lru");
  // Room for two 500-byte objects, not three.
  const env = { CONNECT_S3_REPORT_CACHE_MAX_MIB: String(1100 / 1024 / 1024) };
  for (const key of ["a.bin", "b.bin", "c.bin"]) {
    world.s3.putObject("data", key, testBytes(500, key.charCodeAt(0)));
  }
  const read = async (key: string) => {
    const actions = await actionsDuring(key, () => readThrough(key, effectsWith(cacheDir, env)));
    await sleep(20); // Distinct file times, so "least recently used" is well defined.
    return actions.includes("GetObject") ? "downloaded" : "cached";
  };
  assert.equal(await read("a.bin"), "downloaded");
  assert.equal(await read("b.bin"), "downloaded");
  assert.equal(await read("a.bin"), "cached"); // a is now more recent than b
  assert.equal(await read("c.bin"), "downloaded"); // evicts b
  assert.equal(await read("a.bin"), "cached");
  assert.equal(await read("c.bin"), "cached");
  assert.equal(await read("b.bin"), "downloaded");
  const files = (await readdir(join(cacheDir, "objects"))).filter((f) => f.endsWith(".bin"));
  assert.equal(files.length, 2);
});

test("an unchanged object skips parsing: its table comes from an Arrow IPC file in the cache", async () => {
  const cacheDir = join(dir, "tables");
  const rows = ["day,region,revenue,note"];
  for (let i = 0; i < 300; i++) {
    rows.push(
      `2026-01-${String((i % 28) + 1).padStart(2, "0")},R${i % 5},${(i * 7.25).toFixed(2)},${i % 9 ? `n${i}` : ""}`,
    );
  }
  world.s3.putObject("data", "typed.csv", rows.join("\n"));
  const buildOnce = (effects: Effects) =>
    build({ source: "s3://data/typed.csv", outDir: join(dir, "out-tables"), check: true }, effects);
  const first = await buildOnce(effectsWith(cacheDir));
  // Without the downloaded bytes, only the parsed table can answer without a GetObject.
  await rm(join(cacheDir, "objects"), { recursive: true, force: true });
  const effects = effectsWith(cacheDir);
  let second: Awaited<ReturnType<typeof buildOnce>> | undefined;
  const actions = await actionsDuring("typed.csv", async () => {
    second = await buildOnce(effects);
  });
  assert.deepEqual(actions, ["HeadObject"]);
  assert.ok(effects.lines.some((line) => line.includes("parsed table read from the cache")));
  assert.deepEqual(second?.summary, first.summary);

  // A damaged table file is detected: the object is downloaded and parsed again.
  const tables = join(cacheDir, "tables");
  const [file] = (await readdir(tables)).filter((name) => name.endsWith(".arrow"));
  const bytes = await readFile(join(tables, file));
  bytes[bytes.length >> 1] ^= 0xff;
  await writeFile(join(tables, file), bytes);
  let third: Awaited<ReturnType<typeof buildOnce>> | undefined;
  const again = await actionsDuring("typed.csv", async () => {
    third = await buildOnce(effectsWith(cacheDir));
  });
  assert.deepEqual(again, ["HeadObject", "GetObject"]);
  assert.deepEqual(third?.summary, first.summary);
});

test("--cache-dir and --no-cache set the cache's environment; a cache inside --out is refused", () => {
  const base = recordingEffects({ env: { HOME: "/home/u" } });
  const flagged = withCacheFlags(base, { "cache-dir": "/tmp/c", out: "output" });
  assert.equal(cacheSettings(flagged.env)?.dir, "/tmp/c");
  assert.equal(cacheSettings(withCacheFlags(base, { "no-cache": true }).env), undefined);
  assert.equal(base.env.CONNECT_S3_REPORT_CACHE_DIR, undefined, "the world's env is not changed");
  assert.throws(
    () => withCacheFlags(base, { "cache-dir": "site/cache", out: "site" }),
    (error) =>
      isReportError(error) &&
      /cache folder site\/cache is inside the output folder site/.test(error.message),
  );
});
