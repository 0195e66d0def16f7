// A chart mark or section kind added to its list (src/vocabulary.ts) without a handler in
// every place that needs one must fail the typecheck, not fall through at run time. This test
// copies src/ to a temporary folder once per case, adds a member to a list in the copies that
// need one, runs the project's own TypeScript compiler once on all the copies together (one
// program: the libraries' declarations are parsed and bound once rather than once per case,
// about 1 CPU s each) and checks that it reports an error at each handler of each changed copy; the
// unchanged copy must compile cleanly, so the errors come from the addition alone. The copies
// are separate folders of modules, so no copy's errors can come from another's.
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
  /** The copy of src/ it is in (a key of CASES). */
  copy: string;
  /** Path inside that copy, from src/. */
  file: string;
  line: number;
  code: string;
  message: string;
}

type Edit = [file: string, from: string, to: string];

/** A section kind added to its list, with nothing else. */
const ADD_SECTION_KIND: Edit = [
  "vocabulary.ts",
  'SECTION_KINDS = [\n  "kpis",',
  'SECTION_KINDS = [\n  "markdown",\n  "kpis",',
];

/** Each case: a folder name → the [file, from, to] edits its copy of src/ gets. */
const CASES: Record<string, Edit[]> = {
  unchanged: [],
  section: [ADD_SECTION_KIND],
  // One copy carries both additions; their errors land in different files.
  both: [
    [
      "vocabulary.ts",
      'CHART_MARKS = ["bar", "line", "area", "point"]',
      'CHART_MARKS = ["bar", "line", "area", "point", "rule"]',
    ],
    ADD_SECTION_KIND,
    [
      "config/spec.ts",
      "  changes: ChangesSection;\n}>;",
      '  changes: ChangesSection;\n  markdown: { kind: "markdown"; text: string; path: FieldPath };\n}>;',
    ],
  ],
};

let dir = "";
/** The compiler's errors on all the copies, from its one run. */
let diagnostics: Promise<Diagnostic[]>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "exhaustive-types-"));
  await symlink(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  // The project's compiler options, on the copies of src/ alone; ESM as in package.json.
  await writeFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: join(ROOT, "tsconfig.json"),
      compilerOptions: { rootDir: "." },
      include: Object.keys(CASES).map((copy) => `${copy}/src`),
    }),
  );
  await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  for (const [copy, edits] of Object.entries(CASES)) await copyWith(copy, edits);
  diagnostics = typecheck();
  // Each test awaits it; this keeps a failure from also being reported as unhandled.
  diagnostics.catch(() => {});
});

after(async () => {
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

/** A copy of src/ in `copy`/ with each [file, from, to] edit applied (each must match once). */
async function copyWith(copy: string, edits: Edit[]): Promise<void> {
  await cp(join(ROOT, "src"), join(dir, copy, "src"), { recursive: true });
  for (const [file, from, to] of edits) {
    const path = join(dir, copy, "src", file);
    const text = await readFile(path, "utf8");
    assert.equal(text.split(from).length, 2, `expected '${from}' once in src/${file}`);
    await writeFile(path, text.replace(from, to));
  }
}

/** The compiler's errors on the copies (an empty list when they all compile). */
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
  const found: Diagnostic[] = [];
  const pattern = /^(\w+)\/(src\/[^(]+)\((\d+),\d+\): error (TS\d+): (.*)$/gm;
  for (const match of output.matchAll(pattern)) {
    const [, copy, file, line, code, message] = match;
    found.push({ copy, file, line: Number(line), code, message });
  }
  const reported = output.match(/error TS\d+/g)?.length ?? 0;
  assert.equal(found.length, reported, `errors outside the copies of src/:\n${output}`);
  return found;
}

/** The errors in one copy of src/. */
async function errorsIn(copy: keyof typeof CASES): Promise<Diagnostic[]> {
  return (await diagnostics).filter((d) => d.copy === copy);
}

/** "file code" pairs, once each, sorted: where the compiler objected and how. */
function places(diagnostics: Diagnostic[]): string[] {
  return [...new Set(diagnostics.map((d) => `${d.file} ${d.code}`))].sort();
}

test("the unchanged copy of src/ compiles", { timeout: 120_000 }, async () => {
  assert.deepEqual(await errorsIn("unchanged"), []);
});

test("a section kind without a spec type fails to compile where specs are listed", {
  timeout: 120_000,
}, async () => {
  const errors = await errorsIn("section");
  // The list of specs by kind (OnePerKind) names the gap; what uses SectionSpec follows.
  const specs = errors.filter((e) => e.file === "src/config/spec.ts" && e.code === "TS2741");
  assert.equal(specs.length, 1, JSON.stringify(errors, null, 1));
  assert.match(specs[0].message, /'markdown' is missing/);
});

test("a chart mark or a section kind without its handlers fails to compile at each", {
  timeout: 120_000,
}, async () => {
  const errors = await errorsIn("both");
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
