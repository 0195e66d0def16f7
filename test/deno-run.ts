// Run a script with one of the Deno versions Quarto ships (installed by
// scripts/install-deno.ts, which `npm test` runs first), the way Quarto runs a project
// script: `deno run --cached-only --allow-all`, with a DENO_DIR of the tests' own (one per
// version, never the machine's) kept in node_modules/.cache/deno-dir/ between test runs.
// Deno keeps its V8 code cache there, keyed by the script's path and checked against its
// source: a script run again from the same path (stableFolder) compiles less, in the same
// test process (about 40% of a render's CPU time) or in a later run (the first render of
// each version).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keptDir } from "../src/kept-files.ts";

/** The Deno versions of Quarto 1.6, 1.7 and 1.10. */
export const DENO_VERSIONS = ["1.46.3", "2.2.10", "2.7.14"] as const;

export type DenoVersion = (typeof DENO_VERSIONS)[number];

/** Where scripts/install-deno.ts installs `version`. */
export function denoPrefix(version: DenoVersion): string {
  return join(import.meta.dirname, "..", "node_modules", ".cache", "deno", version);
}

/** Path of the deno binary for `version`. */
export function denoBinary(version: DenoVersion): string {
  return join(denoPrefix(version), "node_modules", "@deno", "linux-x64-glibc", "deno");
}

export interface DenoRun {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = join(import.meta.dirname, "..");

/** The tests' DENO_DIR for `version`; Deno's caches in it are safe to share between processes. */
function denoDir(version: DenoVersion): string {
  const dir = join(keptDir(ROOT, "deno-dir"), version);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Whether process `pid` is running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A folder for a test's Deno scripts at the same path in every run of this checkout's tests
 * (`name` tells the tests apart), so Deno's code cache from an earlier run applies and keeps
 * one entry per script. One process holds it at a time (a lock file with its pid, freed when
 * the process exits, taken over when its holder is gone); while another holds it, a fresh
 * temporary folder, which only means compiling anew.
 */
export function stableFolder(name: string): string {
  const checkout = createHash("sha256").update(ROOT).digest("hex").slice(0, 12);
  const dir = join(keptDir(ROOT, "deno-scripts"), checkout, name);
  mkdirSync(dir, { recursive: true });
  const lock = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      process.on("exit", () => rmSync(lock, { force: true }));
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // Empty: its holder has not written its pid yet.
      const holder = Number(readFileSync(lock, "utf8"));
      if (!(holder > 0) || alive(holder)) break;
      // Left by a run that ended without freeing it.
      rmSync(lock, { force: true });
    }
  }
  const temporary = mkdtempSync(join(tmpdir(), `deno-${name}-`));
  process.on("exit", () => rmSync(temporary, { recursive: true, force: true }));
  return temporary;
}

/** Run `script` as Quarto runs a pre-/post-render script. */
export function runLikeQuarto(
  version: DenoVersion,
  script: string,
  options: { cwd: string; env: Record<string, string> },
): Promise<DenoRun> {
  const args = ["run", "--cached-only", "--allow-all", "--unstable-kv", "--unstable-ffi", script];
  return new Promise((resolve) => {
    execFile(
      denoBinary(version),
      args,
      {
        cwd: options.cwd,
        // Only what Connect and Quarto provide: no inherited AWS or Connect settings.
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: tmpdir(),
          DENO_DIR: denoDir(version),
          NO_COLOR: "1",
          ...options.env,
        },
        timeout: 120_000,
        maxBuffer: 16 << 20,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
