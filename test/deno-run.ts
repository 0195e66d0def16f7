// Run a script with one of the Deno versions Quarto ships (installed by
// scripts/install-deno.ts, which `npm test` runs first), the way Quarto runs a project
// script: `deno run --cached-only --allow-all`, with its own DENO_DIR (one per test process
// and version, never the machine's: a second run of the same script reuses the V8 code
// cache of the first, which halves its CPU time).
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

const denoDirs = new Map<DenoVersion, string>();

/** This test process's DENO_DIR for `version`, made on first use. */
function denoDir(version: DenoVersion): string {
  let dir = denoDirs.get(version);
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), `deno-dir-${version}-`));
    denoDirs.set(version, dir);
  }
  return dir;
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
