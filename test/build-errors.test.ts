// Bad input: a clear message naming the file and place, exit code 1, and the previous
// output left exactly as it was. The cases run the CLI's `main` in-process (the same exit
// codes and stderr as the program); one smoke test runs the real binary in a child process.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT, runBin, runCli } from "./helpers/cli.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";

const INPUT = join(ROOT, "test/input/build");
const PREVIOUS = "<!doctype html><title>previous good report</title>";

/** An output folder holding a previous report, to check it survives a failed build. */
async function previousOutput(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "csr-errors-")), "output");
  await mkdir(dir);
  await writeFile(join(dir, "index.html"), PREVIOUS);
  return dir;
}

async function assertUntouched(out: string): Promise<void> {
  assert.deepEqual(await readdir(out), ["index.html"]);
  assert.equal(await readFile(join(out, "index.html"), "utf8"), PREVIOUS);
  const siblings = await readdir(join(out, ".."));
  assert.deepEqual(siblings, ["output"], "no staging folder left behind");
}

const cases: { name: string; args: (input: string) => string[]; expect: RegExp[] }[] = [
  {
    name: "malformed YAML",
    args: (i) => [join(i, "malformed.yml")],
    expect: [/malformed\.yml:\d+:\d+/],
  },
  {
    name: "an unknown field",
    args: (i) => [join(i, "unknown-field.yml")],
    expect: [/unknown-field\.yml:8:5/, /grup_by/, /did you mean 'group_by'/],
  },
  {
    name: "a query naming a missing column",
    args: (i) => [join(i, "missing-column.yml")],
    expect: [/missing-column\.yml:6:16/, /regoin/, /did you mean 'region'/],
  },
  {
    name: "an empty CSV",
    args: (i) => ["--source", join(i, "empty.csv")],
    expect: [/empty\.csv/, /empty/i],
  },
  {
    name: "a header with no rows",
    args: (i) => ["--source", join(i, "header-only.csv")],
    expect: [/header-only\.csv/, /no (data )?rows/i],
  },
  {
    name: "ragged rows",
    args: (i) => ["--source", join(i, "ragged.csv")],
    expect: [/ragged\.csv/, /line 3/, /2 fields/, /3/],
  },
  {
    name: "invalid UTF-8",
    args: (i) => ["--source", join(i, "invalid-utf8.csv")],
    expect: [/invalid-utf8\.csv/, /line 3/, /UTF-8/],
  },
];

describe("build with bad input", () => {
  for (const c of cases) {
    it(`fails clearly on ${c.name} and leaves output/ as it was`, async () => {
      const out = await previousOutput();
      const run = await runCli(["build", ...c.args(INPUT), "--out", out]);
      assert.equal(run.code, 1, `exit code; stderr:\n${run.stderr}`);
      const firstError = run.stderr.split("\n").find((l) => l.startsWith("error: "));
      assert.ok(firstError, `an error line in:\n${run.stderr}`);
      for (const pattern of c.expect) assert.match(run.stderr, pattern);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace for a user error");
      await assertUntouched(out);
    });
  }
});

describe("an unknown command", () => {
  it("suggests the nearest command, or build for a definition's file, and exits 2", async () => {
    const typo = await runCli(["buidl", "report.yml"]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^Unknown command "buidl"; did you mean 'build'\?\n\nUsage:/);
    const file = await runCli(["report/report.yml"]);
    assert.equal(file.code, 2);
    assert.match(
      file.stderr,
      /^Unknown command "report\/report\.yml"; to build that definition, run `connect-s3-report build report\/report\.yml`\n/,
    );
    const far = await runCli(["zzzzzz"]);
    assert.match(far.stderr, /^Unknown command "zzzzzz"\.\n\nUsage:/);
  });
});

describe("check", () => {
  // A small definition with a chart: what check does is the same for any definition, and the
  // example report's whole build (45,000 rows, 2-4 CPU s) is proven by test/build.test.ts.
  it("runs a report's whole build and writes nothing", async () => {
    const out = join(await mkdtemp(join(tmpdir(), "csr-check-")), "output");
    const run = await runCli(["check", join(INPUT, "dotted/report.yml"), "--out", out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^render\s/m, "the render stage ran");
    assert.match(run.stderr, /nothing written/);
    await assert.rejects(readdir(out), { code: "ENOENT" });
  });

  it("fails like build on a query naming a missing column", async () => {
    const run = await runCli(["check", join(INPUT, "missing-column.yml")]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /missing-column\.yml:6:16/);
  });
});

describe("the real binary (bin/connect-s3-report.js)", () => {
  it("builds a report, and fails a bad definition with exit code 1", async () => {
    const out = join(await mkdtemp(join(tmpdir(), "csr-bin-")), "output");
    const [good, bad] = await Promise.all([
      runBin(["build", "test/input/build/dotted/report.yml", "--out", out]),
      runBin(["build", join(INPUT, "missing-column.yml"), "--out", await previousOutput()]),
    ]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stderr, /^write\s/m, "the write stage ran");
    for (const file of ["index.html", "summary.json"])
      assert.ok((await readdir(out)).includes(file), file);
    assertValidSummary(JSON.parse(await readFile(join(out, "summary.json"), "utf8")));
    assert.match(await readFile(join(out, "index.html"), "utf8"), /<svg[^>]*role="img"/);

    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /^error: .*missing-column\.yml:6:16/m);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, "no stack trace for a user error");
  });
});
