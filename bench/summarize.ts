// Times summarize() on a 1M-row × 8-column Arrow table (the shape of docs/design/js-stack.md
// §1) next to a naive JS reference (Array.from per column, comparator sort, Map counts and group-by) in
// the same process. Run: npx tsx bench/summarize.ts [rows]

import {
  DateDay,
  Dictionary,
  Float64,
  Int32,
  makeData,
  makeVector,
  Table,
  Utf8,
  type Vector,
} from "apache-arrow";
import { mulberry32 } from "../scripts/seeded-random.ts";
import type { ReportSpec } from "../src/config/spec.ts";
import { parseExpr } from "../src/expr/parse.ts";
import { LIMITS, limitsFromEnv } from "../src/limits.ts";
import { readColumns } from "../src/summarize/columns.ts";
import { countDuplicateRows } from "../src/summarize/duplicates.ts";
import { summarize } from "../src/summarize/index.ts";
import { computeKpi } from "../src/summarize/kpi.ts";
import { profileColumn } from "../src/summarize/profile.ts";
import { runQuery } from "../src/summarize/query.ts";

const rows = Number(process.argv[2] ?? 1_000_000);
const random = mulberry32(42);
const DAY = 86_400_000;
const START_DAY = Date.UTC(2020, 0, 1) / DAY;
const CITIES = [
  "Berlin",
  "Paris",
  "New York",
  "Tokyo",
  "São Paulo",
  "Portland, OR",
  "Toronto",
  "Sydney",
  "Lima",
  "Oslo",
];

function validity(share: number): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array(Math.ceil(rows / 8));
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    if (random() < share) nulls++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { bitmap, nulls };
}

function numbers(
  type: Int32 | Float64 | DateDay,
  fill: (i: number) => number,
  nullShare = 0,
): Vector {
  const data = type instanceof Float64 ? new Float64Array(rows) : new Int32Array(rows);
  for (let i = 0; i < rows; i++) data[i] = fill(i);
  const { bitmap, nulls } = validity(nullShare);
  return makeVector(
    makeData({
      type,
      length: rows,
      nullCount: nulls,
      nullBitmap: nulls > 0 ? bitmap : undefined,
      data,
    } as never),
  );
}

function table(): Table {
  const keys = new Int32Array(rows);
  // Skewed categories: low numbers more often.
  for (let i = 0; i < rows; i++) keys[i] = Math.floor(50 * random() ** 2);
  const dictionary = makeVector(
    makeData({
      type: new Utf8(),
      length: 50,
      valueOffsets: Int32Array.from({ length: 51 }, (_, k) => k * 11),
      data: new TextEncoder().encode(
        Array.from({ length: 50 }, (_, k) => `category_${String(k).padStart(2, "0")}`).join(""),
      ),
    }),
  );
  const category = makeVector(
    makeData({
      type: new Dictionary(new Utf8(), new Int32()),
      length: rows,
      data: keys,
      dictionary,
    }),
  );
  const encoder = new TextEncoder();
  const cityOffsets = new Int32Array(rows + 1);
  const parts: string[] = [];
  const cityValid = validity(0.02);
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    const valid = (cityValid.bitmap[i >> 3] >> (i & 7)) & 1;
    const city = valid ? CITIES[Math.floor(random() * CITIES.length)] : "";
    parts.push(city);
    bytes += encoder.encode(city).length;
    cityOffsets[i + 1] = bytes;
  }
  const city = makeVector(
    makeData({
      type: new Utf8(),
      length: rows,
      nullCount: cityValid.nulls,
      nullBitmap: cityValid.bitmap,
      valueOffsets: cityOffsets,
      data: encoder.encode(parts.join("")),
    }),
  );
  return new Table({
    id: numbers(new Int32(), (i) => i + 1),
    user_id: numbers(new Int32(), () => Math.floor(random() * 50_000)),
    qty: numbers(new Int32(), () => 1 + Math.floor(random() * 9), 0.03),
    price: numbers(new Float64(), () => Math.round(random() * 100_000) / 100),
    score: numbers(new Float64(), () => random() * 5, 0.05),
    category,
    city,
    event_date: numbers(new DateDay(), () => START_DAY + Math.floor(random() * 1461)),
  });
}

const measure = (
  name: string,
  op: "sum" | "count" | "mean" | "median" | "count_distinct",
  column?: string,
) => ({
  name,
  op,
  column,
  ast: parseExpr(`${op}(${column ?? ""})`),
  expr: `${op}(${column ?? ""})`,
  path: [],
});
const spec: ReportSpec = {
  title: "bench",
  source: { csv: {} },
  columns: [],
  limits: limitsFromEnv({}),
  locale: "en-US",
  currency: "USD",
  file: "",
  locate: () => undefined,
  queries: {
    by_category: {
      name: "by_category",
      groupBy: [{ name: "category", column: "category", expr: "category", path: [] }],
      measures: [
        measure("revenue", "sum", "price"),
        measure("orders", "count"),
        measure("score", "mean", "score"),
      ],
      filter: [],
      sort: [],
      path: [],
    },
    by_month: {
      name: "by_month",
      groupBy: [
        { name: "month", column: "event_date", unit: "month", expr: "month(event_date)", path: [] },
      ],
      measures: [measure("revenue", "sum", "price"), measure("orders", "count")],
      filter: [],
      sort: [],
      path: [],
    },
  },
  sections: [
    {
      kind: "kpis",
      path: [],
      kpis: [
        {
          label: "Revenue",
          format: "currency",
          filter: [],
          measure: measure("revenue", "sum", "price"),
          compare: { column: "event_date", unit: "month", path: [] },
          path: [],
        },
      ],
    },
  ],
};

/** The naive way: JS arrays of values, comparator sorts, Maps; same figures as summarize. */
function naive(t: Table): number {
  let checksum = 0;
  const columns = t.schema.fields.map((f, c) => ({
    name: f.name,
    values: Array.from(t.getChildAt(c) as Vector) as unknown[],
  }));
  for (const { values } of columns) {
    const present = values.filter((v) => v !== null);
    if (typeof present[0] === "string") {
      const counts = new Map<unknown, number>();
      for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
      checksum += [...counts.values()].sort((a, b) => b - a).slice(0, 10)[0];
      continue;
    }
    const xs = present.map(Number).sort((a, b) => a - b);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    const q = [0.05, 0.25, 0.5, 0.75, 0.95].map((p) => xs[Math.floor((xs.length - 1) * p)]);
    const distinct = new Set(xs).size;
    const bins = new Array(20).fill(0);
    const step = (xs[xs.length - 1] - xs[0]) / 20 || 1;
    for (const x of xs) bins[Math.min(19, Math.floor((x - xs[0]) / step))]++;
    checksum += mean + std + q[2] + distinct + bins[0];
  }
  const price = columns[3].values as number[];
  const category = columns[5].values as string[];
  const date = columns[7].values as number[];
  const byCategory = new Map<string, number>();
  const byMonth = new Map<string, number>();
  for (let i = 0; i < price.length; i++) {
    byCategory.set(category[i], (byCategory.get(category[i]) ?? 0) + price[i]);
    const month = new Date(date[i]).toISOString().slice(0, 7);
    byMonth.set(month, (byMonth.get(month) ?? 0) + price[i]);
  }
  return checksum + byCategory.size + byMonth.size;
}

function time<T>(run: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = run();
  return { ms: performance.now() - start, result };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const built = time(table);
console.log(
  `table: ${rows.toLocaleString("en-US")} rows × ${built.result.numCols} columns, built in ${built.ms.toFixed(0)} ms`,
);
const ours: number[] = [];
const reference: number[] = [];
for (let run = 0; run < 3; run++) {
  ours.push(time(() => summarize(built.result, spec, { now: new Date(0) })).ms);
  reference.push(time(() => naive(built.result)).ms);
}
const a = median(ours);
const b = median(reference);
console.log(
  `summarize (profile 8 columns + 2 queries + 1 KPI + alerts): median ${a.toFixed(0)} ms [${ours.map((x) => x.toFixed(0)).join(", ")}]`,
);
console.log(
  `naive JS reference (profile + 2 group-bys):              median ${b.toFixed(0)} ms [${reference.map((x) => x.toFixed(0)).join(", ")}]`,
);
console.log(`ratio summarize / naive: ${(a / b).toFixed(2)}`);
console.log(`rss after: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);

// Where the time goes, one run of each stage.
const columns = time(() => readColumns(built.result));
const stages: [string, number][] = [["read columns", columns.ms]];
for (const column of columns.result)
  stages.push([
    `profile ${column.name}`,
    time(() => profileColumn(column, LIMITS.max_text_chars.default)).ms,
  ]);
for (const q of Object.values(spec.queries)) {
  stages.push([`query ${q.name}`, time(() => runQuery(q, columns.result, rows, spec)).ms]);
}
const kpis = spec.sections[0].kind === "kpis" ? spec.sections[0].kpis : [];
stages.push([
  "kpi",
  time(() => computeKpi(kpis[0], 0, columns.result, rows, spec, new Date(0))).ms,
]);
stages.push(["duplicates", time(() => countDuplicateRows(columns.result, rows)).ms]);
console.log(stages.map(([name, ms]) => `  ${name}: ${ms.toFixed(0)} ms`).join("\n"));
