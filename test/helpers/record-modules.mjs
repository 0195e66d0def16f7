// Preloaded with `node --import <this file>`: records the URL of every module Node resolves
// (one per line) in the file named by RECORD_MODULES, so a test can see what a command
// loaded. Plain JavaScript, so it also runs where no TypeScript tooling is installed.
import { register } from "node:module";

const out = process.env.RECORD_MODULES;
if (out) register(new URL("./record-modules-hooks.mjs", import.meta.url), { data: { out } });
