// A chart mark or section kind added to its list (src/vocabulary.ts) without a handler in
// every place that needs one must fail the typecheck, not fall through at run time. This test
// copies src/ to a temporary folder, adds a member to a list there, runs the project's own
// TypeScript compiler on the copy and checks that it reports an error at each handler; the
// unchanged copy must compile cleanly, so the errors come from the addition alone.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

const ROOT = resolve(import.meta.dirname, "..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

interface Diagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}

let dir = "";

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "exhaustive-types-"));
  await symlink(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  // The project's compiler options, on the copy of src/ alone; ESM as in package.json.
  await writeFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: join(ROOT, "tsconfig.json"),
      compilerOptions: { rootDir: "." },
      include: ["src"],
    }),
  );
  await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
});

after(async () => {
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

/** A fresh copy of src/ with each [file, from, to] edit applied (each must match once). */
async function copyWith(edits: [file: string, from: string, to: string][]): Promise<void> {
  await rm(join(dir, "src"), { recursive: true, force: true });
  await cp(join(ROOT, "src"), join(dir, "src"), { recursive: true });
  for (const [file, from, to] of edits) {
    const path = join(dir, "src", file);
    const text = await readFile(path, "utf8");
    assert.equal(text.split(from).length, 2, `expected '${from}' once in src/${file}`);
    await writeFile(path, text.replace(from, to));
  }
}

/** The compiler's errors on the copy (an empty list when it compiles). */
async function typecheck(): Promise<Diagnostic[]> {
  const run = promisify(execFile);
  // One thread: the suite keeps both cores busy already, and the compiler's threads cost
  // about a quarter more CPU time for the same check.
  const args = [TSC, "-p", dir, "--pretty", "false", "--singleThreaded"];
  const output = await run(process.execPath, args, {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (done) => done.stdout,
    (failed: { stdout?: string }) => {
      if (!failed.stdout) throw failed;
      return failed.stdout;
    },
  );
  const diagnostics: Diagnostic[] = [];
  for (const match of output.matchAll(/^(src\/[^(]+)\((\d+),\d+\): error (TS\d+): (.*)$/gm)) {
    diagnostics.push({ file: match[1], line: Number(match[2]), code: match[3], message: match[4] });
  }
  const reported = output.match(/error TS\d+/g)?.length ?? 0;
  assert.equal(diagnostics.length, reported, `errors outside src/ files:\n${output}`);
  return diagnostics;
}

/** "file code" pairs, once each, sorted: where the compiler objected and how. */
function places(diagnostics: Diagnostic[]): string[] {
  return [...new Set(diagnostics.map((d) => `${d.file} ${d.code}`))].sort();
}

test("the unchanged copy of src/ compiles", { timeout: 120_000 }, async () => {
  await copyWith([]);
  assert.deepEqual(await typecheck(), []);
});

test("a section kind without a spec type fails to compile where specs are listed", {
  timeout: 120_000,
}, async () => {
  await copyWith([
    [
      "vocabulary.ts",
      'SECTION_KINDS = [\n  "kpis",',
      'SECTION_KINDS = [\n  "markdown",\n  "kpis",',
    ],
  ]);
  const errors = await typecheck();
  // The list of specs by kind (OnePerKind) names the gap; what uses SectionSpec follows.
  const specs = errors.filter((e) => e.file === "src/config/spec.ts" && e.code === "TS2741");
  assert.equal(specs.length, 1, JSON.stringify(errors, null, 1));
  assert.match(specs[0].message, /'markdown' is missing/);
});

// One copy carries both additions (one compiler run); their errors land in different files.
test("a chart mark or a section kind without its handlers fails to compile at each", {
  timeout: 120_000,
}, async () => {
  await copyWith([
    [
      "vocabulary.ts",
      'CHART_MARKS = ["bar", "line", "area", "point"]',
      'CHART_MARKS = ["bar", "line", "area", "point", "rule"]',
    ],
    [
      "vocabulary.ts",
      'SECTION_KINDS = [\n  "kpis",',
      'SECTION_KINDS = [\n  "markdown",\n  "kpis",',
    ],
    [
      "config/spec.ts",
      "  changes: ChangesSection;\n}>;",
      '  changes: ChangesSection;\n  markdown: { kind: "markdown"; text: string; path: FieldPath };\n}>;',
    ],
  ]);
  const errors = await typecheck();
  assert.deepEqual(places(errors), [
    // the mark: its accessible description and its vega-lite mark definition
    "src/chart/describe.ts TS2741",
    "src/chart/spec.ts TS2741",
    // the section kind: its reader in the parser and its case in the template model
    "src/config/sections.ts TS2741",
    "src/render/model.ts TS2345",
  ]);
  const at = (file: string) => errors.filter((e) => e.file === file).map((e) => e.message);
  for (const message of [...at("src/chart/describe.ts"), ...at("src/chart/spec.ts")])
    assert.match(message, /'rule' is missing/);
  for (const message of at("src/config/sections.ts"))
    assert.match(message, /'markdown' is missing/);
  for (const message of at("src/render/model.ts")) assert.match(message, /"markdown"/);
});
