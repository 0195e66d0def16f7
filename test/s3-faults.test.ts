// Broken answers from the S3 test server (which still checks every signature): a body
// shorter or longer than asked for, a connection dropped mid-body, a trickle, an object
// replaced between requests. What is read must be exactly the object, resumed by range with
// If-Match when an answer stops early, or a clear error that names the true cause; never a
// partial object, an unbounded read or a hang.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import { connectSource } from "../src/aws/credentials.ts";
import { createS3Access, type S3DownloadOptions } from "../src/aws/s3.ts";
import { build } from "../src/build.ts";
import type { Effects } from "../src/effects.ts";
import { isReportError, type ReportError } from "../src/errors.ts";
import { openDataSource } from "../src/source/open.ts";
import { openS3Location } from "../src/source/s3.ts";
import { localFetch, recordingLog } from "./helpers/effects.ts";
import { type AwsWorld, collect, startAwsWorld, testBytes } from "./servers/aws-world.ts";
import type { Fault, S3Recorded } from "./servers/s3.ts";

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld();
});
after(() => world.close());
afterEach(() => world.s3.clearFaults());

/** Put `size` test bytes at `key`, break its next GETs with `faults`, and read it. */
async function readBroken(
  key: string,
  size: number,
  faults: Fault[],
  options: S3DownloadOptions = {},
) {
  const bytes = Buffer.from(testBytes(size, size + key.length));
  const stored = world.s3.putObject("data", key, bytes);
  const access = createS3Access(
    { bucket: "data" },
    connectSource(world.connectEnv),
    world.connectEnv,
    options,
  );
  const source = await openS3Location(access, { bucket: "data", key });
  const from = world.s3.requests.length;
  world.s3.injectFaults("data", key, faults);
  const gets = () =>
    world.s3.requests.slice(from).filter((r) => r.action === "GetObject" && r.key === key);
  try {
    return { bytes, etag: stored.etag, got: await collect(source.body()), gets: gets() };
  } catch (error) {
    return { bytes, etag: stored.etag, error, gets: gets() };
  }
}

/** The error must be a ReportError; returns it for its message and hint. */
function reportError(error: unknown): ReportError {
  assert.ok(isReportError(error), `expected a ReportError, got ${error}`);
  return error;
}

/** Every request was signed and verified as usual, faults or not. */
function assertSigned(gets: S3Recorded[]) {
  assert.ok(gets.length > 0);
  for (const get of gets) {
    assert.ok(get.accessKeyId && world.registry.get(get.accessKeyId), "signed with an issued key");
    assert.notEqual(get.error, "SignatureDoesNotMatch");
  }
}

test("a body shorter than HeadObject's size is resumed by range with If-Match", async () => {
  const { bytes, etag, got, gets } = await readBroken("short-once.bin", 1000, [
    { kind: "short", missing: 300 },
  ]);
  assert.ok(got?.equals(bytes), "the bytes are the object's");
  assert.deepEqual(
    gets.map((g) => [g.range, g.ifMatch, g.fault, g.bytesSent]),
    [
      [undefined, etag, "short", 700],
      ["bytes=700-999", etag, undefined, 300],
    ],
  );
  assertSigned(gets);
});

test("a body that stays short ends in an error, not in half the rows", async () => {
  const { error, gets } = await readBroken(
    "short-always.bin",
    1000,
    [{ kind: "short", missing: 10, times: Number.POSITIVE_INFINITY }],
    { maxAttempts: 3 },
  );
  const report = reportError(error);
  assert.equal(
    report.message,
    "Reading s3://data/short-always.bin failed: S3 sent 0 of the 10 bytes asked for (its Content-Length said 0), 3 times in a row (990 of 1000 bytes received)",
  );
  assert.match(report.hint ?? "", /S3_MAX_ATTEMPTS/);
  assert.deepEqual(
    gets.map((g) => g.range),
    [undefined, "bytes=990-999", "bytes=990-999", "bytes=990-999"],
  );
  assertSigned(gets);
});

test("a short part of a parallel download is resumed within its range", async () => {
  const { bytes, got, gets } = await readBroken(
    "short-part.bin",
    10_000,
    [{ kind: "short", missing: 10 }],
    { partSize: 4096, concurrency: 2 },
  );
  assert.ok(got?.equals(bytes), "the bytes are the object's");
  const broken = gets.find((g) => g.fault === "short");
  const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(broken?.range ?? "") ?? [];
  assert.ok(start !== undefined, "the short answer was a ranged one");
  assert.ok(gets.some((g) => g.range === `bytes=${Number(end) - 9}-${end}`));
  assert.equal(gets.length, 4);
});

test("a body longer than announced is cut off at the object's size, not buffered", async () => {
  const size = 100_000;
  const extra = 64 * 1024 * 1024;
  const { error, gets } = await readBroken("long-chunked.bin", size, [
    { kind: "long", extraBytes: extra },
  ]);
  const report = reportError(error);
  assert.equal(
    report.message,
    "S3 sent more than the 100000 bytes asked for (the whole object) of s3://data/long-chunked.bin; stopped reading",
  );
  assert.match(report.hint ?? "", /HeadObject \(100000 bytes\)/);
  // The server stops once the client hangs up; what it wrote ahead sits in socket buffers.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const sent = gets[0].bytesSent ?? 0;
  assert.ok(sent < size + 16 * 1024 * 1024, `the server wrote ${sent} bytes of ${size + extra}`);
  assertSigned(gets);
});

test("a Content-Length above the object's size is refused before reading", async () => {
  const { error } = await readBroken("long-announced.bin", 1000, [
    { kind: "long", extraBytes: 1000, announce: true },
  ]);
  assert.equal(
    reportError(error).message,
    "S3 announced 2000 bytes for the whole object of s3://data/long-announced.bin, more than the 1000 asked for; stopped reading",
  );
});

test("a long part of a parallel download is cut off too", async () => {
  const { error } = await readBroken(
    "long-part.bin",
    10_000,
    [{ kind: "long", extraBytes: 5000 }],
    { partSize: 4096, concurrency: 2 },
  );
  assert.match(
    reportError(error).message,
    /^S3 sent more than the \d+ bytes asked for \(bytes \d+-\d+\) of s3:\/\/data\/long-part\.bin; stopped reading$/,
  );
});

test("a connection dropped mid-body is resumed from the last byte received", async () => {
  const { bytes, etag, got, gets } = await readBroken("drop-once.bin", 5000, [
    { kind: "drop", afterBytes: 1234 },
  ]);
  assert.ok(got?.equals(bytes), "the bytes are the object's");
  assert.deepEqual(
    gets.map((g) => [g.range, g.ifMatch, g.fault]),
    [
      [undefined, etag, "drop"],
      ["bytes=1234-4999", etag, undefined],
    ],
  );
  assertSigned(gets);
});

test("a connection that keeps dropping is resumed while each answer brings new bytes", async () => {
  const { bytes, got, gets } = await readBroken("drop-always.bin", 1000, [
    { kind: "drop", afterBytes: 300, times: Number.POSITIVE_INFINITY },
  ]);
  assert.ok(got?.equals(bytes), "the bytes are the object's");
  assert.deepEqual(
    gets.map((g) => g.range),
    [undefined, "bytes=300-999", "bytes=600-999", "bytes=900-999"],
  );
});

test("a dropped part of a parallel download is resumed within its range", async () => {
  const { bytes, got, gets } = await readBroken(
    "drop-part.bin",
    20_000,
    [{ kind: "drop", afterBytes: 100 }],
    { partSize: 4096, concurrency: 3 },
  );
  assert.ok(got?.equals(bytes), "the bytes are the object's");
  const dropped = gets.find((g) => g.fault === "drop");
  const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(dropped?.range ?? "") ?? [];
  assert.ok(start !== undefined, "the dropped answer was a ranged one");
  assert.ok(gets.some((g) => g.range === `bytes=${Number(start) + 100}-${end}`));
});

test("a connection that drops before any byte, again and again, says so", async () => {
  const { error, gets } = await readBroken(
    "drop-empty.bin",
    1000,
    [{ kind: "drop", afterBytes: 0, times: Number.POSITIVE_INFINITY }],
    { maxAttempts: 3 },
  );
  const report = reportError(error);
  assert.match(
    report.message,
    /^Reading s3:\/\/data\/drop-empty\.bin failed: the connection dropped after 0 of the 1000 bytes asked for \(.+\), 3 times in a row \(0 of 1000 bytes received\)$/,
  );
  assert.doesNotMatch(report.message, /did not answer/);
  assert.equal(gets.length, 3);
});

test("S3_MAX_ATTEMPTS and S3_TIMEOUT_SECONDS from the environment set the resumes", async () => {
  world.s3.putObject("data", "env.bin", testBytes(1000, 9));
  const effects: Effects = {
    env: { ...world.connectEnv, S3_MAX_ATTEMPTS: "1", S3_TIMEOUT_SECONDS: "0.2" },
    fetch: localFetch,
    now: () => new Date(),
    log: recordingLog(),
  };
  const source = await openDataSource({ s3: { bucket: "data", key: "env.bin" }, csv: {} }, effects);
  const from = world.s3.requests.length;
  world.s3.injectFaults("data", "env.bin", [
    { kind: "trickle", bytesPerSecond: 1, times: Number.POSITIVE_INFINITY },
  ]);
  await assert.rejects(collect(source.body()), (error) => {
    assert.equal(
      reportError(error).message,
      "Reading s3://data/env.bin failed: no data for 0.2 s after 0 of the 1000 bytes asked for, 1 time in a row (0 of 1000 bytes received)",
    );
    return true;
  });
  assert.equal(world.s3.requests.slice(from).length, 1);
});

test("a connection closed before any answer, on every attempt, says so", async () => {
  const { error, gets } = await readBroken(
    "reset.bin",
    1000,
    [{ kind: "reset", times: Number.POSITIVE_INFINITY }],
    { maxAttempts: 2 },
  );
  const report = reportError(error);
  assert.equal(
    report.message,
    "The connection to S3 dropped before it answered GetObject on s3://data/reset.bin (after 2 attempts)",
  );
  assert.match(report.hint ?? "", /S3_MAX_ATTEMPTS/);
  assert.equal(gets.length, 2);
});

test("a body that stops sending is resumed after the idle timeout, then named", async () => {
  const { error, gets } = await readBroken(
    "stall.bin",
    1000,
    [
      { kind: "trickle", bytesPerSecond: 1, afterBytes: 10, times: 1 },
      { kind: "trickle", bytesPerSecond: 1, times: Number.POSITIVE_INFINITY },
    ],
    { timeoutMs: 150, maxAttempts: 2 },
  );
  const report = reportError(error);
  assert.equal(
    report.message,
    "Reading s3://data/stall.bin failed: no data for 0.15 s after 0 of the 990 bytes asked for, 2 times in a row (10 of 1000 bytes received)",
  );
  assert.match(report.hint ?? "", /S3_TIMEOUT_SECONDS/);
  assert.deepEqual(
    gets.map((g) => g.range),
    [undefined, "bytes=10-999", "bytes=10-999"],
  );
});

test("a trickle that never stalls is stopped by download_timeout_seconds", {
  timeout: 20_000,
}, async () => {
  const { error, gets } = await readBroken(
    "trickle.bin",
    10_000,
    [{ kind: "trickle", bytesPerSecond: 200, times: Number.POSITIVE_INFINITY }],
    { timeoutMs: 2000, downloadTimeoutSeconds: 0.5 },
  );
  const report = reportError(error);
  assert.match(
    report.message,
    /^Downloading s3:\/\/data\/trickle\.bin \(\d+ of 10000 bytes received in \d+\.\d s\): more than 0\.5 seconds one S3 object may take to download, retries included \(limit download_timeout_seconds\)$/,
  );
  assert.match(report.hint ?? "", /limits: \{ download_timeout_seconds: 2 \}/);
  assert.match(report.hint ?? "", /CONNECT_S3_REPORT_DOWNLOAD_TIMEOUT_SECONDS=2/);
  assert.equal(gets.length, 1);
});

test("an object replaced between a drop and the resume is an error, not a stitched file", async () => {
  const { error, etag, gets } = await readBroken("changed.bin", 5000, [
    { kind: "drop", afterBytes: 2000 },
    { kind: "change" },
  ]);
  const report = reportError(error);
  assert.equal(report.message, "s3://data/changed.bin changed while it was being downloaded");
  assert.deepEqual(
    gets.map((g) => [g.range, g.ifMatch, g.error ?? g.status]),
    [
      [undefined, etag, 200],
      ["bytes=2000-4999", etag, "PreconditionFailed"],
    ],
  );
});

test("a replaced object is noticed by its ETag when the store ignores If-Match", async () => {
  const { error, gets } = await readBroken("changed-no-if-match.bin", 5000, [
    { kind: "drop", afterBytes: 2000 },
    { kind: "change", honourIfMatch: false },
  ]);
  assert.equal(
    reportError(error).message,
    "s3://data/changed-no-if-match.bin changed while it was being downloaded",
  );
  assert.equal(gets[1].status, 206);
});

test("the build passes its download_timeout_seconds limit to the download", {
  timeout: 20_000,
}, async () => {
  world.s3.putObject(
    "connect-bucket",
    "slow/orders.csv",
    `region,revenue\n${"North,1\n".repeat(2000)}`,
  );
  world.s3.injectFaults("connect-bucket", "slow/orders.csv", [
    { kind: "trickle", bytesPerSecond: 200, times: Number.POSITIVE_INFINITY },
  ]);
  const effects: Effects = {
    env: {
      ...world.connectEnv,
      AWS_BUCKET_NAME: "connect-bucket",
      AWS_S3_FILEPATH: "slow/orders.csv",
      CONNECT_S3_REPORT_DOWNLOAD_TIMEOUT_SECONDS: "1",
    },
    fetch: localFetch,
    now: () => new Date(),
    log: recordingLog(),
  };
  await assert.rejects(
    build(
      {
        definition: join(import.meta.dirname, "input/aws/report.yml"),
        outDir: join(world.dir, "slow-site"),
        check: true,
      },
      effects,
    ),
    (error) => {
      assert.match(
        reportError(error).message,
        /more than 1 seconds .* \(limit download_timeout_seconds\)$/,
      );
      return true;
    },
  );
});
