#!/usr/bin/env node
// Runs the bundled CLI in dist/bundle/ (built by `npm run build:dist`, and at pack time:
// scripts/build-dist.ts), which loads far faster than hundreds of files from node_modules. In a
// fresh clone without it, it runs the TypeScript sources through tsx (a devDependency) instead.
// The bundle is not minified, so a stack trace names real functions; with --verbose, its
// source maps are applied too (src/ file and line), which costs ~0.15 s per build, so not always.
import { existsSync } from "node:fs";

const args = process.argv.slice(2);
const bundled = new URL("../dist/bundle/main.js", import.meta.url);
let main;
if (existsSync(bundled)) {
  if (args.includes("--verbose")) process.setSourceMapsEnabled(true);
  ({ main } = await import(bundled.href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(args);
