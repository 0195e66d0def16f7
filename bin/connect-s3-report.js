#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm run build:dist`, and at pack time). In a fresh
// clone without dist/, it runs the TypeScript sources through tsx (a devDependency) instead.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli/main.js", import.meta.url);
let main;
if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
