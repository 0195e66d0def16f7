// Child process for the benchmark: a full build of a profile-only report (--source) of the
// benchmark CSV into a temporary folder. Prints {ms} for build() or {todo} when src/build.ts
// does not export `build` yet.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultEffects } from "../src/effects.ts";

const source = process.argv[2];
const pipeline: Record<string, unknown> = await import("../src/build.ts");
const build = pipeline.build;
if (typeof build !== "function") {
  process.stdout.write(`${JSON.stringify({ todo: "src/build.ts does not export build()" })}\n`);
} else {
  const outDir = join(mkdtempSync(join(tmpdir(), "bench-build-")), "output");
  const lines: string[] = [];
  const effects = {
    ...defaultEffects(),
    log: { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), verbose() {} },
  };
  const started = performance.now();
  await build({ source, outDir }, effects);
  const ms = performance.now() - started;
  rmSync(join(outDir, ".."), { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({ ms, peakMiB: process.resourceUsage().maxRSS / 1024, log: lines })}\n`,
  );
}
