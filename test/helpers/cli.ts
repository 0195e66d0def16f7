// Run the CLI as a test needs it: in-process through `main` with a hermetic environment and
// captured output (fast, for the many error cases), or as the real binary in a child process
// (for the one smoke test that proves the program itself starts, builds and fails right).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.ts";
import { localFetch } from "./effects.ts";
import { hermeticEnv } from "./hermetic-env.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `connect-s3-report <args>` in-process with only `env` as its environment. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    fetch: localFetch,
    now: () => new Date(),
  });
  return { code, stdout, stderr };
}

/**
 * Run bin/connect-s3-report.js in a child process, with this process's environment minus
 * anything AWS or Connect, plus `env`; resolves when it exits.
 */
export function runBin(
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bin/connect-s3-report.js`, ...args], {
      cwd,
      env: { ...hermeticEnv(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
