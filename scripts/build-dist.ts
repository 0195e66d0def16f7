// `npm run build:dist` (and `prepack`): compile src/ to dist/ so the installed package runs
// plain JavaScript with no TypeScript tooling. tsc emits ES modules, source maps and .d.ts
// (tsconfig.dist.json; rewriteRelativeImportExtensions turns `./x.ts` into `./x.js`), and the
// Deno script of `publish --rendered` is bundled now, because esbuild is a devDependency.
// Files of the package (templates/, package.json, this script) are found from the package root
// (src/package-root.ts), the same from src/ and dist/.
import { execFileSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForDeno } from "../src/rendered/bundle-script.ts";
import { PREBUILT_SCRIPT, RENDER_ENTRY } from "../src/rendered/prepare.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const started = performance.now();
await rm(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.dist.json"],
  {
    cwd: root,
    stdio: "inherit",
  },
);
const bundle = await bundleForDeno(RENDER_ENTRY);
await mkdir(dirname(PREBUILT_SCRIPT), { recursive: true });
await writeFile(PREBUILT_SCRIPT, bundle.code);
process.stderr.write(
  `dist/: compiled src/ and bundled rendered/render-script.js (${bundle.inputs} modules) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
