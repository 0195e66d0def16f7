// `npm test`: runs node:test over test/*.test.ts (or the files given) in an environment that
// nothing on a developer's machine can change: no AWS_*, CONNECT_* or Posit settings, and a
// fresh empty HOME, so no ~/.aws, ~/.config or caches of the person running it take part.
//
// The whole suite runs most files in a few groups, one process per group, rather than one
// process per file: each process pays about a second for tsx and up to three more for
// importing Arrow, vega and the AWS SDK, which for 35 files was a third of the suite's CPU
// time. Files in a group share a process (their top-level before/after hooks run at the
// group's start and end), so a test file must restore any process-wide state it changes.
// `npm test -- --isolate` (or naming files) runs one process per file instead.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = join(import.meta.dirname, "..");

/** Settings that select credentials, a bucket or a Connect server, or switch to Connect mode. */
const WORLDLY = /^(AWS_|CONNECT_|POSIT_|RSTUDIO_)/;

/**
 * Files that take long on their own (an npm pack and install, killed child processes, the
 * fuzzer, input limits, Deno renders, Chromium, the real binary), longest first: each runs in
 * a process of its own, the first beside the groups and the rest after them, so that the
 * parallel lanes finish at about the same time.
 */
const LONG = [
  "package",
  "site-kill",
  "read-fuzz",
  "read-limits",
  "deno-render",
  "browser",
  "build-errors",
].map((name) => join(ROOT, "test", `${name}.test.ts`));

/** Split `files` into `count` groups of about equal size in bytes (a rough measure of work). */
function groupsOf(files: string[], count: number): string[][] {
  const groups = Array.from({ length: count }, () => ({ files: [] as string[], bytes: 0 }));
  const sized = files.map((file) => ({ file, bytes: statSync(file).size }));
  for (const { file, bytes } of sized.sort((a, b) => b.bytes - a.bytes)) {
    const lightest = groups.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    lightest.files.push(file);
    lightest.bytes += bytes;
  }
  return groups.filter((g) => g.files.length > 0).map((g) => g.files.sort());
}

const args = process.argv.slice(2);
const isolate = args.includes("--isolate");
const given = args.filter((arg) => arg !== "--isolate");
const named = given.some((arg) => arg.endsWith(".ts"));
const concurrency = Math.max(2, availableParallelism());
const scratch = mkdtempSync(join(tmpdir(), "csr-test-"));
const home = join(scratch, "home");
mkdirSync(home);
let files: string[] = [];
if (!named) {
  files = readdirSync(join(ROOT, "test"))
    .filter((name) => name.endsWith(".test.ts"))
    .sort()
    .map((name) => join(ROOT, "test", name));
  if (!isolate) {
    const long = LONG.filter((file) => files.includes(file));
    const rest = files.filter((file) => !long.includes(file));
    const groups = groupsOf(rest, concurrency).map((group, i) => {
      const entry = join(scratch, `group-${i + 1}.test.mjs`);
      writeFileSync(
        entry,
        group.map((file) => `import ${JSON.stringify(pathToFileURL(file).href)};\n`).join(""),
      );
      return entry;
    });
    // The longest (the packed-tarball install, which waits on npm) starts with the groups.
    files = [...long.slice(0, 1), ...groups, ...long.slice(1)];
  }
}

const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !WORLDLY.test(name)));
const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...given, ...files],
  { cwd: ROOT, env: { ...env, HOME: home }, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on("close", (code, signal) => {
  rmSync(scratch, { recursive: true, force: true });
  process.exitCode = code ?? (signal ? 1 : 0);
});
