// Which modules a CLI run loaded: runs node with test/helpers/record-modules.mjs preloaded and
// reads back the URLs it recorded (test/startup.test.ts, test/package.test.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./cli.ts";

/** Packages no help or version output may load. */
export const HEAVY = ["@aws-sdk", "vega", "vega-lite", "parquet-wasm", "esbuild"] as const;

/** The node_modules packages among recorded module URLs, e.g. "@aws-sdk/client-s3". */
export function loadedPackages(urls: string[]): Set<string> {
  const packages = new Set<string>();
  for (const url of urls) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match) packages.add(match[1]);
  }
  return packages;
}

/** Run `node [--import tsx] --import record-modules <script> <args>`; returns the recorded URLs. */
export function recordModules(
  script: string,
  args: string[],
  options: { tsx?: boolean; cwd?: string } = {},
): { urls: string[]; status: number | null; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), "modules-"));
  const out = join(dir, "modules.txt");
  try {
    const hook = join(ROOT, "test/helpers/record-modules.mjs");
    const result = spawnSync(
      process.execPath,
      [...(options.tsx ? ["--import", "tsx"] : []), "--import", hook, script, ...args],
      { cwd: options.cwd ?? ROOT, env: { ...process.env, RECORD_MODULES: out }, encoding: "utf8" },
    );
    let text = "";
    try {
      text = readFileSync(out, "utf8");
    } catch {
      // Nothing recorded.
    }
    return { urls: text.split("\n").filter(Boolean), status: result.status, stdout: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The heavy packages among those loaded. */
export function heavyLoaded(urls: string[]): string[] {
  return [...loadedPackages(urls)].filter((name) =>
    HEAVY.some((heavy) => name === heavy || name.startsWith(`${heavy}/`)),
  );
}
