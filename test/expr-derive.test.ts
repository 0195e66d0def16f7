// Expressions in a whole definition: derived columns (`columns:`) used by queries, filters,
// KPIs and the profile; measures and KPI values that combine aggregates; and errors located
// in the definition file with a caret under the offending token. Expected figures are
// computed here with plain loops over the same rows.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Bool, DateDay, Float64, vectorFromArray } from "apache-arrow";
import { parseReportSpec } from "../src/config/index.ts";
import { ReportError } from "../src/errors.ts";
import { summarize } from "../src/summarize/index.ts";
import { closeTo, dictionaryVector, fixedVector, tableOf } from "./summarize-reference.ts";

const station = ["north", "north", "south", "south", "south", "east", null, "east"];
const tmin = [-3, 2, 10, 12, null, 5, 1, -1];
const tmax = [4, 9, 25, 20, 18, 21, 3, null];
const rain = [true, false, null, true, false, false, true, true];
const day = [
  "2024-01-01",
  "2024-01-02",
  "2024-01-03",
  "2024-02-01",
  "2024-02-02",
  "2024-02-03",
  "2024-03-01",
  "2024-03-02",
];
const DAY_MS = 86_400_000;

const table = tableOf({
  station: dictionaryVector(station),
  temp_min: fixedVector(new Float64(), tmin, Float64Array),
  temp_max: fixedVector(new Float64(), tmax, Float64Array),
  rain: vectorFromArray(rain, new Bool()),
  day: fixedVector(
    new DateDay(),
    day.map((d) => Date.parse(`${d}T00:00:00Z`) / DAY_MS),
    Int32Array,
  ),
});
const rows = station.map((_, i) => i);

/** temp_max - temp_min per row, null when either is missing (as SQL). */
const range = rows.map((i) =>
  tmin[i] === null || tmax[i] === null ? null : (tmax[i] as number) - (tmin[i] as number),
);

const definition = `title: Weather
source: data.csv
columns:
  temp_range: temp_max - temp_min
  hot: "temp_range > 10"
  kind: "case when hot then 'hot' when temp_min < 0 then 'freezing' else 'mild' end"
queries:
  by_kind:
    group_by: [kind]
    measures:
      days: count()
      mean_range: avg(temp_range)
      rainy_share: "sum(case when rain then 1 else 0 end) / cast(count() as double)"
    sort: kind
  wet_or_cold:
    measures: { days: count(), widest: max(temp_range) }
    filter: "rain or (temp_min < 0 and not hot)"
sections:
  - kpis:
      - { label: Mean range, value: "sum(temp_range) / count(temp_range)", format: number }
      - { label: Hot days, value: "count_distinct(day) - 0", filter: hot }
  - profile: [temp_range, kind]
`;

describe("derived columns and measure expressions", () => {
  const spec = parseReportSpec(definition, "report.yml", {});
  const summary = summarize(table, spec, { now: new Date("2025-01-01T00:00:00Z") });

  test("derived columns are computed in order and group like source columns", () => {
    const kind = rows.map((i) => {
      const r = range[i];
      if (r !== null && r > 10) return "hot";
      if (tmin[i] !== null && (tmin[i] as number) < 0) return "freezing";
      return "mild";
    });
    const expected = ["freezing", "hot", "mild"].map((k) => {
      const members = rows.filter((i) => kind[i] === k);
      const ranges = members.map((i) => range[i]).filter((r): r is number => r !== null);
      const rainy = members.filter((i) => rain[i] === true).length;
      return {
        kind: k,
        days: members.length,
        mean_range: ranges.length === 0 ? null : ranges.reduce((a, b) => a + b, 0) / ranges.length,
        rainy_share: rainy / members.length,
      };
    });
    const got = summary.queries.by_kind.rows;
    assert.deepEqual(
      got.map((r) => [r.kind, r.days]),
      expected.map((e) => [e.kind, e.days]),
    );
    got.forEach((row, g) => {
      const e = expected[g];
      if (e.mean_range === null) assert.equal(row.mean_range, null);
      else closeTo(row.mean_range, e.mean_range, `mean_range ${e.kind}`);
      closeTo(row.rainy_share, e.rainy_share, `rainy_share ${e.kind}`);
    });
    assert.deepEqual(
      summary.queries.by_kind.columns.map((c) => [c.name, c.type]),
      [
        ["kind", "string"],
        ["days", "integer"],
        ["mean_range", "float"],
        ["rainy_share", "float"],
      ],
    );
  });

  test("a filter with or, and, not and parentheses keeps the rows where it is true", () => {
    const hot = (i: number) => (range[i] === null ? null : (range[i] as number) > 10);
    const kept = rows.filter((i) => {
      // SQL's three-valued logic, by hand.
      const cold = tmin[i] === null ? null : (tmin[i] as number) < 0;
      const notHot = hot(i) === null ? null : !hot(i);
      const both =
        cold === false || notHot === false ? false : cold === null || notHot === null ? null : true;
      const either =
        rain[i] === true || both === true ? true : rain[i] === null || both === null ? null : false;
      return either === true;
    });
    const [row] = summary.queries.wet_or_cold.rows;
    assert.equal(row.days, kept.length);
    const widest = Math.max(...kept.map((i) => range[i]).filter((r): r is number => r !== null));
    assert.equal(row.widest, widest);
    assert.ok(kept.length > 0 && kept.length < rows.length);
  });

  test("KPI values combine aggregates; a KPI filter may name a derived column", () => {
    const present = range.filter((r): r is number => r !== null);
    const [meanRange, hotDays] = summary.kpis;
    closeTo(meanRange.value, present.reduce((a, b) => a + b, 0) / present.length, "mean range");
    assert.equal(hotDays.value, present.filter((r) => r > 10).length);
  });

  test("derived columns are profiled like the data's own", () => {
    const profile = summary.columns.find((c) => c.name === "temp_range");
    assert.ok(profile !== undefined);
    assert.equal(profile.type, "float");
    assert.equal(profile.missing, range.filter((r) => r === null).length);
    const kinds = summary.columns.find((c) => c.name === "kind");
    assert.equal(kinds?.type, "string");
  });
});

/** The ReportError that summarizing `yaml` (after the title and source) throws. */
function failure(yaml: string): ReportError {
  const spec = parseReportSpec(`title: x\nsource: data.csv\n${yaml}`, "report.yml", {});
  try {
    summarize(table, spec);
  } catch (error) {
    assert.ok(error instanceof ReportError, String(error));
    return error;
  }
  return assert.fail("summarize did not fail");
}

describe("errors point into the definition", () => {
  test("an unknown column in a filter: file:line:column of the token, caret, did-you-mean", () => {
    const error = failure(
      "queries:\n  q:\n    measures: { n: count() }\n    filter: temp_min > 0 and staton = 'north'\nsections: [profile: all]\n",
    );
    assert.equal(
      error.message,
      "report.yml:6:30: queries.q.filter: unknown column 'staton'; did you mean 'station'?\n" +
        "  temp_min > 0 and staton = 'north'\n" +
        "                   ^^^^^^",
    );
  });

  test("a type error inside a quoted derived column, counted from inside the quote", () => {
    const error = failure('columns:\n  shout: "upper(temp_max)"\nsections: [profile: all]\n');
    assert.equal(
      error.message,
      "report.yml:4:17: columns.shout: upper() needs text, but 'temp_max' is a number\n" +
        "  upper(temp_max)\n" +
        "        ^^^^^^^^",
    );
  });

  test("a derived column may not take the name of a source column", () => {
    const error = failure('columns:\n  temp_min: "temp_min * 2"\nsections: [profile: all]\n');
    assert.match(
      error.message,
      /^report\.yml:4:13: columns\.temp_min: 'temp_min' is already a column of the data/,
    );
  });

  test("a derived column sees only the ones before it", () => {
    const error = failure('columns:\n  a: "b + 1"\n  b: "temp_min"\nsections: [profile: all]\n');
    assert.match(error.message, /^report\.yml:4:7: columns\.a: unknown column 'b'/);
  });

  test("a measure that mixes a bare column with aggregates, at the column", () => {
    const spec = () =>
      parseReportSpec(
        "title: x\nsource: data.csv\nqueries:\n  q: { measures: { r: sum(temp_max) - temp_min } }\nsections: [profile: all]\n",
        "report.yml",
        {},
      );
    assert.throws(
      spec,
      /report\.yml:4:39: queries\.q\.measures\.r: column 'temp_min' must be aggregated here\n {2}sum\(temp_max\) - temp_min\n {18}\^{8}/,
    );
  });
});
