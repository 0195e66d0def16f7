// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests write ${VAR} references on purpose
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import { DateDay, Float64, Table, vectorFromArray } from "apache-arrow";
import { closest, editDistance } from "../src/config/closest.ts";
import { hideEnvValues, substituteEnv } from "../src/config/env.ts";
import { parseGroupKey, parseMeasure, parseRowExpr, parseSortKey } from "../src/config/expr.ts";
import { loadReportSpec, parseReportSpec } from "../src/config/load.ts";
import { profileSpec } from "../src/config/profile-spec.ts";
import type { ChartSection, KpiSection, ReportSpec } from "../src/config/spec.ts";
import { MAX_ALIAS_VALUES } from "../src/config/yaml-tree.ts";
import { ReportError } from "../src/errors.ts";
import { toSql } from "../src/expr/to-sql.ts";
import { summarize } from "../src/summarize/index.ts";
import { dictionaryVector } from "./summarize-reference.ts";

const input = "test/input/config";

/** Load a fixture expecting a ReportError; returns it. */
async function loadError(name: string, env: Record<string, string> = {}): Promise<ReportError> {
  try {
    await loadReportSpec(`${input}/${name}`, env);
  } catch (error) {
    assert.ok(error instanceof ReportError, `expected a ReportError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${name} loaded without error`);
}

describe("closest", () => {
  test("edit distance counts insertions, deletions, substitutions and swaps of neighbours", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("group_by", "group_by"), 0);
    assert.equal(editDistance("buidl", "build"), 1);
    assert.equal(editDistance("regoin", "region"), 1);
    assert.equal(editDistance("ab", "ba"), 1);
    // A swap and an edit of the same letters are not both counted as one (no reuse).
    assert.equal(editDistance("ca", "abc"), 3);
  });
  test("suggests the nearest plausible name, or nothing", () => {
    assert.equal(closest("grup_by", ["measures", "group_by", "filter"]), "group_by");
    assert.equal(closest("Revnue", ["region", "revenue"]), "revenue");
    assert.equal(closest("zzz", ["region", "revenue"]), undefined);
  });
});

describe("substituteEnv", () => {
  const env = { A: "x", EMPTY: "" };
  test("replaces variables, unset ones by nothing", () => {
    assert.equal(substituteEnv("${A}", env), "x");
    assert.equal(substituteEnv("${MISSING}", env), "");
    assert.equal(substituteEnv("pre-${A}-${B:-b}-post", env), "pre-x-b-post");
  });
  test("defaults apply to unset and empty variables only", () => {
    assert.equal(substituteEnv("${MISSING:-d}", env), "d");
    assert.equal(substituteEnv("${EMPTY:-d}", env), "d");
    assert.equal(substituteEnv("${A:-d}", env), "x");
    assert.equal(substituteEnv("${MISSING:-}", env), "");
  });
  test("$${ escapes, a lone $ stays", () => {
    assert.equal(substituteEnv("$${A}", env), "${A}");
    assert.equal(substituteEnv("costs $5 and $A", env), "costs $5 and $A");
  });
  test("malformed references are errors", () => {
    assert.throws(() => substituteEnv("${A", env), /unclosed/);
    assert.throws(() => substituteEnv("${1A}", env), /not a variable reference/);
  });
});

describe("expressions", () => {
  /** The plain-aggregate parts of a measure, without its tree. */
  const plain = (text: string) => {
    const { op, column } = parseMeasure(text);
    return column === undefined ? { op } : { op, column };
  };
  test("measures", () => {
    assert.deepEqual(plain("sum(revenue)"), { op: "sum", column: "revenue" });
    assert.deepEqual(plain("count()"), { op: "count" });
    assert.deepEqual(plain("count(*)"), { op: "count" });
    assert.deepEqual(plain("COUNT(channel)"), { op: "count", column: "channel" });
    assert.deepEqual(plain("avg( unit_price )"), { op: "mean", column: "unit_price" });
    assert.deepEqual(plain('median("unit price")'), { op: "median", column: "unit price" });
    assert.deepEqual(plain("count_distinct(customer_id)"), {
      op: "count_distinct",
      column: "customer_id",
    });
    assert.deepEqual(plain("count(distinct customer_id)"), {
      op: "count_distinct",
      column: "customer_id",
    });
    // Anything else is an expression with no single op.
    assert.deepEqual(plain("sum(revenue) / count()"), { op: undefined });
    assert.deepEqual(plain("sum(case when returned then 1 else 0 end)"), { op: undefined });
    assert.equal(toSql(parseMeasure("sum(revenue) / count()").ast), '(sum("revenue") / count(*))');
    assert.throws(
      () => parseMeasure("revenue"),
      /is a column, not a measure; aggregate it, e.g. sum\(revenue\)/,
    );
    assert.throws(
      () => parseMeasure("sum(revenue) + cost"),
      /column 'cost' must be aggregated here/,
    );
    assert.throws(() => parseMeasure("sum(revenue"), /expected '\)'/);
    assert.throws(() => parseMeasure("sum()"), /sum\(\) takes 1 argument, not 0/);
    assert.throws(
      () => parseMeasure("meen(x)"),
      /^ExprError: unknown function 'meen'; did you mean 'mean'\?$/,
    );
  });
  test("group keys", () => {
    assert.deepEqual(parseGroupKey("region"), { column: "region" });
    assert.deepEqual(parseGroupKey("quarter(order_date)"), {
      column: "order_date",
      unit: "quarter",
    });
    assert.deepEqual(parseGroupKey("`order date`"), { column: "order date" });
    assert.throws(() => parseGroupKey("region, country"), /unexpected ','/);
    assert.throws(() => parseGroupKey("lower(region)"), /'lower' is not a time bucket/);
  });
  test("filters", () => {
    const sql = (text: string) => toSql(parseRowExpr(text));
    assert.equal(sql("revenue > 0"), '("revenue" > 0)');
    assert.equal(sql("discount <= -0.5"), '("discount" <= (-5E-1))');
    assert.equal(
      sql("region in ('Europe', 'Asia Pacific')"),
      "(\"region\" IN ('Europe', 'Asia Pacific'))",
    );
    assert.equal(sql("region NOT IN ('Europe')"), "(\"region\" NOT IN ('Europe'))");
    assert.equal(sql("channel is not null"), '("channel" IS NOT NULL)');
    assert.equal(sql("returned = false"), '("returned" = FALSE)');
    assert.equal(
      sql("product <> 'Women''s tee, \"XL\"'"),
      "(\"product\" <> 'Women''s tee, \"XL\"')",
    );
    // and / or / not and parentheses, in one condition.
    assert.equal(
      sql("revenue > 0 and (region = 'EU' or not returned)"),
      '(("revenue" > 0) AND (("region" = \'EU\') OR (NOT "returned")))',
    );
    assert.throws(() => sql("channel = null"), /is null/);
    assert.throws(() => sql("region = 'Europe"), /unclosed '/);
    assert.throws(() => sql("sum(revenue) > 0"), /aggregates many rows/);
  });
  test("sort keys", () => {
    const key = (text: string) => {
      const { name, descending } = parseSortKey(text);
      return { name, descending };
    };
    assert.deepEqual(key("-revenue"), { name: "revenue", descending: true });
    assert.deepEqual(key("region"), { name: "region", descending: false });
    assert.deepEqual(key("orders desc"), { name: "orders", descending: true });
  });
});

describe("the example report", () => {
  test("loads with no bucket configured: the fallback sample is used", async () => {
    const spec = await loadReportSpec("report/report.yml", {});
    assert.equal(spec.title, "Sales overview");
    assert.equal(spec.source.s3, undefined);
    assert.equal(spec.source.fallback, resolve("report/data/orders.csv"));
    assert.equal(spec.file, resolve("report/report.yml"));
    assert.deepEqual(
      spec.sections.map((s) => s.kind),
      ["kpis", "chart", "chart", "chart", "histogram", "table", "text", "profile"],
    );
    const kpis = (spec.sections[0] as KpiSection).kpis;
    assert.deepEqual(
      kpis.map((k) => [k.label, k.measure.op, k.measure.column, k.format]),
      [
        ["Revenue", "sum", "revenue", "currency"],
        ["Orders", "count", undefined, "integer"],
        ["Average order value", "mean", "revenue", "currency"],
        ["Return rate", "mean", "returned", "percent"],
      ],
    );
    assert.deepEqual(kpis[0].compare?.column, "order_date");
    assert.deepEqual(kpis[0].compare?.unit, "month");
    // Every chart plots columns its query produces.
    for (const section of spec.sections) {
      if (section.kind !== "chart") continue;
      const query = spec.queries[section.query];
      const names = [...query.groupBy.map((g) => g.name), ...query.measures.map((m) => m.name)];
      for (const column of [section.x, section.y, section.color]) {
        if (column !== undefined)
          assert.ok(names.includes(column), `${column} in ${section.query}`);
      }
    }
    const byCategory = spec.sections[3] as ChartSection;
    assert.equal(byCategory.color, "channel");
  });

  test("reads from S3 when AWS_BUCKET_NAME is set, with key and region defaults", async () => {
    const spec = await loadReportSpec("report/report.yml", { AWS_BUCKET_NAME: "acme-data" });
    assert.deepEqual(spec.source.s3, {
      bucket: "acme-data",
      key: "orders.csv",
      region: "us-east-1",
    });
    const custom = await loadReportSpec("report/report.yml", {
      AWS_BUCKET_NAME: "acme-data",
      AWS_S3_FILEPATH: "exports/2025/orders.parquet",
      AWS_REGION: "eu-central-1",
    });
    assert.deepEqual(custom.source.s3, {
      bucket: "acme-data",
      key: "exports/2025/orders.parquet",
      region: "eu-central-1",
    });
  });
});

test("the example in docs/report-definition.md is valid", async () => {
  const doc = await readFile("docs/report-definition.md", "utf8");
  const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(example !== undefined);
  const spec = parseReportSpec(example, "docs/report-definition.md", { AWS_BUCKET_NAME: "b" });
  assert.deepEqual(Object.keys(spec.queries), ["by_region", "by_month"]);
  assert.equal(spec.sections.length, 5);
});

describe("a definition with every kind of field", () => {
  let spec: ReportSpec;
  test("loads, substituting the environment", async () => {
    spec = await loadReportSpec(`${input}/valid.yml`, { BUCKET: "my-bucket", TOP_N: "25" });
    assert.equal(spec.title, "Orders");
    assert.deepEqual(spec.source.s3, { bucket: "my-bucket", key: "sales/orders.csv" });
    assert.equal(spec.source.fallback, resolve("test/input/data/orders.csv"));
    assert.deepEqual(spec.source.csv, { delimiter: ";", nullValues: ["", "n/a"] });
    assert.equal(spec.currency, "EUR");
    assert.equal(spec.locale, "en-US");
    const query = spec.queries.by_region;
    assert.deepEqual(
      query.groupBy.map((g) => [g.name, g.column, g.unit, g.path.join("/")]),
      [
        ["region", "region", undefined, "queries/by_region/group_by/0"],
        ["order_month", "order_date", "month", "queries/by_region/group_by/1/order_month"],
      ],
    );
    assert.deepEqual(
      query.measures.map((m) => [m.name, m.op, m.column]),
      [
        ["revenue", "sum", "revenue"],
        ["orders", "count", undefined],
      ],
    );
    assert.deepEqual(
      query.filter.map((f) => toSql(f.ast)),
      ['("revenue" > 0)', "(\"region\" IN ('Europe', 'Asia Pacific'))"],
    );
    assert.deepEqual(
      query.sort.map((s) => [s.name, s.descending]),
      [
        ["revenue", true],
        ["region", false],
      ],
    );
    assert.equal(query.limit, 25);
    const [revenue, returned] = (spec.sections[0] as KpiSection).kpis;
    assert.deepEqual(revenue.compare, {
      column: "order_date",
      unit: "month",
      path: ["sections", 0, "kpis", 0, "compare"],
    });
    assert.equal(returned.format, "integer");
    assert.deepEqual(
      returned.filter.map((f) => [toSql(f.ast), f.expr, f.path]),
      [['("returned" = TRUE)', "returned = true", ["sections", 0, "kpis", 1, "filter"]]],
    );
    assert.deepEqual(spec.sections[2], {
      kind: "text",
      text: "Costs ${NOT_A_VAR} are excluded.",
      path: ["sections", 2],
    });
    assert.deepEqual(spec.sections[3], {
      kind: "profile",
      columns: ["revenue", "region"],
      path: ["sections", 3],
    });
  });

  test("defaults apply when variables are unset; an empty bucket means no S3", async () => {
    const bare = await loadReportSpec(`${input}/valid.yml`, { REPORT_TITLE: "" });
    assert.equal(bare.title, "Orders");
    assert.equal(bare.source.s3, undefined);
    assert.equal(bare.queries.by_region.limit, 10);
    const titled = await loadReportSpec(`${input}/valid.yml`, { REPORT_TITLE: "Q3 orders" });
    assert.equal(titled.title, "Q3 orders");
  });

  test("locate points at the field's line and column", () => {
    const file = `${input}/valid.yml`;
    const measure = spec.locate(["queries", "by_region", "measures", "revenue"]);
    assert.deepEqual(measure, { file, line: 14, column: 26, textPos: { line: 14, column: 26 } });
    assert.deepEqual(spec.locate(["queries", "by_region", "group_by", 1, "order_month"]), {
      file,
      line: 13,
      column: 39,
      textPos: { line: 13, column: 39 },
    });
    assert.deepEqual(spec.locate(["sections", 1]), { file, line: 22, column: 5 });
    // A quoted expression's text starts one column after its quote.
    assert.deepEqual(spec.locate(spec.queries.by_region.filter[1].path), {
      file,
      line: 15,
      column: 29,
      textPos: { line: 15, column: 30 },
    });
    assert.equal(spec.locate(["queries", "nope"]), undefined);
  });
});

describe("errors name file:line:column, the field and a fix", () => {
  const cases: [file: string, prefix: string, rest: RegExp][] = [
    [
      "unknown-key.yml",
      "unknown-key.yml:5:5: queries.by_region.grup_by: ",
      /^unknown field 'grup_by'; did you mean 'group_by'\?$/,
    ],
    [
      "wrong-type.yml",
      "wrong-type.yml:7:13: sections[0].histogram.bins: ",
      /^expected a whole number, found 'many'$/,
    ],
    ["missing-title.yml", "missing-title.yml:2:1: title: ", /^required field is missing$/],
    ["missing-sections.yml", "missing-sections.yml:1:1: sections: ", /^required field is missing$/],
    [
      "bad-mark.yml",
      "bad-mark.yml:9:13: sections[0].chart.mark: ",
      /^'lines' is not one of bar, line, area, point; did you mean 'line'\?$/,
    ],
    [
      "bad-format.yml",
      "bad-format.yml:7:17: sections[0].kpis[0].format: ",
      /did you mean 'currency'\?$/,
    ],
    [
      "bad-unit.yml",
      "bad-unit.yml:6:9: queries.by_month.group_by[0]: ",
      /^unknown function 'mnth'; did you mean 'month'\?\n {2}mnth\(order_date\)\n {2}\^{4}$/,
    ],
    [
      "unknown-query.yml",
      "unknown-query.yml:7:14: sections[0].table.query: ",
      /^no query named 'by_regoin'; did you mean 'by_region'\?$/,
    ],
    [
      "bad-sort.yml",
      "bad-sort.yml:7:20: queries.by_region.sort[1]: ",
      /^'revnue' is not a group key or measure of this query; did you mean 'revenue'\?$/,
    ],
    [
      "bad-chart-column.yml",
      "bad-chart-column.yml:6:73: sections[0].chart.y: ",
      /^'revenu' is not a column of query 'by_region'; did you mean 'revenue'\?$/,
    ],
    [
      "bad-measure.yml",
      "bad-measure.yml:6:16: queries.totals.measures.revenue: ",
      /^unknown function 'sun'; did you mean 'sum'\?\n {2}sun\(revenue\)\n {2}\^{3}$/,
    ],
    [
      "bad-filter.yml",
      "bad-filter.yml:8:18: queries.europe.filter[1]: ",
      /^unclosed '\n {2}region = 'Europe\n {11}\^{7}$/,
    ],
    [
      "no-data.yml",
      "no-data.yml:3:3: source: ",
      /^no data: the s3 bucket is empty and there is no fallback file$/,
    ],
    [
      "unknown-section.yml",
      "unknown-section.yml:5:5: sections[1].histgram: ",
      /^unknown section 'histgram'; did you mean 'histogram'\?$/,
    ],
  ];
  for (const [file, prefix, rest] of cases) {
    test(file, async () => {
      const error = await loadError(file);
      const expected = `${input}/${prefix}`;
      assert.ok(
        error.message.startsWith(expected),
        `${error.message}\n  should start with ${expected}`,
      );
      assert.match(error.message.slice(expected.length), rest);
    });
  }

  test("every error carries a hint where one helps", async () => {
    const error = await loadError("unknown-key.yml");
    assert.match(error.hint ?? "", /group_by, measures, filter, sort, limit/);
  });

  test("malformed YAML: the parser's message at file:line:column", async () => {
    const error = await loadError("bad-yaml.yml");
    // The flow map opened on line 4 is never closed; the parser notices at the next item, 5:3.
    assert.match(error.message, /^test\/input\/config\/bad-yaml\.yml:5:3: invalid YAML: /);
    assert.doesNotMatch(error.message, /at line \d+/);
  });

  test("a substituted value is not echoed: the message shows ${VAR} as written", async () => {
    const error = await loadError("secret.yml", { DATA_FORMAT: "hunter2-secret" });
    assert.ok(error.message.startsWith(`${input}/secret.yml:4:11: source.format: `), error.message);
    assert.match(error.message, /\$\{DATA_FORMAT\}/);
    assert.doesNotMatch(`${error.message}\n${error.hint}`, /hunter2/);
  });

  test("an expression from the environment is not echoed either", async () => {
    const error = await loadError("secret-filter.yml", { ROW_FILTER: "token = 'abc123-secret" });
    assert.ok(error.message.startsWith(`${input}/secret-filter.yml:6:13: queries.mine.filter: `));
    assert.match(error.message, /\$\{ROW_FILTER\}/);
    assert.doesNotMatch(`${error.message}\n${error.hint}`, /abc123/);
  });

  test("a filter that is empty after substitution is no filter", async () => {
    const spec = await loadReportSpec(`${input}/secret-filter.yml`, {});
    assert.deepEqual(spec.queries.mine.filter, []);
  });

  test("a malformed ${...} is located", () => {
    assert.throws(
      () =>
        parseReportSpec('title: x\nsource: "${DATA"\nsections: [profile: all]\n', "inline.yml", {}),
      (error: unknown) =>
        error instanceof ReportError &&
        error.message.startsWith("inline.yml:2:9: source: unclosed"),
    );
  });

  test("a missing definition file", async () => {
    await assert.rejects(loadReportSpec(`${input}/nope.yml`, {}), /Report definition not found/);
  });

  test("an empty definition", () => {
    assert.throws(() => parseReportSpec("# nothing\n", "empty.yml", {}), {
      name: "ReportError",
      message: "empty.yml:1:1: the report definition is empty",
    });
  });
});

describe("profileSpec", () => {
  test("a local file: profile of every column and a row count", () => {
    const spec = profileSpec("data/orders.csv");
    assert.equal(spec.title, "orders.csv");
    assert.deepEqual(spec.source, { file: resolve("data/orders.csv"), csv: {} });
    assert.deepEqual(
      spec.sections.map((s) => s.kind),
      ["kpis", "profile"],
    );
    const [rows] = (spec.sections[0] as KpiSection).kpis;
    assert.equal(rows.measure.op, "count");
    assert.equal(rows.format, "integer");
    assert.deepEqual(spec.sections[1], { kind: "profile", columns: "all", path: ["sections", 1] });
    assert.equal(spec.file, "");
    assert.equal(spec.locate(["sections", 0]), undefined);
  });

  test("an s3:// URL: bucket, key and the region from AWS_REGION", () => {
    const spec = profileSpec("s3://acme-data/exports/2025/orders.parquet", {
      AWS_REGION: "eu-west-1",
    });
    assert.equal(spec.title, "orders.parquet");
    assert.deepEqual(spec.source.s3, {
      bucket: "acme-data",
      key: "exports/2025/orders.parquet",
      region: "eu-west-1",
    });
    assert.deepEqual(profileSpec("s3://acme-data/exports/").source.s3, {
      bucket: "acme-data",
      prefix: "exports/",
    });
  });
});

describe("aliases are bounded", () => {
  /** `levels` nested anchors, each a list of `width` aliases to the one before. */
  const bomb = (levels: number, width: number) => {
    const lines = ["title: Bomb", "source: data.csv", "a0: &a0 [x, y]"];
    for (let i = 1; i <= levels; i++) {
      lines.push(`a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(", ")}]`);
    }
    lines.push("sections: [profile: all]");
    return `${lines.join("\n")}\n`;
  };

  test("an alias bomb stops at the alias limit with a located error", () => {
    // 9 levels of 9 aliases would expand to 2 * 9^9 ≈ 775 million values.
    assert.throws(
      () => parseReportSpec(bomb(9, 9), "bomb.yml", {}),
      (error: unknown) => {
        assert.ok(error instanceof ReportError, String(error));
        assert.match(error.message, /^bomb\.yml:\d+:\d+: a\d+(\[\d+\])*: /);
        assert.match(error.message, /aliases expand to more than 100,000 values/);
        assert.match(error.hint ?? "", /docs\/limits\.md/);
        return true;
      },
    );
  });

  test("aliases below the limit expand as written", () => {
    // 2 * 3^4 = 162 values; the unknown root field proves the tree was built in full first.
    const error = (() => {
      try {
        parseReportSpec(bomb(4, 3), "small.yml", {});
      } catch (e) {
        return e as ReportError;
      }
      assert.fail("expected an error");
    })();
    // Every unknown root field is reported (all problems in one pass), the first at line 3.
    assert.match(
      error.message,
      /^small\.yml: 5 problems[\s\S]*\nsmall\.yml:3:1: a0: unknown field 'a0'/,
    );
  });

  test("a list that contains itself is a located error, not a stack overflow", () => {
    for (const text of [
      "title: x\nsource: data.csv\nsections: &s [profile: all, *s]\n",
      "title: x\nsource: data.csv\nsections:\n  - &m { profile: all, again: *m }\n",
    ]) {
      assert.throws(
        () => parseReportSpec(text, "self.yml", {}),
        (error: unknown) => {
          assert.ok(error instanceof ReportError, String(error));
          assert.match(error.message, /^self\.yml:\d+:\d+: sections/);
          assert.match(error.message, /refers to a value that contains it/);
          return true;
        },
      );
    }
  });

  test("docs/limits.md states the alias limit", async () => {
    const docs = await readFile("docs/limits.md", "utf8");
    const section = docs.slice(docs.indexOf("## Definition files"));
    assert.ok(section.startsWith("## Definition files"));
    assert.ok(section.includes(MAX_ALIAS_VALUES.toLocaleString("en-US")));
  });

  test("an ordinary alias reuses the anchored value", () => {
    const spec = parseReportSpec(
      "title: &t Sales\ndescription: *t\nsource: data.csv\nsections: [profile: all]\n",
      "ok.yml",
      {},
    );
    assert.equal(spec.description, "Sales");
  });
});

describe("a value from the environment never reaches a message", () => {
  const SECRET = "sk_live_51HxQ9aZ7";
  const env = { COL: SECRET, SHORT: "5", PREFIX: "acme" };
  // region (text), revenue (number), day (date): what the definitions below run against.
  const table = new Table({
    region: dictionaryVector(["East", "West", "East"]),
    revenue: vectorFromArray([1, 2, 3], new Float64()),
    day: vectorFromArray([19000, 19001, 19002], new DateDay()),
  });
  const head = "title: x\nsource: data.csv\n";
  const cases: [what: string, yaml: string, expected: RegExp][] = [
    [
      "a group key",
      "queries:\n  q: { group_by: ['${COL}'], measures: { n: count() } }\nsections: [profile: all]\n",
      /^leak\.yml:4:\d+: queries\.q\.group_by\[0\]: column '\$\{COL\}' not found/,
    ],
    [
      "a measure's column",
      "queries:\n  q: { measures: { s: 'sum(${COL})' } }\nsections: [profile: all]\n",
      /^leak\.yml:4:\d+: queries\.q\.measures\.s: column '\$\{COL\}' not found/,
    ],
    [
      "a filter's column",
      "queries:\n  q: { measures: { n: count() }, filter: \"${COL} = 'x'\" }\nsections: [profile: all]\n",
      /^leak\.yml:4:\d+: queries\.q\.filter: unknown column '\$\{COL\}'/,
    ],
    [
      "a column named with a prefix",
      "queries:\n  q: { group_by: ['${PREFIX}_region'], measures: { n: count() } }\nsections: [profile: all]\n",
      /column '\$\{PREFIX\}_region' not found/,
    ],
    [
      "a profile column",
      "sections:\n  - profile: [region, '${COL}']\n",
      /^leak\.yml:4:\d+: sections\[0\]\.profile\[1\]: column '\$\{COL\}' not found/,
    ],
    [
      "a histogram column",
      "sections:\n  - histogram: { title: h, column: '${COL}' }\n",
      /^leak\.yml:4:\d+: sections\[0\]\.histogram\.column: column '\$\{COL\}' not found/,
    ],
    [
      "a KPI's comparison column",
      "sections:\n  - kpis: [{ label: n, value: count(), compare: { column: '${COL}', period: month } }]\n",
      /column '\$\{COL\}' not found/,
    ],
    [
      "a number compared with a text column, a short value as a whole word",
      "queries:\n  q: { measures: { n: count() }, filter: 'region = ${SHORT}' }\nsections: [profile: all]\n",
      /queries\.q\.filter: cannot compare text 'region' with an integer using =/,
    ],
  ];
  for (const [what, yaml, expected] of cases) {
    test(what, () => {
      const spec = parseReportSpec(head + yaml, "leak.yml", env);
      assert.throws(
        () => summarize(table, spec),
        (error: unknown) => {
          assert.ok(error instanceof ReportError, String(error));
          const text = `${error.message}\n${error.hint ?? ""}`;
          assert.match(error.message, expected);
          assert.ok(!text.includes(SECRET), text);
          assert.ok(!text.includes("acme"), text);
          if (what.includes("short")) assert.doesNotMatch(error.hint ?? "", /= '5'/);
          return true;
        },
      );
    });
  }

  test("a definition error about a substituted field shows ${VAR}", () => {
    assert.throws(
      () =>
        parseReportSpec(
          `${head}queries:\n  q: { group_by: [region, '\${COL}', '\${COL}'] }\nsections: [profile: all]\n`,
          "leak.yml",
          env,
        ),
      (error: unknown) => {
        assert.ok(error instanceof ReportError, String(error));
        assert.match(error.message, /the name '\$\{COL\}' is used twice/);
        assert.ok(!`${error.message}${error.hint}`.includes(SECRET));
        return true;
      },
    );
  });

  test("hideEnvValues: long values anywhere, short ones only as whole words", () => {
    const inserted = [
      { name: "KEY", value: "abcdefgh12" },
      { name: "N", value: "5" },
    ];
    assert.equal(hideEnvValues("xabcdefgh12y and 5 but q5", inserted), "x${KEY}y and ${N} but q5");
    assert.equal(hideEnvValues("5_5 (5)", [inserted[1]]), "${N}_${N} (${N})");
    assert.equal(hideEnvValues("nothing here", inserted), "nothing here");
  });
});
