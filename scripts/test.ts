// `npm test`: runs node:test over test/*.test.ts (or the files given) in an environment that
// nothing on a developer's machine can change: no AWS_*, CONNECT_* or Posit settings, and a
// fresh empty HOME, so no ~/.aws, ~/.config or caches of the person running it take part.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");

/** Settings that select credentials, a bucket or a Connect server, or switch to Connect mode. */
const WORLDLY = /^(AWS_|CONNECT_|POSIT_|RSTUDIO_)/;

const given = process.argv.slice(2);
const files = given.some((arg) => arg.endsWith(".ts"))
  ? []
  : readdirSync(join(ROOT, "test"))
      .filter((name) => name.endsWith(".test.ts"))
      .sort()
      .map((name) => join("test", name));

const home = mkdtempSync(join(tmpdir(), "csr-test-home-"));
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !WORLDLY.test(name)));
const child = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${Math.max(2, availableParallelism())}`,
    ...given,
    ...files,
  ],
  { cwd: ROOT, env: { ...env, HOME: home }, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on("close", (code, signal) => {
  rmSync(home, { recursive: true, force: true });
  process.exitCode = code ?? (signal ? 1 : 0);
});
