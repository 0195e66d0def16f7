// The Athena engine against the Athena test server (test/servers/athena.ts: Athena's JSON
// protocol with SigV4, statements executed on DuckDB) and the S3 test server. The sample report
// (report/report.yml over report/data/orders.csv) is summarized by both engines and compared:
// exact figures equal, estimated ones within Athena's stated error, checked against the data
// itself. Every statement the engine sends is parsed by an independent parser (dt-sql-parser's
// ANTLR grammars: Trino for SELECT, Hive for Athena's DDL); hostile column names and values
// stay whole identifiers and literals, as the parser's own tokens show.
// Then paging, a failed query, cancellation, the scan limit, and each error in the user's words.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadReportSpec } from "../src/config/index.ts";
import type { AthenaSpec, ReportSpec } from "../src/config/spec.ts";
import { openAthenaSession } from "../src/engine/athena/client.ts";
import { type AthenaRun, summarizeInAthena } from "../src/engine/athena/index.ts";
import { ReportError } from "../src/errors.ts";
import { readTable } from "../src/read/index.ts";
import { openLocalFile } from "../src/source/open.ts";
import { summarize } from "../src/summarize/index.ts";
import { quantileSorted } from "../src/summarize/quantiles.ts";
import type { ColumnProfile, Summary } from "../src/summarize/summary.ts";
import { parseIso } from "../src/time-buckets.ts";
import { ROOT, runCli } from "./helpers/cli.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";
import { type AthenaTestServer, startAthenaServer } from "./servers/athena.ts";
import { KeyRegistry } from "./servers/aws-keys.ts";
import { type S3TestServer, startS3Server } from "./servers/s3.ts";

/** dt-sql-parser's dialects, as far as these tests use them. */
interface Dialect {
  validate(sql: string): { message: string }[];
  getAllTokens(sql: string): { type: number; text: string }[];
}
// Loaded once per file, through require: its ESM entry uses directory imports Node refuses.
const requireCjs = createRequire(import.meta.url);
const { TrinoSQL } = requireCjs("dt-sql-parser/dist/parser/trino/index.js") as {
  TrinoSQL: new () => Dialect;
};
const { HiveSQL } = requireCjs("dt-sql-parser/dist/parser/hive/index.js") as {
  HiveSQL: new () => Dialect;
};
const { TrinoSqlLexer } = requireCjs("dt-sql-parser/dist/lib/trino/TrinoSqlLexer.js") as {
  TrinoSqlLexer: { QUOTED_IDENTIFIER: number; STRING: number };
};
const trino = new TrinoSQL();
const hive = new HiveSQL();

/** Asserts that `sql` parses in `dialect` without a syntax error. */
function assertParses(dialect: Dialect, sql: string): void {
  assert.deepEqual(
    dialect.validate(sql).map((e) => e.message),
    [],
    sql,
  );
}

/** Trino's approx_distinct: standard error 2.3%; three of them bound an estimate. */
const DISTINCT_ERROR = 3 * 0.023;
/** approx_percentile's rank error (Trino's default accuracy), as a share of the rows. */
const RANK_ERROR = 0.01;
const NOW = new Date("2026-12-02T00:00:00Z");
const ORDERS = join(ROOT, "report/data/orders.csv");
/** Another object in the sample's folder: the temporary table scans it, its rows are left out. */
const OTHER_CSV = "not,the,data\n1,2,3\n";
const ROWS_PARQUET = join(ROOT, "test/input/read/generated/rows.parquet");

let registry: KeyRegistry;
let s3: S3TestServer;
let athena: AthenaTestServer;
let dir: string;
let env: Record<string, string>;

/** Hostile column names and values: quotes of both kinds, comment starts, semicolons. */
const HOSTILE = {
  name: 'say "hi"; --',
  quote: "it's'; DROP TABLE x; --",
  semi: "a;b",
};
const HOSTILE_CSV = [
  `"${HOSTILE.name.replaceAll('"', '""')}","${HOSTILE.quote}",amount`,
  `"${HOSTILE.quote}",x,1`,
  `"${HOSTILE.quote}",y,2`,
  `plain,x,4`,
  `"${HOSTILE.semi}",y,8`,
  `"--",x,16`,
].join("\n");

before(async () => {
  registry = new KeyRegistry();
  registry.addStatic("AKIDATHENATEST", "athena-test-secret");
  s3 = await startS3Server({ registry });
  s3.putObject("data", "sales/orders.csv", await readFile(ORDERS));
  s3.putObject("data", "sales/other.csv", OTHER_CSV);
  s3.putObject("data", "odd/hostile.csv", HOSTILE_CSV);
  s3.putObject("data", "pq/rows.parquet", await readFile(ROWS_PARQUET));
  s3.createBucket("results");
  athena = await startAthenaServer({ registry, s3 });
  await athena.presetTable("shop", "hostile", { bucket: "data", prefix: "odd/", format: "csv" });
  dir = await mkdtemp(join(tmpdir(), "athena-test-"));
  env = {
    AWS_ACCESS_KEY_ID: "AKIDATHENATEST",
    AWS_SECRET_ACCESS_KEY: "athena-test-secret",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_ENDPOINT_URL_ATHENA: athena.url,
    AWS_BUCKET_NAME: "data",
    AWS_S3_FILEPATH: "sales/orders.csv",
  };
});

after(async () => {
  await athena?.close();
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let definitions = 0;
/** A definition file: `yaml` as given; returns its parsed spec. */
async function definition(yaml: string): Promise<ReportSpec & { athena: AthenaSpec }> {
  const file = join(dir, `def-${definitions++}.yml`);
  await writeFile(file, yaml);
  const spec = await loadReportSpec(file, env);
  assert.ok(spec.athena, "the definition has an athena: block");
  return spec as ReportSpec & { athena: AthenaSpec };
}

const ATHENA_BLOCK = `engine: athena
athena: { workgroup: primary, database: sales, output_location: "s3://results/runs/" }
`;

/** A definition over the hostile Glue table. */
function hostileDefinition(extra = ""): Promise<ReportSpec & { athena: AthenaSpec }> {
  return definition(`title: Hostile
source: { s3: { bucket: data, key: odd/hostile.csv } }
engine: athena
athena: { database: shop, table: hostile, output_location: "s3://results/runs/" }
queries:
  by_name:
    group_by: [${JSON.stringify(`"${HOSTILE.name.replaceAll('"', '""')}"`)}]
    measures: { total: sum(amount), n: count() }
    filter: [${JSON.stringify(`"${HOSTILE.name.replaceAll('"', '""')}" in ('${HOSTILE.quote.replaceAll("'", "''")}', 'plain', '--')`)}]
sections:
  - table: { query: by_name }
  - profile: all
${extra}`);
}

function run(
  spec: ReportSpec & { athena: AthenaSpec },
  options: { signal?: AbortSignal } = {},
): Promise<AthenaRun & { lines: string[] }> {
  const effects = recordingEffects({ env, now: () => NOW });
  return summarizeInAthena(spec, effects, { now: NOW, pollMs: 2, ...options }).then((r) => ({
    ...r,
    lines: effects.lines,
  }));
}

/** Rejects with a ReportError whose message matches `message` (and hint, when given). */
async function rejectsWith(promise: Promise<unknown>, message: RegExp, hint?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ReportError, String(error));
    assert.match(error.message, message);
    if (hint) assert.match(error.hint ?? "", hint);
    return true;
  });
}

/** Quoted identifiers and string literals of a Trino statement, unescaped, in text order. */
function namesAndLiterals(sql: string): { identifiers: string[]; literals: string[] } {
  const identifiers: string[] = [];
  const literals: string[] = [];
  for (const { type, text } of trino.getAllTokens(sql)) {
    if (type === TrinoSqlLexer.QUOTED_IDENTIFIER)
      identifiers.push(text.slice(1, -1).replaceAll('""', '"'));
    if (type === TrinoSqlLexer.STRING) literals.push(text.slice(1, -1).replaceAll("''", "'"));
  }
  return { identifiers, literals };
}

const isSelect = (sql: string) => /^\s*SELECT\b/i.test(sql);

describe("the sample report in Athena", () => {
  let spec: ReportSpec & { athena: AthenaSpec };
  let athenaRun: AthenaRun & { lines: string[] };
  let local: Summary;
  let values: Map<string, Float64Array>;

  before(async () => {
    const yaml = await readFile(join(ROOT, "report/report.yml"), "utf8");
    // One more query: top groups with the rest folded into an "Other" row (null keys included).
    const withOther = yaml.replace(
      "queries:\n",
      "queries:\n  top_pairs:\n    group_by: [country, channel]\n    measures: { revenue: sum(revenue), orders: count(), customers: count_distinct(customer_id), average: mean(revenue) }\n    limit: 5\n    other: true\n",
    );
    assert.notEqual(withOther, yaml);
    spec = await definition(`${withOther}\n${ATHENA_BLOCK}`);
    athenaRun = await run(spec);
    const table = await readTable(await openLocalFile(ORDERS), {
      csv: spec.source.csv,
      log: recordingEffects().log,
      limits: spec.limits,
    });
    local = summarize(table, spec, { now: NOW });
    // Each numeric column's values, straight from the table, for the estimates' checks.
    values = new Map();
    for (const field of table.schema.fields) {
      const column = table.getChild(field.name);
      const list: number[] = [];
      for (const v of column ?? []) {
        if (v === null) continue;
        const n = typeof v === "bigint" ? Number(v) : v instanceof Date ? v.getTime() : Number(v);
        if (Number.isFinite(n)) list.push(n);
      }
      values.set(field.name, Float64Array.from(list).sort());
    }
  });

  test("queries, KPIs, alerts and row count equal the local engine's", () => {
    const a = athenaRun.summary;
    assert.equal(a.rows, local.rows);
    assert.deepEqual(Object.keys(a.queries), Object.keys(local.queries));
    for (const [name, result] of Object.entries(local.queries)) {
      assert.deepEqual(a.queries[name].columns, result.columns, name);
      assert.equal(a.queries[name].rows.length, result.rows.length, name);
      result.rows.forEach((row, i) => {
        for (const [key, cell] of Object.entries(row)) {
          const got = a.queries[name].rows[i][key];
          // Sums of floats differ in the last bits: the engines add in different orders.
          if (typeof cell === "number" && !Number.isInteger(cell))
            assert.ok(
              Math.abs((got as number) - cell) <= 1e-9 * Math.abs(cell),
              `${name}[${i}].${key}`,
            );
          else assert.equal(got, cell, `${name}[${i}].${key}`);
        }
      });
    }
    assert.deepEqual(roundFloats(a.kpis), roundFloats(local.kpis));
    assert.deepEqual(roundFloats(a.alerts), roundFloats(local.alerts));
    assert.ok(
      local.kpis.some((k) => k.comparison?.series !== undefined),
      "a sparkline is compared",
    );
  });

  test("profiles: exact figures equal, estimates marked and within Athena's stated error", () => {
    const a = athenaRun.summary;
    assert.equal(a.columns.length, local.columns.length);
    local.columns.forEach((expected, i) => {
      const got = a.columns[i];
      const name = expected.name;
      for (const field of [
        "name",
        "type",
        "count",
        "missing",
        "infinite",
        "zeros",
        "min",
        "max",
        "histogramUnit",
      ] as const)
        assert.deepEqual(got[field], expected[field], `${name}.${field}`);
      for (const field of ["mean", "std"] as const) {
        if (expected[field] === undefined) assert.equal(got[field], undefined);
        else
          assert.ok(
            Math.abs((got[field] as number) - (expected[field] as number)) <=
              1e-9 * Math.abs(expected[field] as number),
            `${name}.${field}`,
          );
      }
      assert.deepEqual(got.top, expected.top, `${name}.top`);
      if (expected.type === "boolean") assert.equal(got.distinct, expected.distinct);
      else {
        assert.ok(got.approximate?.includes("distinct"), `${name}: distinct is marked approximate`);
        assert.ok(
          Math.abs(got.distinct - expected.distinct) <= DISTINCT_ERROR * expected.distinct,
          `${name}.distinct`,
        );
      }
      if (expected.quantiles !== undefined) {
        assert.ok(got.approximate?.includes("quantiles"), `${name}: quantiles marked`);
        checkQuantiles(got, values.get(name) as Float64Array);
      }
      if (expected.histogram !== undefined)
        checkHistogram(got, expected, values.get(name) as Float64Array);
    });
  });

  /** Each estimated quantile lies between the exact ones RANK_ERROR either side of it. */
  function checkQuantiles(got: ColumnProfile, sorted: Float64Array) {
    const ms = (v: number | string) => (typeof v === "number" ? v : (parseIso(v) as number));
    const day = got.type === "date" ? 86_400_000 : 0;
    for (const [key, p] of [
      ["p5", 0.05],
      ["p25", 0.25],
      ["p50", 0.5],
      ["p75", 0.75],
      ["p95", 0.95],
    ] as const) {
      const v = ms(got.quantiles?.[key] as number | string);
      const lo = quantileSorted(sorted, Math.max(0, p - RANK_ERROR));
      const hi = quantileSorted(sorted, Math.min(1, p + RANK_ERROR));
      // Dates are floored to the day, as the local engine floors its own.
      assert.ok(v >= lo - day && v <= hi, `${got.name}.${key} = ${v} outside [${lo}, ${hi}]`);
    }
  }

  /** The bins count exactly the values between their edges; exact edges equal the local ones. */
  function checkHistogram(got: ColumnProfile, expected: ColumnProfile, sorted: Float64Array) {
    const bins = got.histogram ?? [];
    if (got.histogramUnit !== undefined) {
      assert.deepEqual(bins, expected.histogram, `${got.name}: calendar bins are exact`);
      return;
    }
    if (!got.approximate?.includes("histogram")) {
      assert.deepEqual(bins, expected.histogram, `${got.name}: bins from exact figures`);
      assert.equal(got.histogramBelow, expected.histogramBelow);
      assert.equal(got.histogramAbove, expected.histogramAbove);
      return;
    }
    const halfOpen = got.type === "integer" && got.histogramScale === "linear";
    bins.forEach((bin, k) => {
      const start = Number(bin.start);
      const end = Number(bin.end);
      const last = k === bins.length - 1 && !halfOpen;
      const count = sorted.filter((v) => v >= start && (last ? v <= end : v < end)).length;
      assert.equal(bin.count, count, `${got.name} bin [${start}, ${end})`);
    });
    const total = bins.reduce((n, b) => n + b.count, 0);
    assert.equal(total + (got.histogramBelow ?? 0) + (got.histogramAbove ?? 0), got.count);
  }

  test("summary.json keeps its schema, the estimates marked", () => {
    assertValidSummary({
      $schema: "connect-s3-report/schema/summary.schema.json",
      version: 1,
      builtAt: NOW.toISOString(),
      report: { title: spec.title },
      data: { label: athenaRun.source.label },
      ...athenaRun.summary,
    });
  });

  test("the profile takes four statements; each SELECT parses as Athena SQL", async () => {
    const profile = athena.executions.filter((e) =>
      /^(SELECT count\(\*\) AS "rows"|SELECT sum\(\("x|SELECT "c", "v", "n"|SELECT coalesce)/.test(
        e.sql,
      ),
    );
    assert.equal(profile.length, 4, profile.map((e) => e.sql.slice(0, 40)).join("\n"));
    // Each reads the table once, the top values of all eight text columns too (grouping sets).
    const tableBytes = (await readFile(ORDERS)).length + OTHER_CSV.length;
    assert.deepEqual(
      profile.map((e) => e.scanned),
      [tableBytes, tableBytes, tableBytes, tableBytes],
    );
    assert.equal(local.columns.filter((c) => c.type === "string").length, 8);
    const selects = athenaRun.statements.filter(isSelect);
    assert.ok(selects.length >= 14);
    for (const sql of selects) assertParses(trino, sql);
    // Athena's DDL is Hive's: the CREATE and the DROP parse as Hive; the names are c1, c2, ….
    const ddl = athenaRun.statements.filter((s) => !isSelect(s));
    assert.equal(ddl.length, 2, ddl.join("\n"));
    for (const sql of ddl) assertParses(hive, sql);
    const create = athenaRun.statements.find((s) => s.startsWith("CREATE EXTERNAL TABLE"));
    assert.match(
      create ?? "",
      /^CREATE EXTERNAL TABLE `sales`\.`connect_s3_report_tmp_[0-9a-f]{12}` \(`c1` string, `c2` string,/,
    );
    assert.match(
      create ?? "",
      /LOCATION 's3:\/\/data\/sales\/' TBLPROPERTIES \('skip\.header\.line\.count' = '1'\)$/,
    );
  });

  test("a key source reads its own object only, and the temporary table is dropped", () => {
    // sales/other.csv shares the folder; had it been read, its rows would count too.
    assert.equal(athenaRun.summary.rows, local.rows);
    assert.ok(!athenaRun.summary.columns[0].top?.some((t) => t.value === "not"));
    assert.match(
      athenaRun.statements.at(-1) ?? "",
      /^DROP TABLE IF EXISTS `sales`\.`connect_s3_report_tmp_/,
    );
    assert.deepEqual(
      athena.tables().filter((t) => t.startsWith("sales.")),
      [],
    );
  });

  test("the log shows each query's scanned bytes and time", () => {
    // One credential lookup serves the S3 sample and Athena (on Connect: one exchange).
    assert.equal(athenaRun.lines.filter((l) => l.startsWith("AWS credentials:")).length, 1);
    const line = athenaRun.lines.find((l) => /^athena +query by_region/.test(l));
    assert.match(line ?? "", /^athena +query by_region +6\.2 MB scanned +\d+ ms$/);
    const total = athena.executions
      .filter((e) => athenaRun.statements.includes(e.sql))
      .reduce((n, e) => n + e.scanned, 0);
    assert.equal(athenaRun.scannedBytes, total);
  });
});

describe("a Glue table with hostile names and values", () => {
  test("names and values stay whole identifiers and literals, and the results are right", async () => {
    const spec = await hostileDefinition();
    const start = athena.executions.length;
    const { summary, statements } = await run(spec);
    // Computed by hand from HOSTILE_CSV: the filter keeps the quote, plain and -- rows.
    assert.deepEqual(summary.queries.by_name.rows, [
      { [HOSTILE.name]: "--", total: 16, n: 1 },
      { [HOSTILE.name]: "plain", total: 4, n: 1 },
      { [HOSTILE.name]: HOSTILE.quote, total: 3, n: 2 },
    ]);
    assert.deepEqual(
      summary.columns.map((c) => c.name),
      [HOSTILE.name, HOSTILE.quote, "amount"],
    );
    // Every statement the server received is one the engine sent: none was split by a ";".
    assert.deepEqual(
      athena.executions.slice(start).map((e) => e.sql),
      statements,
    );
    const query = statements.find((s) => s.includes(" IN (")) as string;
    assertParses(trino, query);
    const { identifiers, literals } = namesAndLiterals(query);
    assert.ok(identifiers.includes(HOSTILE.name), identifiers.join(" | "));
    assert.ok(
      identifiers.every(
        (id) =>
          [HOSTILE.name, "amount", "shop", "hostile", "groups"].includes(id) || /^o\d$/.test(id),
      ),
      identifiers.join(" | "),
    );
    assert.deepEqual(
      literals.filter((l) => l !== "day"),
      [HOSTILE.quote, "plain", "--"],
    );
    // Across every statement, the names are the table's columns whole, or the engine's aliases.
    const columns = [HOSTILE.name, HOSTILE.quote, "amount"];
    const all: string[] = [];
    for (const sql of statements.filter(isSelect)) {
      assertParses(trino, sql);
      const found = namesAndLiterals(sql);
      for (const id of found.identifiers)
        assert.ok(columns.includes(id) || /^[a-z]+\d*(_\w+)?$/.test(id), `${id} in ${sql}`);
      all.push(...found.identifiers);
    }
    for (const name of columns) assert.ok(all.includes(name), name);
  });
});

describe("expressions", () => {
  test("derived columns, expression filters and measures equal the local engine's", async () => {
    const spec = await definition(`title: Expressions
source: { s3: { bucket: data, key: odd/hostile.csv } }
engine: athena
athena: { database: shop, table: hostile, output_location: "s3://results/runs/" }
columns:
  double_amount: "amount * 2"
  label: ${JSON.stringify(`"${HOSTILE.quote}" || '!'`)}
queries:
  by_label:
    group_by: [label]
    measures: { average: "sum(amount) / count()", big: "sum(case when amount > 2 then 1 else 0 end)", quarter: "sum(cast(amount as double) / 4)" }
    filter: ["double_amount > 2 or label = 'y!'"]
sections:
  - profile: all
`);
    const { summary, statements } = await run(spec);
    const file = join(dir, "hostile.csv");
    await writeFile(file, HOSTILE_CSV);
    const table = await readTable(await openLocalFile(file), {
      csv: spec.source.csv,
      log: recordingEffects().log,
      limits: spec.limits,
    });
    const local = summarize(table, spec, { now: NOW });
    assert.deepEqual(roundFloats(summary.queries), roundFloats(local.queries));
    assert.ok(local.queries.by_label.rows.length >= 2, "the filter keeps rows of both kinds");
    for (const name of ["double_amount", "label"]) {
      const got = summary.columns.find((c) => c.name === name);
      const expected = local.columns.find((c) => c.name === name);
      for (const field of ["type", "count", "missing", "min", "max", "mean", "top"] as const)
        assert.deepEqual(got?.[field], expected?.[field], `${name}.${field}`);
    }
    assert.ok(
      statements.some((s) => s.includes("TRY_CAST(")),
      "the cast is sent as TRY_CAST",
    );
    for (const sql of statements.filter(isSelect)) assertParses(trino, sql);
  });
});

describe("a Parquet prefix without a Glue table", () => {
  test("the footer's columns make the temporary table; the profile equals the local engine's", async () => {
    const spec = await definition(
      `title: Parquet\nsource: { s3: { bucket: data, prefix: pq/ } }\nsections: [{ profile: all }]\n${ATHENA_BLOCK}`,
    );
    const before = s3.requests.length;
    const { summary, statements } = await run(spec);
    const table = await readTable(await openLocalFile(ROWS_PARQUET), {
      csv: spec.source.csv,
      log: recordingEffects().log,
      limits: spec.limits,
    });
    const local = summarize(table, spec, { now: NOW });
    assert.equal(summary.rows, local.rows);
    assert.equal(summary.columns.length, local.columns.length);
    local.columns.forEach((expected, i) => {
      for (const field of [
        "name",
        "type",
        "count",
        "missing",
        "min",
        "max",
        "zeros",
        "top",
      ] as const)
        assert.deepEqual(summary.columns[i][field], expected[field], `${expected.name}.${field}`);
    });
    assert.match(
      statements[0],
      /^CREATE EXTERNAL TABLE `sales`\.`connect_s3_report_tmp_[0-9a-f]{12}` \(`n` int, `half` double, `label` string\) STORED AS PARQUET LOCATION 's3:\/\/data\/pq\/'$/,
    );
    // Only the footer was read from the file: ranges from its end, never the whole object.
    const gets = s3.requests.slice(before).filter((r) => r.action === "GetObject");
    assert.ok(
      gets.length >= 1 && gets.every((r) => r.range?.startsWith("bytes=-")),
      JSON.stringify(gets),
    );
  });
});

describe("execution", () => {
  test("results are read page by page", async () => {
    const spec = await hostileDefinition();
    const effects = recordingEffects({ env, now: () => NOW });
    const session = await openAthenaSession(spec, spec.athena, effects, { pollMs: 2, pageSize: 2 });
    const before = athena.requests.filter((r) => r.action === "GetQueryResults").length;
    const result = await session.run(
      'SELECT "amount" FROM "shop"."hostile" ORDER BY "amount"',
      "paging",
    );
    assert.deepEqual(result.rows, [["1"], ["2"], ["4"], ["8"], ["16"]]);
    // Six rows with the header: three pages of two.
    assert.equal(athena.requests.filter((r) => r.action === "GetQueryResults").length - before, 3);
  });

  test("a failed query stops the build with Athena's reason", async () => {
    const spec = await hostileDefinition();
    athena.injectFaults([
      {
        kind: "fail",
        match: /count\(\*\) AS "rows"/,
        reason: "HIVE_BAD_DATA: Error parsing field value 'x' for field 2",
      },
    ]);
    await rejectsWith(
      run(spec),
      /^Athena could not run profile statistics: HIVE_BAD_DATA: Error parsing field value 'x' for field 2$/,
    );
  });

  test("stopping the build cancels the running query", async () => {
    const spec = await hostileDefinition();
    athena.injectFaults([{ kind: "slow", match: /LIMIT 0$/ }]);
    const controller = new AbortController();
    const running = run(spec, { signal: controller.signal });
    while (!athena.executions.some((e) => /LIMIT 0$/.test(e.sql) && e.state === "RUNNING"))
      await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await rejectsWith(
      running,
      /^The build was stopped; the Athena query table schema was cancelled\.$/,
    );
    const stopped = athena.executions.filter((e) => /LIMIT 0$/.test(e.sql)).at(-1);
    assert.equal(stopped?.state, "CANCELLED");
    assert.ok(athena.requests.some((r) => r.action === "StopQueryExecution" && r.status === 200));
  });

  test("max_scanned_bytes stops the build before the next query", async () => {
    const spec = await hostileDefinition();
    spec.limits.max_scanned_bytes = 50; // the table is 139 bytes: the first full scan passes it
    assert.equal(Buffer.byteLength(HOSTILE_CSV), 139);
    const start = athena.executions.length;
    await rejectsWith(
      run(spec),
      /^Athena has scanned 139 bytes for this build, past max_scanned_bytes \(50 bytes\): stopped before profile statistics\.$/,
      /max_scanned_bytes: 200 \}.*CONNECT_S3_REPORT_MAX_SCANNED_BYTES=200/,
    );
    // The schema (0 bytes) and one query ran; nothing after the limit was passed.
    assert.equal(athena.executions.length - start, 2);
  });

  test("a build that fails after creating its temporary table still drops it", async () => {
    const spec = await definition(
      `title: t\nsource: { s3: { bucket: data, key: odd/hostile.csv } }\nsections: [{ profile: all }]\n${ATHENA_BLOCK}`,
    );
    const tmp = () => athena.tables().filter((t) => t.startsWith("sales.connect_s3_report_tmp_"));
    // A failed query, Ctrl-C during a query, and the scan limit: each ends the build after the
    // CREATE; the DROP is sent all the same, and succeeds.
    const endings: [string, () => Promise<unknown>, RegExp][] = [
      [
        "failed",
        () => {
          athena.injectFaults([{ kind: "fail", match: /count\(\*\) AS "rows"/, reason: "boom" }]);
          return run(spec);
        },
        /^Athena could not run profile statistics: boom$/,
      ],
      [
        "stopped",
        async () => {
          athena.injectFaults([{ kind: "slow", match: /count\(\*\) AS "rows"/ }]);
          const controller = new AbortController();
          const running = run(spec, { signal: controller.signal });
          const slow = (e: { sql: string; state: string }) =>
            /count\(\*\) AS "rows"/.test(e.sql) && e.state === "RUNNING";
          while (!athena.executions.some(slow)) await new Promise((r) => setImmediate(r));
          controller.abort();
          return running;
        },
        /^The build was stopped; the Athena query profile statistics was cancelled\.$/,
      ],
      [
        "over the scan limit",
        () => run({ ...spec, limits: { ...spec.limits, max_scanned_bytes: 50 } }),
        /past max_scanned_bytes \(50 bytes\): stopped before profile histograms\.$/,
      ],
    ];
    for (const [ending, build, message] of endings) {
      const start = athena.executions.length;
      await rejectsWith(build(), message);
      const sent = athena.executions.slice(start);
      const created = sent[0]?.sql.match(/^CREATE EXTERNAL TABLE (`sales`\.`\w+`)/)?.[1];
      assert.ok(created, `${ending}: ${sent[0]?.sql}`);
      const last = sent.at(-1);
      assert.equal(last?.sql, `DROP TABLE IF EXISTS ${created}`, ending);
      assert.equal(last?.state, "SUCCEEDED", ending);
      assert.deepEqual(tmp(), [], ending);
    }
  });

  test("a statement past athena.timeout_seconds is stopped, and the error says what to do", async () => {
    const spec = await hostileDefinition();
    // The field takes whole seconds; a fraction here keeps the test fast.
    spec.athena.timeoutSeconds = 0.02;
    athena.injectFaults([{ kind: "slow", match: /LIMIT 0$/ }]);
    const stops = () => athena.requests.filter((r) => r.action === "StopQueryExecution").length;
    const before = stops();
    await rejectsWith(
      run(spec),
      /^Athena table schema ran longer than athena\.timeout_seconds \(0\.02 s\) and was stopped\.$/,
      /Narrow the query.*athena: \{ timeout_seconds: 60 \}/,
    );
    assert.equal(stops() - before, 1);
    assert.equal(athena.executions.at(-1)?.state, "CANCELLED");
    assert.match(athena.executions.at(-1)?.sql ?? "", /LIMIT 0$/);
  });

  test("athena.timeout_seconds is read from the definition, in range", async () => {
    const load = async (value: string) => {
      const file = join(dir, `timeout-${definitions++}.yml`);
      await writeFile(
        file,
        `title: t\nsource: data.csv\nsections: [{ profile: all }]\nengine: athena\nathena: { database: d, timeout_seconds: ${value} }\n`,
      );
      return loadReportSpec(file, {});
    };
    assert.equal((await load("90")).athena?.timeoutSeconds, 90);
    await rejectsWith(
      load("0"),
      /:5:\d+: athena\.timeout_seconds: 0 is out of range; use 1 to 86400$/,
    );
  });

  test("athena.max_scanned_bytes sets the limit; the environment overrides it", async () => {
    const yaml = `title: t\nsource: data.csv\nsections: [{ profile: all }]\nengine: athena\nathena: { database: d, max_scanned_bytes: 1000 }\n`;
    const file = join(dir, "limit.yml");
    await writeFile(file, yaml);
    assert.equal((await loadReportSpec(file, {})).limits.max_scanned_bytes, 1000);
    const fromEnv = await loadReportSpec(file, { CONNECT_S3_REPORT_MAX_SCANNED_BYTES: "7" });
    assert.equal(fromEnv.limits.max_scanned_bytes, 7);
  });
});

describe("errors in the user's words", () => {
  test("a table that does not exist", async () => {
    const spec = await definition(
      `title: t\nsource: { s3: { bucket: data, key: odd/hostile.csv } }\nsections: [{ profile: all }]\nengine: athena\nathena: { database: shop, table: nope, output_location: "s3://results/x/" }\n`,
    );
    await rejectsWith(
      run(spec),
      /def-\d+\.yml:5:\d+: athena\.table: the table awsdatacatalog\.shop\.nope does not exist in Athena's catalog\.$/,
      /Check athena\.database and athena\.table/,
    );
  });

  const deny = (action: string) => {
    athena.allow = (r) => r.action !== action;
  };
  const cases: [string, RegExp, RegExp][] = [
    [
      "athena:StartQueryExecution",
      /^Permission denied: the role may not athena:StartQueryExecution on arn:aws:athena:us-east-1:123456789012:workgroup\/primary \(Athena; table schema\)\.$/,
      /Add athena:StartQueryExecution to the role's policy/,
    ],
    [
      "glue:GetTable",
      /^Permission denied: the role may not glue:GetTable on arn:aws:glue:us-east-1:123456789012:table\/shop\/hostile \(the Glue catalog; table schema\)\.$/,
      /Add glue:GetTable/,
    ],
    [
      "s3:PutObject",
      /^Athena could not write the results of table schema to s3:\/\/results\/runs\/[0-9a-f-]+\.csv: access denied \(s3:PutObject\)\.$/,
      /set athena\.output_location/,
    ],
  ];
  for (const [action, message, hint] of cases) {
    test(`permission denied: ${action}`, async () => {
      const spec = await hostileDefinition();
      deny(action);
      try {
        await rejectsWith(run(spec), message, hint);
      } finally {
        athena.allow = () => true;
      }
    });
  }

  test("permission denied on the data bucket", async () => {
    const spec = await hostileDefinition();
    deny("s3:GetObject");
    try {
      await rejectsWith(
        run({ ...spec, athena: spec.athena }),
        /^Athena could not read the data at s3:\/\/data\/odd\/hostile\.csv \(table schema\): access denied\.$/,
        /Allow s3:GetObject and s3:ListBucket on the data bucket/,
      );
    } finally {
      athena.allow = () => true;
    }
  });

  test("the workgroup's limit of queries", async () => {
    const spec = await hostileDefinition();
    // The SDK retries throttling three times; the fourth answer is the one the user sees.
    athena.injectFaults([{ kind: "throttle", times: 4 }]);
    await rejectsWith(
      run(spec),
      /^Athena's workgroup 'primary' is at its limit of queries running at once \(table schema\)\.$/,
      /Active DML queries/,
    );
  });

  test("a workgroup that does not exist, and one without a result location", async () => {
    const spec = await hostileDefinition();
    await rejectsWith(
      run({ ...spec, athena: { ...spec.athena, workgroup: "nightly" } }),
      /athena\.workgroup: Athena has no workgroup 'nightly'\.$/,
    );
    const { outputLocation: _, ...noOutput } = spec.athena;
    await rejectsWith(
      run({ ...spec, athena: noOutput }),
      /athena: the workgroup 'primary' has no query result location, and the definition names none\.$/,
      /output_location: s3:\/\/bucket\/prefix\//,
    );
  });

  test("a misspelt column fails as the local engine fails, before Athena runs it", async () => {
    const spec = await hostileDefinition("  - histogram: { title: h, column: amuont }\n");
    await rejectsWith(
      run(spec),
      /sections\[2\]\.histogram\.column: column 'amuont' not found; did you mean 'amount'\?/,
    );
  });

  test("a query with other folds the groups past its limit into one row", async () => {
    const spec = await hostileDefinition();
    spec.queries.by_name = { ...spec.queries.by_name, limit: 1, other: "Other" };
    const { summary } = await run(spec);
    // By hand from HOSTILE_CSV: "--" (16) is kept; plain (4) and the quote rows (1 + 2) fold.
    assert.deepEqual(summary.queries.by_name.rows, [
      { [HOSTILE.name]: "--", total: 16, n: 1 },
      { [HOSTILE.name]: "Other", total: 7, n: 3 },
    ]);
  });

  test("definitions: athena without engine, engine without athena, a bad Glue name", async () => {
    const base = "title: t\nsource: data.csv\nsections: [{ profile: all }]\n";
    const load = async (extra: string) => {
      const file = join(dir, `bad-${definitions++}.yml`);
      await writeFile(file, base + extra);
      return loadReportSpec(file, {});
    };
    await rejectsWith(
      load("athena: { database: d }\n"),
      /:4:9: athena: the engine is local, so this block would not be used$/,
      /engine: athena/,
    );
    await rejectsWith(
      load("engine: athena\n"),
      /:4:9: engine: the Athena engine needs an athena: block/,
      /workgroup: primary/,
    );
    await rejectsWith(
      load('engine: athena\nathena: { database: "sales-2024" }\n'),
      /athena\.database: 'sales-2024' is not a Glue database name$/,
      /letters, digits and underscores/,
    );
  });
});

describe("the build", () => {
  test("a build with engine: athena runs in Athena and marks the estimates with ≈", async () => {
    const file = join(dir, "build.yml");
    await writeFile(
      file,
      `title: Hostile build\nsource: { s3: { bucket: data, key: odd/hostile.csv } }\nengine: athena\nathena: { database: shop, table: hostile, output_location: "s3://results/b/" }\nsections:\n  - profile: all\n`,
    );
    const out = join(dir, "out-build");
    const result = await runCli(["build", file, "--out", out], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^athena +\d+ statements, [\d,]+ bytes scanned/m);
    assert.doesNotMatch(result.stderr, /^read /m);
    const summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    assertValidSummary(summary);
    assert.equal(summary.data.label, "athena:AwsDataCatalog.shop.hostile");
    const amount = summary.columns.find((c: ColumnProfile) => c.name === "amount");
    // Positive amounts: the log-or-linear choice was made on estimated percentiles.
    assert.deepEqual(amount.approximate, ["distinct", "quantiles", "histogram"]);
    // The page shows the estimated distinct count (5 amounts) and quantiles with "≈".
    const html = await readFile(join(out, "index.html"), "utf8");
    assert.match(html, /<dt>Distinct<\/dt><dd>≈\u20095<\/dd>/);
    assert.match(html, /<td>≈\u2009[\d.,]+<\/td>/);
  });
});

/** Floats rounded to 12 significant digits: the engines add in different orders. */
function roundFloats<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v,
    ),
  ) as T;
}
