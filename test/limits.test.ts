// The limits block: defaults, the definition's values, environment overrides, and errors that
// name the limit and how to raise it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseReportSpec } from "../src/config/load.ts";
import { profileSpec } from "../src/config/profile-spec.ts";
import { ReportError } from "../src/errors.ts";
import { LIMITS, limitExceeded } from "../src/limits.ts";

const base = "title: x\nsource: data.csv\nsections: [profile: all]\n";

describe("limits", () => {
  test("a definition without limits gets every default", () => {
    const spec = parseReportSpec(base, "r.yml", {});
    for (const [name, { default: value }] of Object.entries(LIMITS)) {
      assert.equal(spec.limits[name as keyof typeof LIMITS], value, name);
    }
  });

  test("the definition sets a limit, the environment overrides it", () => {
    const text = `${base}limits: { max_columns: 20000, max_groups: 7 }\n`;
    const spec = parseReportSpec(text, "r.yml", { CONNECT_S3_REPORT_MAX_GROUPS: "9" });
    assert.equal(spec.limits.max_columns, 20000);
    assert.equal(spec.limits.max_groups, 9);
    assert.equal(spec.limits.max_nesting, LIMITS.max_nesting.default);
  });

  test("a --source profile takes limits from the environment", () => {
    const spec = profileSpec("data.csv", { CONNECT_S3_REPORT_MAX_COLUMNS: "12" });
    assert.equal(spec.limits.max_columns, 12);
  });

  test("an unknown limit is located, with the nearest name", () => {
    assert.throws(
      () => parseReportSpec(`${base}limits:\n  max_column: 5\n`, "r.yml", {}),
      (error: ReportError) =>
        error instanceof ReportError &&
        error.message.startsWith("r.yml:5:3: limits.max_column: unknown field") &&
        error.message.includes("max_columns"),
    );
  });

  test("a limit that is not a positive whole number is refused", () => {
    assert.throws(
      () => parseReportSpec(`${base}limits: { max_columns: 0 }\n`, "r.yml", {}),
      /r\.yml:4:\d+: limits\.max_columns: 0 is out of range/,
    );
    assert.throws(
      () => parseReportSpec(base, "r.yml", { CONNECT_S3_REPORT_MAX_COLUMNS: "lots" }),
      /CONNECT_S3_REPORT_MAX_COLUMNS="lots" is not a whole number/,
    );
  });

  test("the error for an exceeded limit names it and both ways to raise it", () => {
    const error = limitExceeded("max_columns", 10_000, "data.csv line 1");
    assert.match(
      error.message,
      /^data\.csv line 1: more than 10,000 columns in the data \(limit max_columns\)$/,
    );
    assert.match(error.hint ?? "", /limits: \{ max_columns: 40000 \}/);
    assert.match(error.hint ?? "", /CONNECT_S3_REPORT_MAX_COLUMNS=40000/);
  });
});
