// Writing the output when the system refuses: a ReportError naming the output folder and
// what to do, never "internal error", and the previous report left whole. The errors are
// real: a file in the way, an immutable folder (chattr +i), a folder another user owns,
// a full tmpfs and a read-only mount (these need root, as tests run here; skipped elsewhere).
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ReportError } from "../src/errors.ts";
import { writeSite } from "../src/site/write.ts";
import { ROOT, runCli } from "./helpers/cli.ts";
import { taggedFiles } from "./helpers/site-writer.ts";

const isRoot = process.getuid?.() === 0;

/** The error `run` rejects with. */
async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

/** Mount a tmpfs at a new folder; undefined where mounting is not allowed. */
function mountTmpfs(options: string): string | undefined {
  if (!isRoot) return undefined;
  const dir = execFileSync("mktemp", ["-d", join(tmpdir(), "csr-mnt-XXXXXX")], {
    encoding: "utf8",
  }).trim();
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]);
  if (mounted.status !== 0) return undefined;
  mounts.push(dir);
  return dir;
}
const mounts: string[] = [];
after(() => {
  for (const dir of mounts) spawnSync("umount", [dir]);
});

describe("writeSite, when the system refuses", () => {
  it("a file in the way: --out under a file is a ReportError naming the folder", async () => {
    const parent = await mkdtemp(join(tmpdir(), "csr-os-"));
    await writeFile(join(parent, "file"), "");
    const out = join(parent, "file", "output");
    const error = await caught(() => writeSite(out, taggedFiles("a")));
    assert.ok(error instanceof ReportError, String(error));
    // Node's recursive mkdir says EEXIST here (for the file), a plain mkdir ENOTDIR.
    assert.match(
      error.message,
      /^Cannot write the report to .*file\/output: (something is already there|a part of that path is a file) \(could not create the folder .*file\)\.$/,
    );
    assert.match(error.hint!, /Or pass --out a folder elsewhere\./);
  });

  it("EPERM: an immutable folder (chattr +i) is a ReportError, and the report there stays", async (t) => {
    const parent = await mkdtemp(join(tmpdir(), "csr-os-"));
    const out = join(parent, "output");
    await writeSite(out, taggedFiles("old"));
    if (spawnSync("chattr", ["+i", parent]).status !== 0) {
      t.skip("chattr +i is not available here");
      return;
    }
    try {
      const error = await caught(() => writeSite(out, taggedFiles("new")));
      assert.ok(error instanceof ReportError, String(error));
      assert.match(
        error.message,
        /^Cannot write the report to .*output: the operation is not permitted/,
      );
      assert.match(await readFile(join(out, "index.html"), "utf8"), /<title>old<\/title>/);
    } finally {
      spawnSync("chattr", ["-i", parent]);
    }
  });

  it("EACCES: a folder another user owns is a ReportError in that user's build", async (t) => {
    if (!isRoot) {
      t.skip("needs root to run the writer as another user");
      return;
    }
    // This Node binary may sit where the other user cannot run it (a private temp folder).
    const probe = spawnSync(process.execPath, ["--version"], { uid: 65534, gid: 65534 });
    if (probe.status !== 0) {
      t.skip(`user 65534 cannot run ${process.execPath}`);
      return;
    }
    const parent = await mkdtemp(join(tmpdir(), "csr-os-"));
    await chmod(parent, 0o755); // root's, and not writable by nobody
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "test/helpers/site-writer.ts"),
        join(parent, "output"),
        "t",
        "1",
      ],
      { cwd: ROOT, uid: 65534, gid: 65534, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    assert.equal(code, 1, stderr);
    const line = stdout.split("\n").find((l) => l.startsWith("error "));
    assert.ok(line, `${stdout}\n${stderr}`);
    const { report, message, hint } = JSON.parse(line.slice("error ".length));
    assert.equal(report, true);
    assert.match(message, /^Cannot write the report to .*output: permission denied/);
    assert.match(hint, /ls -ld /);
  });

  it("ENOSPC: a full disk is a ReportError, and the previous report stays whole", async (t) => {
    // Room for one write's files (about 600 kB) but not for a second beside it.
    const disk = mountTmpfs("size=900k");
    if (!disk) {
      t.skip("cannot mount a tmpfs here");
      return;
    }
    const out = join(disk, "output");
    await writeSite(out, taggedFiles("old"));
    const error = await caught(() => writeSite(out, taggedFiles("new")));
    assert.ok(error instanceof ReportError, String(error));
    assert.match(error.message, /^Cannot write the report to .*output: the disk is full/);
    assert.match(await readFile(join(out, "index.html"), "utf8"), /<title>old<\/title>/);
    assert.deepEqual(JSON.parse(await readFile(join(out, "summary.json"), "utf8")), { tag: "old" });
    // The failed write's half-written folder is gone.
    assert.equal((await readdir(disk)).length, 2); // output and the build it points to
  });
});

describe("the CLI, when the system refuses", () => {
  it("EROFS: a build onto a read-only disk says so, without 'internal error'", async (t) => {
    const disk = mountTmpfs("ro,size=64k");
    if (!disk) {
      t.skip("cannot mount a tmpfs here");
      return;
    }
    const data = await mkdtemp(join(tmpdir(), "csr-os-"));
    await writeFile(join(data, "data.csv"), "a,b\n1,x\n2,y\n");
    const run = await runCli([
      "build",
      "--source",
      join(data, "data.csv"),
      "--out",
      join(disk, "report", "output"),
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /internal error/);
    assert.match(
      run.stderr,
      /error: Cannot write the report to .*report\/output: the disk is read-only/,
    );
    assert.match(
      run.stderr,
      /hint: Use a folder on a writable disk\. Or pass --out a folder elsewhere\./,
    );
  });
});
