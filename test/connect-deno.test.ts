// The Connect exchange and the S3 reader bundled for Deno (the runtime Quarto ships and runs
// render scripts with on Connect), against the same test servers.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { keptDir } from "../src/kept-files.ts";
import { keptBundleForDeno } from "../src/rendered/bundle-script.ts";
import { runLikeQuarto, stableFolder } from "./deno-run.ts";
import { type AwsWorld, startAwsWorld, testBytes } from "./servers/aws-world.ts";

let world: AwsWorld;
let script: string;
const bytes = testBytes(300_000, 5);
before(async () => {
  world = await startAwsWorld();
  world.s3.putObject("deno-bucket", "exports/data.bin", bytes);
  // Kept between runs, bundled again only when a file it is made from changes.
  const root = join(import.meta.dirname, "..");
  const { code } = await keptBundleForDeno(join(import.meta.dirname, "input/aws/deno-read.ts"), {
    root,
    dir: keptDir(root, "csr-deno-script"),
  });
  // A path of its own in every run, so Deno's code cache keeps one entry (test/deno-run.ts).
  script = join(stableFolder("deno-aws"), "read.js");
  writeFileSync(script, code);
});
after(() => world.close());

for (const version of ["1.46.3", "2.7.14"] as const) {
  test(`under Deno ${version} the data is read with exchanged credentials`, async () => {
    const from = world.s3.requests.length;
    const run = await runLikeQuarto(version, script, {
      cwd: world.dir,
      env: {
        ...world.connectEnv,
        AWS_BUCKET_NAME: "deno-bucket",
        AWS_S3_FILEPATH: "exports/data.bin",
      },
    });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}");
    assert.equal(result.size, bytes.length);
    assert.equal(result.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.match(result.credentials, /^Connect service-account integration/);
    const seen = world.s3.requests.slice(from);
    assert.equal(seen.filter((r) => r.action === "GetObject").length, 5);
    for (const r of seen) {
      assert.equal(r.error, undefined);
      assert.ok(world.registry.get(r.accessKeyId ?? "")?.issuedTo.startsWith("connect:"));
    }
  });
}
