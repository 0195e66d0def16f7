// The folder one `npm test` run shares among its test processes, for fixtures that are built
// once per run (test/helpers/sample-site.ts). scripts/test.ts makes it and names it in this
// environment variable; a test file run on its own has none. Kept apart from the helpers
// that use it, so the runner imports no part of the build.

/** The environment variable naming the folder a test run shares its fixtures in. */
export const SHARED_ENV = "CSR_TEST_SHARED";

/** This run's shared folder, if there is one. */
export function sharedFolder(): string | undefined {
  const folder = process.env[SHARED_ENV];
  return folder === undefined || folder === "" ? undefined : folder;
}
