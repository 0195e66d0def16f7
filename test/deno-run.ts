// Run a script with one of the Deno versions installed as dev dependencies (npm aliases of
// `deno`, whose Linux binary ships inside @deno/linux-x64-glibc), the way Quarto runs a
// project script: `deno run --cached-only --allow-all`, with its own DENO_DIR.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Deno version → the dev dependency alias that provides it (Quarto 1.6, 1.7, 1.10). */
export const DENO_VERSIONS = { "1.46.3": "deno-1-46", "2.2.10": "deno-2-2", "2.7.14": "deno-2-7" };

/** Path of the deno binary for `version`. */
export function denoBinary(version: keyof typeof DENO_VERSIONS): string {
  const alias = DENO_VERSIONS[version];
  const require = createRequire(
    join(import.meta.dirname, "..", "node_modules", alias, "package.json"),
  );
  return join(dirname(require.resolve("@deno/linux-x64-glibc/package.json")), "deno");
}

export interface DenoRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `script` as Quarto runs a pre-/post-render script. */
export function runLikeQuarto(
  version: keyof typeof DENO_VERSIONS,
  script: string,
  options: { cwd: string; env: Record<string, string> },
): Promise<DenoRun> {
  const denoDir = mkdtempSync(join(tmpdir(), "deno-dir-"));
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
          DENO_DIR: denoDir,
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
