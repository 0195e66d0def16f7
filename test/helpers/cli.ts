// Run the real CLI in a child process, as a user would.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `connect-s3-report <args>` with extra environment variables; resolves when it exits. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", `${ROOT}src/cli/main.ts`, ...args], {
      cwd,
      env: { ...process.env, AWS_BUCKET_NAME: "", ...env },
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
