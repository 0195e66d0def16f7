// The environment tests run with: this process's, minus anything that selects credentials, a
// bucket or a Connect server, or switches to Connect mode, so a developer's AWS or Connect
// settings never take part. Shared by the test runner (scripts/test.ts), the cost measurer
// and the tests that start the real binary; it imports nothing, so the runner loads no build.

/** Settings that select credentials, a bucket or a Connect server, or switch to Connect mode. */
const WORLDLY = /^(AWS_|CONNECT_|POSIT_|RSTUDIO_)/;

/** This process's environment without its AWS, Connect and Posit settings. */
export function hermeticEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !WORLDLY.test(name)));
}
