// Start-up loads only what a command needs (src/cli/main.ts imports each command lazily):
// `--help` (of every command) and `--version` must not load the build (src/build.ts), the AWS
// SDK, vega, parquet-wasm or esbuild. The modules are those Node actually resolved, recorded
// by test/helpers/record-modules.mjs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./helpers/cli.ts";
import { heavyLoaded, recordModules } from "./helpers/modules.ts";

// Every command's --help (check shares build's module, src/cli/build.ts).
const HELP_RUNS = [
  ["--help"],
  ["--version"],
  ["build", "--help"],
  ["preview", "--help"],
  ["publish", "--help"],
  ["notify", "--help"],
];

for (const args of HELP_RUNS) {
  test(`${args.join(" ")} loads neither the build nor the AWS SDK, vega, parquet-wasm or esbuild`, () => {
    const run = recordModules(join(ROOT, "src/cli/main.ts"), args, { tsx: true });
    assert.equal(run.status, 0);
    // The recorder works: it saw the CLI itself, and the command's own module.
    assert.ok(
      run.urls.some((url) => url.endsWith("/src/cli/main.ts")),
      run.urls.join("\n"),
    );
    if (args[0] !== "--help" && args[0] !== "--version") {
      assert.ok(
        run.urls.some((url) => url.endsWith(`/src/cli/${args[0]}.ts`)),
        run.urls.join("\n"),
      );
    }
    assert.deepEqual(heavyLoaded(run.urls), []);
    // src/build.ts wires every stage (Arrow, vega, Handlebars): help never needs it.
    assert.deepEqual(
      run.urls.filter((url) => url.endsWith("/src/build.ts")),
      [],
    );
  });
}

test("a build of a CSV loads vega (charts) but neither the AWS SDK nor parquet-wasm", () => {
  const run = recordModules(
    join(ROOT, "src/cli/main.ts"),
    ["check", "--source", join(ROOT, "report/data/orders.csv")],
    { tsx: true },
  );
  assert.equal(run.status, 0);
  const heavy = heavyLoaded(run.urls);
  assert.ok(heavy.includes("vega"), heavy.join(", "));
  assert.ok(!heavy.includes("parquet-wasm"), heavy.join(", "));
  assert.ok(!heavy.some((name) => name.startsWith("@aws-sdk")), heavy.join(", "));
});

test("--version prints package.json's version", () => {
  const run = recordModules(join(ROOT, "src/cli/main.ts"), ["--version"], { tsx: true });
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  assert.equal(run.stdout.trim(), version);
});
