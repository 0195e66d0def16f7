// One headless Chromium (Debian's, or CHROMIUM_PATH) per test process, shared by the Playwright
// test files of that process: a launch costs about 3 CPU s before any page, and `npm test`
// imports several test files into one process (scripts/test.ts). It is launched on first use
// and closed by a top-level `after` hook, which node:test runs when every test of the process
// has ended, so no file closes it while another still needs it. Each file opens its own pages
// and closes them when its tests end.
//
// Screenshots saved for people to look at (never asserted) go to test-artifacts/ only when
// CSR_TEST_ARTIFACTS=1 asks for them: a full-page screenshot of a report costs 2 to 5 CPU s.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import { type Browser, chromium } from "playwright-core";
import { ROOT } from "./cli.ts";

/** The Chromium binary the browser tests drive. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The environment variable that asks for review screenshots in test-artifacts/. */
export const ARTIFACTS_ENV = "CSR_TEST_ARTIFACTS";

let launched: Promise<Browser> | undefined;

/** This process's Chromium, launched on the first call and closed when the process's tests end. */
export function sharedBrowser(): Promise<Browser> {
  launched ??= chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  return launched;
}

after(async () => {
  // A launch that failed has failed the tests that asked for it; there is nothing to close.
  const browser = await launched?.catch(() => undefined);
  await browser?.close();
});

/** The path to save review screenshot `name` at, or undefined when CSR_TEST_ARTIFACTS=1 is not set. */
export function artifactPath(name: string): string | undefined {
  if (process.env[ARTIFACTS_ENV] !== "1") return undefined;
  const dir = join(ROOT, "test-artifacts");
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
