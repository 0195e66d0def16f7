// summary.json's shipped JSON Schema: summary.json names it in `$schema` and the name resolves
// through the package's exports; the schema accepts what a build writes and refuses documents
// that break it (a missing field, a type outside the list, a field it does not know), so the
// checks of every other test's summary.json (test/helpers/json-schema.ts) can fail.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "../src/build.ts";
import { SUMMARY_SCHEMA, SUMMARY_VERSION } from "../src/history/document.ts";
import { ROOT } from "./helpers/cli.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { SUMMARY_SCHEMA_FILE, summaryErrors, validate } from "./helpers/json-schema.ts";

let dir = "";
let written: Record<string, unknown>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "summary-schema-"));
  await build(
    { source: join(ROOT, "test/input/build/small.csv"), outDir: join(dir, "output") },
    recordingEffects(),
  );
  written = JSON.parse(await readFile(join(dir, "output/summary.json"), "utf8"));
});
after(() => rm(dir, { recursive: true, force: true }));

const copy = () =>
  structuredClone(written) as Record<string, unknown> & { columns: Record<string, unknown>[] };

test("summary.json names the shipped schema, which the package exports under that name", async () => {
  assert.equal(written.$schema, SUMMARY_SCHEMA);
  assert.equal(written.version, SUMMARY_VERSION);
  assert.equal(fileURLToPath(import.meta.resolve(String(written.$schema))), SUMMARY_SCHEMA_FILE);
  const schema = JSON.parse(await readFile(SUMMARY_SCHEMA_FILE, "utf8"));
  assert.equal(schema.$id, SUMMARY_SCHEMA);
  assert.equal(schema.properties.version.const, SUMMARY_VERSION);
});

test("what a build writes follows the schema", () => {
  assert.deepEqual(summaryErrors(written), []);
});

test("a missing field, a type outside the list and an unknown field are refused", () => {
  const missing = copy();
  delete missing.rows;
  assert.deepEqual(summaryErrors(missing), ['$: required field "rows" is missing']);

  const retyped = copy();
  retyped.columns[0].type = "decimal";
  assert.deepEqual(summaryErrors(retyped), [
    '$.columns[0].type: "decimal" is not one of integer, float, string, boolean, date, timestamp',
  ]);

  const extra = copy();
  extra.columns[0].median = 3;
  assert.deepEqual(summaryErrors(extra), ['$.columns[0]: field "median" is not in the schema']);

  const wrongVersion = copy();
  wrongVersion.version = 2;
  assert.deepEqual(summaryErrors(wrongVersion), ["$.version: expected 1, found 2"]);

  const badTime = copy();
  badTime.builtAt = "yesterday";
  assert.deepEqual(summaryErrors(badTime), ['$.builtAt: "yesterday" is not an ISO 8601 date-time']);
});

test("the validator refuses a keyword it does not implement", () => {
  assert.throws(() => validate({ type: "object", oneOf: [] }, {}), /does not implement "oneOf"/);
});
