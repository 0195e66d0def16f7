// The layers of src/ point one way: each folder imports only from the folders below it, so a
// change to a stage can break only the stages above it. This test reads every src/**/*.ts,
// resolves its relative imports (type-only ones too: they couple the layers just the same)
// and checks them against LAYERS; it also looks for import cycles between files. Biome's
// noImportCycles (biome.json) checks cycles while editing; this is the same rule in the suite.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

/**
 * The layers of src/, bottom first. "shared" is the top-level modules every stage may use
 * (src/errors.ts, src/format.ts, src/vocabulary.ts, ...); expr, the expression language, sits
 * above them and below config, which parses definitions with it; connect and aws sit beside source
 * (source reads S3 through aws, which gets Connect's credentials from connect; cache, the
 * download cache, sits between aws and source and knows neither); "build" is
 * src/build.ts, which wires the stages; history reads summaries (and keeps them in S3 through
 * aws) and render reads its change summary, so it sits between summarize and chart; engine (the
 * local and Athena engines) runs summarize's checks and helpers and reads S3 through aws, and
 * only build uses it; "index" is src/index.ts, the package's entry point.
 */
const LAYERS = [
  "shared",
  "expr",
  "config",
  "connect",
  "aws",
  "cache",
  "source",
  "read",
  "summarize",
  "engine",
  "history",
  "chart",
  "render",
  "site",
  "email",
  "build",
  "rendered",
  "cli",
  "index",
] as const;
type Layer = (typeof LAYERS)[number];

/** Imports by file: paths relative to src/, e.g. "chart/spec.ts" → ["format.ts", ...]. */
type ImportGraph = Map<string, string[]>;

/** The layer of a file (relative to src/), or undefined for a folder LAYERS does not name. */
function layerOf(file: string): Layer | undefined {
  const parts = file.split("/");
  if (parts.length === 1) {
    if (file === "build.ts") return "build";
    if (file === "index.ts") return "index";
    return "shared";
  }
  return LAYERS.find((layer) => layer === parts[0]);
}

/** The module specifiers a file imports or re-exports, statically or dynamically. */
function specifiersOf(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

async function listTs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

/** The import graph of src/: every relative import that lands inside src/. */
async function srcGraph(root: string): Promise<{ graph: ImportGraph; missing: string[] }> {
  const graph: ImportGraph = new Map();
  const files = await listTs(root);
  const known = new Set(files.map((f) => relative(root, f)));
  const missing: string[] = [];
  for (const file of files) {
    const from = relative(root, file);
    const targets: string[] = [];
    for (const specifier of specifiersOf(await readFile(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const to = relative(root, resolve(dirname(file), specifier));
      if (to.startsWith("..")) continue;
      if (known.has(to)) targets.push(to);
      else missing.push(`${from} imports ${specifier}, which is not a file in src/`);
    }
    graph.set(from, targets);
  }
  return { graph, missing };
}

/** Every import that points up (or sideways into another layer): "a (chart) → b (render)". */
function upwardImports(graph: ImportGraph): string[] {
  const rank = (file: string) => LAYERS.indexOf(layerOf(file) as Layer);
  const found: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      if (rank(to) > rank(from)) {
        found.push(`${from} (${layerOf(from)}) imports ${to} (${layerOf(to)})`);
      }
    }
  }
  return found;
}

/** One import cycle between files, as a path that ends where it starts; undefined if none. */
function findCycle(graph: ImportGraph): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === "done") return undefined;
    if (state.get(file) === "open") return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, "open");
    stack.push(file);
    for (const to of graph.get(file) ?? []) {
      const cycle = visit(to);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    state.set(file, "done");
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

const SRC = resolve(import.meta.dirname, "../src");

test("every file of src/ is in a known layer and its relative imports resolve", async () => {
  const { graph, missing } = await srcGraph(SRC);
  assert.ok(graph.size > 50, `read only ${graph.size} files from ${SRC}`);
  const unknown = [...graph.keys()].filter((file) => layerOf(file) === undefined);
  assert.deepEqual(unknown, [], "add the new folder to LAYERS in test/layers.test.ts");
  assert.deepEqual(missing, []);
});

test("src/ imports only downward through the layers", async () => {
  const { graph } = await srcGraph(SRC);
  assert.deepEqual(upwardImports(graph), []);
});

test("src/ has no import cycle between files", async () => {
  const { graph } = await srcGraph(SRC);
  assert.equal(findCycle(graph), undefined);
});

test("the checks catch an upward import, a sideways one and a cycle", () => {
  const graph: ImportGraph = new Map([
    ["format.ts", []],
    ["config/spec.ts", ["vocabulary.ts"]],
    ["vocabulary.ts", []],
    ["chart/spec.ts", ["format.ts", "config/spec.ts", "render/model.ts"]],
    ["render/model.ts", ["chart/spec.ts"]],
    ["aws/s3.ts", ["source/open.ts"]],
    ["source/open.ts", ["aws/s3.ts"]],
  ]);
  assert.deepEqual(upwardImports(graph), [
    "chart/spec.ts (chart) imports render/model.ts (render)",
    "aws/s3.ts (aws) imports source/open.ts (source)",
  ]);
  assert.deepEqual(findCycle(graph), ["chart/spec.ts", "render/model.ts", "chart/spec.ts"]);
  const acyclic: ImportGraph = new Map([
    ["a.ts", ["b.ts", "c.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", []],
  ]);
  assert.equal(findCycle(acyclic), undefined);
  assert.deepEqual(upwardImports(acyclic), []);
});

test("layerOf places top-level files and folders", () => {
  assert.equal(layerOf("format.ts"), "shared");
  assert.equal(layerOf("build.ts"), "build");
  assert.equal(layerOf("index.ts"), "index");
  assert.equal(layerOf("read/csv/tokenizer.ts"), "read");
  assert.equal(layerOf("email/compose.ts"), "email");
  assert.equal(layerOf("no-such-layer/x.ts"), undefined);
});

test("specifiersOf finds static, type-only, re-exported, multi-line and dynamic imports", () => {
  const text = [
    'import assert from "node:assert";',
    'import type { A } from "./a.ts";',
    "import {",
    "  b,",
    "  type C,",
    '} from "../b.ts";',
    'export { d } from "./d.ts";',
    'export * from "./e.ts";',
    'import "./side-effect.ts";',
    'const f = await import("./f.ts");',
    'const text = "not an import from here";',
  ].join("\n");
  assert.deepEqual(specifiersOf(text).sort(), [
    "../b.ts",
    "./a.ts",
    "./d.ts",
    "./e.ts",
    "./f.ts",
    "./side-effect.ts",
    "node:assert",
  ]);
});
