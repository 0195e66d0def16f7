// The example reports in report/examples/, built in-process as they are checked in, with their
// figures computed again by DuckDB from the same CSV files: derived columns, `or` filters,
// top-N with "Other", KPIs (a ratio, a period comparison) written here in DuckDB's own SQL, not
// printed by src/expr, so a mistake in the evaluator or the definitions shows up as a
// difference. Also: the data files are what scripts/generate-examples.ts writes, each
// summary.json is valid, and the pages show the inline values, navigation and facet panels.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { seattleWeatherCsv, stocksCsv } from "../scripts/generate-examples.ts";
import { type BuildResult, build } from "../src/build.ts";
import { ROOT } from "./helpers/cli.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";

const EXAMPLES = join(ROOT, "report", "examples");
const WEATHER_CSV = join(EXAMPLES, "data", "seattle-weather.csv");
const STOCKS_CSV = join(EXAMPLES, "data", "stocks.csv");

type Row = Record<string, string | number | boolean | null>;

let instance: DuckDBInstance;
let db: DuckDBConnection;
let weather: BuildResult;
let stocks: BuildResult;
let out: string;

before(async () => {
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
  // The two files as DuckDB reads them, with the examples' derived columns in DuckDB's SQL.
  await db.run(`CREATE TABLE w AS SELECT *, temp_max - temp_min AS temp_range,
      year(date)::VARCHAR AS year, month(date) AS month,
      CASE WHEN month(date) IN (12, 1, 2) THEN 'Winter' WHEN month(date) IN (3, 4, 5) THEN 'Spring'
           WHEN month(date) IN (6, 7, 8) THEN 'Summer' ELSE 'Autumn' END AS season
    FROM read_csv('${WEATHER_CSV}', header = true, types = {'date': 'DATE'})`);
  await db.run(`CREATE TABLE s AS SELECT symbol, strptime(date, '%b %d %Y')::DATE AS date, price,
      year(strptime(date, '%b %d %Y'))::VARCHAR AS year
    FROM read_csv('${STOCKS_CSV}', header = true, types = {'date': 'VARCHAR'})`);
  out = await mkdtemp(join(tmpdir(), "examples-"));
  const effects = () => recordingEffects({ now: () => new Date("2026-01-15T08:00:00Z") });
  [weather, stocks] = await Promise.all([
    build(
      { definition: join(EXAMPLES, "seattle-weather.yml"), outDir: join(out, "weather") },
      effects(),
    ),
    build({ definition: join(EXAMPLES, "stocks.yml"), outDir: join(out, "stocks") }, effects()),
  ]);
});

after(() => {
  db?.closeSync();
});

/** DuckDB's answer to `sql`, each cell a plain number, text, boolean or null. */
async function duck(sql: string): Promise<Row[]> {
  const reader = await db.runAndReadAll(sql);
  return reader
    .getRowObjectsJS()
    .map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [
          k,
          typeof v === "bigint" ? Number(v) : (v as string | number | boolean | null),
        ]),
      ),
    );
}

/** The rows of a query in summary.json, as plain records. */
function rowsOf(result: BuildResult, query: string): Row[] {
  const found = result.document.queries[query];
  assert.ok(found, `summary.json has query ${query}`);
  return found.rows as Row[];
}

/** Numbers equal to 1e-9 relative, everything else exactly, row by row and column by column. */
function assertRowsClose(actual: Row[], expected: Row[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: row count`);
  for (const [i, want] of expected.entries()) {
    assert.deepEqual(
      Object.keys(actual[i]).sort(),
      Object.keys(want).sort(),
      `${what}[${i}] columns`,
    );
    for (const [key, value] of Object.entries(want)) {
      const got = actual[i][key];
      if (typeof value === "number" && typeof got === "number") {
        const tolerance = 1e-9 * Math.max(1, Math.abs(value));
        assert.ok(
          Math.abs(got - value) <= tolerance,
          `${what}[${i}].${key}: ${got} vs DuckDB ${value}`,
        );
      } else {
        assert.equal(got, value, `${what}[${i}].${key}`);
      }
    }
  }
}

function kpi(result: BuildResult, label: string) {
  const found = result.document.kpis.find((k) => k.label === label);
  assert.ok(found, `summary.json has KPI ${label}`);
  return found;
}

/** A page of a build, as written. */
function page(dir: string, file: string): string {
  return readFileSync(join(out, dir, file), "utf8");
}

/** The HTML of the section whose heading is `title`, each run of white space one space. */
function sectionTitled(html: string, title: string): string {
  const start = html.indexOf(`>${title}</h2>`);
  assert.ok(start >= 0, `the page has a section titled ${title}`);
  return html.slice(start, html.indexOf("</section>", start)).replace(/\s+/g, " ");
}

const en = (value: number, options: Intl.NumberFormatOptions = {}) =>
  new Intl.NumberFormat("en-US", options).format(value);

describe("the example data", () => {
  it("is exactly what scripts/generate-examples.ts writes", () => {
    assert.equal(readFileSync(WEATHER_CSV, "utf8"), seattleWeatherCsv());
    assert.equal(readFileSync(STOCKS_CSV, "utf8"), stocksCsv());
  });

  it("has the shape of vega-datasets' files", async () => {
    const [w] = await duck(
      "SELECT count(*) AS n, count(DISTINCT weather) AS kinds, min(date)::VARCHAR AS first, max(date)::VARCHAR AS last FROM w",
    );
    assert.deepEqual(w, { n: 1827, kinds: 5, first: "2012-01-01", last: "2016-12-31" });
    const symbols = await duck("SELECT symbol, count(*) AS months FROM s GROUP BY 1 ORDER BY 1");
    assert.deepEqual(symbols, [
      { symbol: "AAPL", months: 123 },
      { symbol: "AMZN", months: 123 },
      { symbol: "GOOG", months: 68 },
      { symbol: "IBM", months: 123 },
      { symbol: "MSFT", months: 123 },
    ]);
  });
});

describe("the Seattle weather example", () => {
  it("writes a valid summary.json and three pages", () => {
    assertValidSummary(JSON.parse(page("weather", "summary.json")));
    assert.deepEqual(weather.pages, ["index.html", "seasons-and-years.html", "data-quality.html"]);
  });

  it("computes the KPIs, a ratio and a derived column's mean among them", async () => {
    const [want] = await duck(`SELECT count(*) AS days, avg((precipitation > 0)::INT) AS wet,
        sum(precipitation) / count(DISTINCT year) AS per_year, avg(temp_range) AS range,
        max(temp_max) AS warmest FROM w`);
    assertRowsClose(
      [
        {
          days: kpi(weather, "Days recorded").value,
          wet: kpi(weather, "Wet days").value,
          per_year: kpi(weather, "Precipitation per year").value,
          range: kpi(weather, "Mean daily range").value,
          warmest: kpi(weather, "Warmest day").value,
        } as Row,
      ],
      [want],
      "KPIs",
    );
  });

  it("folds all but the two commonest kinds of weather into one row", async () => {
    const want = await duck(`WITH ranked AS (
        SELECT weather, row_number() OVER (ORDER BY count(*) DESC) AS rank FROM w GROUP BY weather)
      SELECT CASE WHEN rank <= 2 THEN weather ELSE 'Fog, drizzle & snow' END AS weather,
        count(*) AS days, sum(precipitation) AS precipitation, avg(temp_max) AS mean_max
      FROM w JOIN ranked USING (weather) GROUP BY 1 ORDER BY min(rank)`);
    assert.equal(want.length, 3);
    assertRowsClose(rowsOf(weather, "by_weather"), want, "by_weather");
  });

  it("groups by derived columns: years, seasons in calendar order, months", async () => {
    assertRowsClose(
      rowsOf(weather, "by_year"),
      await duck(`SELECT year, sum(precipitation) AS precipitation,
          avg(CASE WHEN precipitation > 0 THEN 1.0 ELSE 0 END) AS wet_share,
          avg(temp_max) AS mean_max, max(temp_max) AS warmest FROM w GROUP BY year ORDER BY year`),
      "by_year",
    );
    assertRowsClose(
      rowsOf(weather, "season_year"),
      await duck(`SELECT CASE season WHEN 'Winter' THEN 1 WHEN 'Spring' THEN 2 WHEN 'Summer' THEN 3
            ELSE 4 END AS season_no, season, year, avg(temp_max) AS mean_max
          FROM w GROUP BY ALL ORDER BY season_no, year`),
      "season_year",
    );
    assertRowsClose(
      rowsOf(weather, "monthly_normals"),
      await duck(`SELECT month, avg(temp_min) AS mean_min, avg(temp_max) AS mean_max,
          avg((temp_max + temp_min) / 2) AS mean_temp, sum(precipitation) AS precipitation
          FROM w GROUP BY month ORDER BY month`),
      "monthly_normals",
    );
    assertRowsClose(
      rowsOf(weather, "month_year"),
      await duck(`SELECT year, month, sum(precipitation) AS precipitation,
          avg(temp_range) AS mean_range FROM w GROUP BY ALL ORDER BY year, month`),
      "month_year",
    );
  });

  it("filters with or, and, and parentheses", async () => {
    assertRowsClose(
      rowsOf(weather, "stay_in_days"),
      await duck(`SELECT season, count(*) AS days, sum(precipitation) AS precipitation,
          avg(wind) AS mean_wind FROM w WHERE precipitation >= 10 OR (wind >= 5 AND temp_max < 8)
          GROUP BY season ORDER BY days DESC`),
      "stay_in_days",
    );
    assertRowsClose(
      rowsOf(weather, "warm_wet"),
      await duck(`SELECT year, count(*) AS days FROM w
          WHERE month(date) BETWEEN 3 AND 8 AND weather IN ('rain', 'drizzle')
          GROUP BY year ORDER BY year`),
      "warm_wet",
    );
  });

  it("shows the figures in the Markdown, with the navigation and the facet panels", async () => {
    const index = page("weather", "index.html");
    const [top] = await duck(
      "SELECT weather, count(*) AS days FROM w GROUP BY 1 ORDER BY days DESC LIMIT 1",
    );
    const [warm] = await duck(
      "SELECT year, avg(temp_max) AS mean FROM w GROUP BY 1 ORDER BY mean DESC LIMIT 1",
    );
    const [wet] = await duck("SELECT avg((precipitation > 0)::INT) AS share FROM w");
    const text = sectionTitled(index, "In brief");
    assert.ok(
      text.includes(
        `<strong>${en(wet.share as number, { style: "percent", maximumFractionDigits: 1 })}</strong>`,
      ),
      "the wet-day share, as its KPI tile shows it",
    );
    assert.ok(text.includes(`<strong>${top.weather}</strong> (${en(top.days as number)} days)`));
    assert.ok(
      text.includes(
        `${warm.year} by its mean daily maximum (${en(warm.mean as number, { maximumFractionDigits: 2 })} °C)`,
      ),
      "the warmest year, from a query sorted by its mean",
    );
    assert.doesNotMatch(text, /\{\{/, "every placeholder is filled");
    for (const file of weather.pages ?? []) {
      const links = [
        ...page("weather", file).matchAll(/<a href="([^"]+)"( aria-current="page")?>/g),
      ]
        .filter((m) => weather.pages?.includes(m[1]))
        .map((m) => `${m[1]}${m[2] ? "*" : ""}`);
      assert.deepEqual(
        links.slice(0, 3),
        (weather.pages ?? []).map((p) => (p === file ? `${p}*` : p)),
        `${file}: the navigation marks its own page`,
      );
    }
    const facet = sectionTitled(
      page("weather", "seasons-and-years.html"),
      "Precipitation by month, one panel per year",
    );
    const years = (await duck("SELECT DISTINCT year FROM w ORDER BY 1")).map((r) => r.year);
    assert.ok(
      facet.includes(`in ${years.length} panels by year`),
      "the description counts the panels",
    );
    const labels = [...facet.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const year of years) assert.ok(labels.includes(String(year)), `a panel headed ${year}`);
  });
});

describe("the stocks example", () => {
  it("writes a valid summary.json and reads the declared Jan 1 2000 dates as dates", () => {
    assertValidSummary(JSON.parse(page("stocks", "summary.json")));
    const date = stocks.document.columns.find((c) => c.name === "date");
    assert.equal(date?.type, "date");
  });

  it("computes the KPIs: a filtered ratio and a month against the month before", async () => {
    const [want] = await duck(`SELECT count(DISTINCT symbol) AS symbols, count(*) AS prices,
        max(price) FILTER (symbol = 'AAPL') / min(price) FILTER (symbol = 'AAPL') AS aapl,
        avg(price) AS mean,
        avg(price) FILTER (date = DATE '2010-03-01') AS current,
        avg(price) FILTER (date = DATE '2010-02-01') AS previous FROM s`);
    const mean = kpi(stocks, "Mean price");
    assertRowsClose(
      [
        {
          symbols: kpi(stocks, "Symbols").value,
          prices: kpi(stocks, "Monthly prices").value,
          aapl: kpi(stocks, "AAPL high over low").value,
          mean: mean.value,
          current: mean.comparison?.currentValue ?? null,
          previous: mean.comparison?.previousValue ?? null,
        } as Row,
      ],
      [want],
      "KPIs",
    );
    assert.equal(mean.comparison?.current, "2010-03-01");
  });

  it("computes ratios per symbol, top three with the rest, eras and yearly means", async () => {
    assertRowsClose(
      rowsOf(stocks, "by_symbol"),
      await duck(`SELECT symbol, avg(price) AS mean_price, min(price) AS low, max(price) AS high,
          max(price) / min(price) AS high_over_low, count(*) AS months FROM s GROUP BY 1 ORDER BY mean_price DESC`),
      "by_symbol",
    );
    assertRowsClose(
      rowsOf(stocks, "top_by_price"),
      await duck(`WITH ranked AS (
          SELECT symbol, row_number() OVER (ORDER BY avg(price) DESC) AS rank FROM s GROUP BY symbol)
        SELECT CASE WHEN rank <= 3 THEN symbol ELSE 'Other symbols' END AS symbol,
          avg(price) AS mean_price, count(*) AS months
        FROM s JOIN ranked USING (symbol) GROUP BY 1 ORDER BY min(rank)`),
      "top_by_price",
    );
    assertRowsClose(
      rowsOf(stocks, "by_era"),
      await duck(`SELECT CASE WHEN year(date) <= 2002 THEN '1 · Dot-com bust (2000–02)'
            WHEN year(date) <= 2007 THEN '2 · Recovery (2003–07)' ELSE '3 · Financial crisis (2008–10)' END AS era,
          symbol, avg(price) AS mean_price, max(price) / min(price) AS high_over_low
          FROM s GROUP BY ALL ORDER BY era, symbol`),
      "by_era",
    );
    assertRowsClose(
      rowsOf(stocks, "yearly"),
      await duck(
        "SELECT year, symbol, avg(price) AS mean_price FROM s GROUP BY ALL ORDER BY year, symbol",
      ),
      "yearly",
    );
  });

  it("filters with or inside parentheses", async () => {
    assertRowsClose(
      rowsOf(stocks, "consumer_tech_since_2005"),
      await duck(`SELECT symbol, count(*) AS months, avg(price) AS mean_price, max(price) AS high
          FROM s WHERE symbol IN ('AAPL', 'AMZN', 'GOOG') AND year(date) >= 2005
          GROUP BY 1 ORDER BY mean_price DESC`),
      "consumer_tech_since_2005",
    );
    assertRowsClose(
      rowsOf(stocks, "crash_months"),
      await duck(`SELECT symbol, count(*) AS months, avg(price) AS mean_price FROM s
          WHERE date BETWEEN DATE '2000-09-01' AND DATE '2002-09-01'
             OR date BETWEEN DATE '2008-06-01' AND DATE '2009-02-01'
          GROUP BY 1 ORDER BY symbol`),
      "crash_months",
    );
  });

  it("shows the figures in the Markdown and one panel per symbol", async () => {
    const index = page("stocks", "index.html");
    const text = sectionTitled(index, "In brief");
    const ranked = await duck(
      "SELECT symbol, avg(price) AS mean FROM s GROUP BY 1 ORDER BY mean DESC",
    );
    const money = (v: number) => en(v, { style: "currency", currency: "USD" });
    assert.ok(text.includes(`<strong>${ranked[0].symbol}</strong> ranks first`));
    assert.ok(
      text.includes(`(${money(ranked[0].mean as number)} on average`),
      "the first symbol's mean, as currency",
    );
    assert.ok(
      text.includes(`${ranked[4].symbol} (${money(ranked[4].mean as number)})`),
      "the last symbol",
    );
    assert.doesNotMatch(text, /\{\{/);
    const facet = sectionTitled(index, "Yearly average price, one panel per symbol");
    const labels = [...facet.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const row of ranked)
      assert.ok(labels.includes(String(row.symbol)), `a panel headed ${row.symbol}`);
  });
});
