// Operating-system errors come out in the user's words, naming the path and what to do,
// never as "internal error". The errors are the real ones the file system raises: a file
// in the way, a folder where a file should be, a missing file, and a folder made immutable
// with chattr +i (skipped where chattr is not available).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ReportError } from "../src/errors.ts";
import { OS_ERROR_CODES, osErrorToReportError } from "../src/os-errors.ts";
import { runCli } from "./helpers/cli.ts";

/** The error `run` rejects with. */
async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

describe("osErrorToReportError, on errors the file system raised", () => {
  it("ENOTDIR: a file where a folder should be", async () => {
    const parent = await mkdtemp(join(tmpdir(), "csr-os-"));
    await writeFile(join(parent, "file"), "");
    const error = await caught(() => writeFile(join(parent, "file", "index.html"), ""));
    const report = osErrorToReportError(error);
    assert.ok(report instanceof ReportError);
    assert.equal(
      report.message,
      `Cannot open ${join(parent, "file", "index.html")}: a part of that path is a file, not a folder.`,
    );
    assert.match(report.hint!, /Remove or rename the file in the way/);
  });

  it("EISDIR: a folder where a file should be", async () => {
    const parent = await mkdtemp(join(tmpdir(), "csr-os-"));
    const error = await caught(() => writeFile(parent, "x"));
    const report = osErrorToReportError(error, { task: "write the report to out" });
    assert.ok(report instanceof ReportError);
    assert.match(report.message, /^Cannot write the report to out: it is a folder where a file/);
    assert.ok(report.message.includes(`(could not open ${parent})`));
  });

  it("ENOENT, with the system call's stack kept for --verbose", async () => {
    const missing = join(tmpdir(), "csr-no-such-folder", "x");
    const error = await caught(() => readFile(missing));
    const report = osErrorToReportError(error)!;
    assert.equal(
      report.message,
      `Cannot open ${missing}: ${"it does not exist"} (was a folder removed while this ran?).`,
    );
    assert.match(report.stack!, /caused by: Error: ENOENT/);
  });

  it("leaves errors that are not the system's alone: those are bugs", () => {
    assert.equal(osErrorToReportError(new TypeError("x is undefined")), undefined);
    const socket = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    assert.equal(osErrorToReportError(socket), undefined);
    const parse = Object.assign(new TypeError("bad"), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" });
    assert.equal(osErrorToReportError(parse), undefined);
  });

  it("has a wording for every code it lists", () => {
    for (const code of OS_ERROR_CODES) {
      const error = Object.assign(new Error(code), { code, syscall: "mkdir", path: "/x/out" });
      const report = osErrorToReportError(error);
      assert.ok(report?.message.startsWith("Cannot create the folder /x/out: "), code);
      assert.ok(report?.hint && report.hint.length > 10, code);
    }
  });
});

describe("the CLI, when the system refuses", () => {
  it("an error that escapes a command (publish's --bundle-out in an immutable folder) is a ReportError", async (t) => {
    const parent = await mkdtemp(join(tmpdir(), "csr-os-"));
    const site = join(parent, "site");
    await mkdir(site);
    await writeFile(join(site, "index.html"), "<p>report</p>");
    const locked = join(parent, "locked");
    await mkdir(locked);
    if (spawnSync("chattr", ["+i", locked]).status !== 0) {
      t.skip("chattr +i is not available here");
      return;
    }
    try {
      const bundle = join(locked, "bundle.tar.gz");
      const run = await runCli([
        "publish",
        "--no-build",
        "--dir",
        site,
        "--dry-run",
        "--bundle-out",
        bundle,
      ]);
      assert.equal(run.code, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /internal error/);
      assert.ok(
        run.stderr.includes(`error: Cannot open ${bundle}: the operation is not permitted.`),
        run.stderr,
      );
      assert.match(run.stderr, /hint: Check the owner, permissions and attributes of /);
    } finally {
      spawnSync("chattr", ["-i", locked]);
    }
  });
});
