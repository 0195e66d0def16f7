// Write the rendered-mode post-render script (one ES module for Quarto's Deno) to a file, to
// inspect it or run it by hand: `tsx scripts/bundle-deno.ts [out.js]` (default dist/render.js).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { bundleForDeno } from "../src/rendered/bundle-script.ts";
import { RENDER_ENTRY } from "../src/rendered/script-paths.ts";

const out = process.argv[2] ?? "dist/render.js";
const started = performance.now();
const bundle = await bundleForDeno(RENDER_ENTRY);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, bundle.code);
const ms = Math.round(performance.now() - started);
process.stderr.write(
  `${out}: ${(bundle.code.length / 1024 / 1024).toFixed(2)} MB from ${bundle.inputs} modules in ${ms} ms\n`,
);
