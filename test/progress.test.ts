// The live progress line: under a pseudo-terminal (util-linux `script`), reading the data
// redraws one line in place (carriage return + erase-line) with bytes, rate, size and the rows
// parsed so far; with
// stderr piped, CI set, or --quiet, the log is plain lines without a control character.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { REDRAW } from "../src/effects.ts";
import { progressLine } from "../src/source/progress.ts";
import { bundled } from "./helpers/bundle.ts";
import { ROOT } from "./helpers/cli.ts";

const DATA = join(ROOT, "report/data/orders.csv");
const work = mkdtempSync(join(tmpdir(), "progress-test-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** The environment of a run: no CI, no cache surprises. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { CI: _ci, ...rest } = process.env;
  return { ...rest, AWS_BUCKET_NAME: "", CONNECT_S3_REPORT_CACHE: "off", ...extra };
}

// `connect-s3-report check --source <data>`, from a bundle of the CLI (quick to start:
// test/helpers/bundle.ts).
let cli: string[];
before(async () => {
  cli = [await bundled(join(ROOT, "test/helpers/cli-entry.ts")), "check", "--source", DATA];
});
const shellQuote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/** Run the CLI under a pseudo-terminal; returns everything the terminal received. */
function underTerminal(args: string[], extra: Record<string, string> = {}): string {
  const command = [process.execPath, ...cli, ...args].map(shellQuote).join(" ");
  const result = spawnSync("script", ["-qec", command, "/dev/null"], {
    cwd: work,
    env: env(extra),
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  return result.stdout;
}

test("on a terminal the read is shown as one line redrawn in place", () => {
  const out = underTerminal([]);
  const draws = out.split(REDRAW).slice(1);
  const progress = draws.filter((draw) => draw.startsWith(DATA));
  assert.ok(progress.length >= 2, `redrawn at least twice:\n${JSON.stringify(out)}`);
  // The parse's redraws count rows; its last shows every byte and every row: as many as the
  // stage line says the built table has.
  const parsing = progress.filter((draw) => / {2}[\d,]+ rows?( |$)/.test(draw));
  assert.ok(parsing.length >= 1, `rows shown:\n${JSON.stringify(out)}`);
  assert.match(parsing.at(-1) ?? "", /6\.\d MB of 6\.\d MB/);
  const rows = /read {6}([\d,]+) rows × 16 columns/.exec(out)?.[1];
  assert.equal(rows, "45,000");
  assert.match(parsing.at(-1) ?? "", new RegExp(`6\\.\\d MB {2}${rows} rows`));
  // Any redraw before that (how many depends on speed) counts up towards it.
  const counts = parsing.map((draw) =>
    Number(/([\d,]+) rows?( |$)/.exec(draw)?.[1].replaceAll(",", "")),
  );
  assert.deepEqual(
    counts,
    [...counts].sort((a, b) => a - b),
  );
});

test("piped, with CI set, or --quiet, the log has no control characters", () => {
  const piped = spawnSync(process.execPath, cli, { cwd: work, env: env(), encoding: "utf8" });
  assert.equal(piped.status, 0);
  assert.match(piped.stderr, /read {6}45,000 rows/);
  assert.ok(!piped.stderr.includes("\r") && !piped.stderr.includes("\x1b"), piped.stderr);
  const ci = underTerminal([], { CI: "true" });
  assert.match(ci, /read {6}45,000 rows/);
  assert.ok(!ci.includes(REDRAW), JSON.stringify(ci));
  const quiet = underTerminal(["--quiet"]);
  assert.ok(!quiet.includes(REDRAW), JSON.stringify(quiet));
  assert.doesNotMatch(quiet, /read {6}/);
});

test("a progress line gives bytes, size, rate, time left and rows", () => {
  assert.equal(
    progressLine("s3://b/k", 16_000_000, 64_000_000, 4000),
    "s3://b/k  16 MB of 64 MB  4 MB/s  12 s left",
  );
  assert.equal(
    progressLine("s3://b/k", 16_000_000, 64_000_000, 4000, 250_000),
    "s3://b/k  16 MB of 64 MB  250,000 rows  4 MB/s  12 s left",
  );
  assert.equal(
    progressLine("a.csv", 10, 10, 1000, 1),
    "a.csv  10 bytes of 10 bytes  1 row  10 bytes/s",
  );
  assert.equal(progressLine("data.csv", 1500, undefined, 0), "data.csv  1.5 kB");
});
