// The definition's `history:` block and `changes` section: defaults, the shorthand forms,
// overrides, and errors located at file:line:column like every other definition error.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import { DEFAULT_THRESHOLDS } from "../src/config/history.ts";
import { parseReportSpec } from "../src/config/load.ts";
import { ReportError } from "../src/errors.ts";

const HEAD = "title: x\nsource: data.csv\nsections:\n  - profile: all\n";

function spec(history: string) {
  return parseReportSpec(`${HEAD}${history}`, "report/h.yml", {});
}

function error(text: string): ReportError {
  try {
    parseReportSpec(text, "report/h.yml", {});
  } catch (caught) {
    assert.ok(caught instanceof ReportError, `expected a ReportError, got ${String(caught)}`);
    return caught;
  }
  assert.fail("parsed without error");
}

describe("history:", () => {
  test("absent: on, in the default folder beside the output, with the default thresholds", () => {
    const { history } = spec("");
    assert.ok(history);
    assert.equal(history.folder, undefined);
    assert.equal(history.s3, undefined);
    assert.equal(history.autoSection, true);
    assert.equal(history.keepDays, undefined);
    assert.deepEqual(history.thresholds, DEFAULT_THRESHOLDS);
  });

  test("false turns it off", () => {
    assert.equal(spec("history: false\n").history, undefined);
  });

  test("an s3:// prefix, as shorthand and as location", () => {
    assert.deepEqual(spec("history: s3://hist/runs/\n").history?.s3, {
      bucket: "hist",
      prefix: "runs/",
    });
    const full = spec(
      "history:\n  location: s3://hist/a/b/\n  region: eu-west-1\n  keep: { runs: 30, days: 90 }\n  trend: 6\n  section: off\n  thresholds: { rows: 0.5, missing: 10% }\n",
    ).history;
    assert.deepEqual(full?.s3, { bucket: "hist", prefix: "a/b/", region: "eu-west-1" });
    assert.equal(full?.keepRuns, 30);
    assert.equal(full?.keepDays, 90);
    assert.equal(full?.trend, 6);
    assert.equal(full?.autoSection, false);
    assert.deepEqual(full?.thresholds, { ...DEFAULT_THRESHOLDS, rows: 0.5, missing: 0.1 });
  });

  test("a folder resolves against the definition's folder", () => {
    assert.equal(spec("history: ../runs\n").history?.folder, resolve("runs"));
  });

  test("a key instead of a prefix is located and explained", () => {
    const e = error(`${HEAD}history: s3://hist/runs.json\n`);
    assert.equal(
      e.message,
      "report/h.yml:5:10: history: 's3://hist/runs.json' is not an S3 prefix: history is kept as one object per run under a prefix",
    );
    assert.match(e.hint ?? "", /trailing slash/);
  });

  test("an unknown threshold suggests the nearest name", () => {
    const e = error(`${HEAD}history:\n  thresholds:\n    rowz: 0.2\n`);
    assert.match(
      e.message,
      /^report\/h\.yml:7:5: history\.thresholds\.rowz: unknown field 'rowz'; did you mean 'rows'\?/,
    );
  });

  test("a threshold that is not a number is located", () => {
    const e = error(`${HEAD}history:\n  thresholds: { shift: lots }\n`);
    assert.match(e.message, /^report\/h\.yml:6:24: history\.thresholds\.shift: expected a number/);
  });

  test("region without an s3:// location is refused", () => {
    const e = error(`${HEAD}history:\n  location: runs\n  region: eu-west-1\n`);
    assert.match(
      e.message,
      /^report\/h\.yml:7:11: history\.region: region applies only to an s3:\/\/ location/,
    );
  });
});

describe("the changes section", () => {
  test("with nothing, or with a title", () => {
    const sections = parseReportSpec(
      "title: x\nsource: data.csv\nsections:\n  - changes:\n  - changes: { title: Since yesterday }\n",
      "report/h.yml",
      {},
    ).sections;
    assert.deepEqual(
      sections.map((s) => [s.kind, s.kind === "changes" ? s.title : undefined]),
      [
        ["changes", undefined],
        ["changes", "Since yesterday"],
      ],
    );
  });

  test("an unknown field is located", () => {
    const e = error("title: x\nsource: data.csv\nsections:\n  - changes: { titel: x }\n");
    assert.match(
      e.message,
      /^report\/h\.yml:4:16: sections\[0\]\.changes\.titel: unknown field 'titel'/,
    );
  });
});
