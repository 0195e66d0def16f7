import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DateDay, Float64, Table, TimestampMillisecond, vectorFromArray } from "apache-arrow";
import type { KpiSection, KpiSpec, SectionSpec } from "../src/config/spec.ts";
import { summarize } from "../src/summarize/index.ts";
import { dictionaryVector, filter, fixedVector, measure, specOf } from "./summarize-reference.ts";

// One row a day from 2024-01-01 to 2024-03-05 (65 days); revenue = day number (1..65),
// region alternates East/West, with one null region.
const DAY = 86_400_000;
const start = Date.UTC(2024, 0, 1);
const n = 65;
const dates = Array.from({ length: n }, (_, i) => start + i * DAY);
const revenue = Array.from({ length: n }, (_, i) => i + 1);
const region = Array.from({ length: n }, (_, i) =>
  i === 3 ? null : i % 2 === 0 ? "East" : "West",
);

const table = new Table({
  order_date: fixedVector(
    new DateDay(),
    dates.map((d) => d / DAY),
    Int32Array,
  ),
  ts: fixedVector(
    new TimestampMillisecond(),
    dates.map((d) => BigInt(d + 3_600_000)),
    BigInt64Array,
  ),
  revenue: vectorFromArray(revenue, new Float64()),
  region: dictionaryVector(region),
});

function kpi(parts: Partial<KpiSpec> & { measure: KpiSpec["measure"] }): KpiSpec {
  return {
    label: "Revenue",
    format: "currency",
    filter: [],
    path: ["sections", 1, "kpis", 0],
    ...parts,
  };
}

function tiles(kpis: KpiSpec[], now = new Date(Date.UTC(2024, 5, 1))) {
  const section: KpiSection = { kind: "kpis", kpis, path: ["sections", 1] };
  const sections: SectionSpec[] = [{ kind: "text", text: "hello", path: ["sections", 0] }, section];
  return summarize(table, specOf({ sections }), { now }).kpis;
}

const sumWhere = (test: (i: number) => boolean) =>
  revenue.filter((_, i) => test(i)).reduce((a, b) => a + b, 0);
const inMonth = (i: number, month: number) => new Date(dates[i]).getUTCMonth() === month;

describe("kpis", () => {
  it("gives the whole-table value and the section index", () => {
    const [tile] = tiles([kpi({ measure: measure("v", "sum", "revenue") })]);
    assert.deepEqual(tile, {
      section: 1,
      label: "Revenue",
      format: "currency",
      value: (65 * 66) / 2,
    });
  });

  it("compares the month holding the latest date with the month before", () => {
    const [tile] = tiles([
      kpi({
        measure: measure("v", "sum", "revenue"),
        compare: { column: "order_date", unit: "month", path: [] },
      }),
    ]);
    // March: days 61..65 (sum 315); February: days 32..60 (sum 1334).
    const march = sumWhere((i) => inMonth(i, 2));
    const february = sumWhere((i) => inMonth(i, 1));
    assert.equal(march, 315);
    assert.equal(february, 1334);
    // March ended before `now` (June): it is the current period (the tile's headline).
    assert.equal(tile.value, 2145);
    assert.deepEqual(tile.comparison, {
      column: "order_date",
      unit: "month",
      partial: false,
      current: "2024-03-01",
      previous: "2024-02-01",
      currentValue: 315,
      previousValue: 1334,
      change: (315 - 1334) / 1334,
    });
  });

  it("compares the last complete period when the latest one is still running", () => {
    const now = new Date(Date.UTC(2024, 2, 5, 12));
    const compare = { column: "order_date", unit: "month", path: [] } as const;
    const [tile] = tiles([kpi({ measure: measure("v", "sum", "revenue"), compare })], now);
    // March is still running at `now`: the headline is February's, set against January's.
    const february = sumWhere((i) => inMonth(i, 1));
    const january = sumWhere((i) => inMonth(i, 0));
    assert.equal(tile.value, 2145, "value stays the whole table's");
    assert.equal(tile.comparison?.current, "2024-02-01");
    assert.equal(tile.comparison?.previous, "2024-01-01");
    assert.equal(tile.comparison?.partial, false);
    assert.equal(tile.comparison?.currentValue, february);
    assert.equal(tile.comparison?.previousValue, january);
    assert.equal(tile.comparison?.change, (february - january) / january);
  });

  it("with complete_periods: false, shows the running period and marks it partial", () => {
    const now = new Date(Date.UTC(2024, 2, 5, 12));
    const compare = {
      column: "order_date",
      unit: "month",
      completePeriods: false,
      path: [],
    } as const;
    const [sum, count] = tiles(
      [
        kpi({ measure: measure("v", "sum", "revenue"), compare }),
        kpi({ measure: measure("n", "count"), compare }),
      ],
      now,
    );
    const march = sumWhere((i) => inMonth(i, 2));
    const february = sumWhere((i) => inMonth(i, 1));
    assert.equal(sum.comparison?.currentValue, march);
    assert.equal(sum.comparison?.partial, true);
    assert.equal(sum.comparison?.current, "2024-03-01");
    assert.equal(sum.comparison?.previousValue, february);
    assert.equal(sum.comparison?.change, (march - february) / february);
    assert.equal(count.comparison?.currentValue, dates.filter((_, i) => inMonth(i, 2)).length);
    assert.equal(count.comparison?.previousValue, dates.filter((_, i) => inMonth(i, 1)).length);
  });

  it("gives the measure per period for a sparkline, up to the current period", () => {
    const compare = { column: "order_date", unit: "month", sparkline: true, path: [] } as const;
    const [tile] = tiles([kpi({ measure: measure("v", "sum", "revenue"), compare })]);
    assert.deepEqual(tile.comparison?.series, [
      { period: "2024-01-01", value: sumWhere((i) => inMonth(i, 0)) },
      { period: "2024-02-01", value: sumWhere((i) => inMonth(i, 1)) },
      { period: "2024-03-01", value: sumWhere((i) => inMonth(i, 2)) },
    ]);
  });

  it("applies the KPI's filter to the value and both periods, on timestamps by week", () => {
    const [tile] = tiles([
      kpi({
        measure: measure("v", "sum", "revenue"),
        filter: [filter("region", "=", "East")],
        compare: { column: "ts", unit: "week", path: [] },
      }),
    ]);
    const east = (i: number) => region[i] === "East";
    assert.equal(tile.value, sumWhere(east));
    // 2024-03-05 is a Tuesday: its week starts Monday 2024-03-04; the one before on 2024-02-26.
    assert.equal(tile.comparison?.current, "2024-03-04");
    assert.equal(tile.comparison?.previous, "2024-02-26");
    const from = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
    const inRange = (i: number, a: string, b: string) =>
      dates[i] + 3_600_000 >= from(a) && dates[i] < from(b);
    assert.equal(
      tile.comparison?.currentValue,
      sumWhere((i) => east(i) && inRange(i, "2024-03-04", "2024-03-11")),
    );
    assert.equal(
      tile.comparison?.previousValue,
      sumWhere((i) => east(i) && inRange(i, "2024-02-26", "2024-03-04")),
    );
  });

  it("gives no change when the previous period is empty or zero", () => {
    const [empty, zero] = tiles([
      kpi({
        measure: measure("v", "sum", "revenue"),
        // 2024 is still running in June: compare it, partial, with the empty 2023.
        compare: { column: "order_date", unit: "year", completePeriods: false, path: [] },
      }),
      kpi({
        measure: measure("v", "count"),
        filter: [filter("order_date", ">=", "2024-03-05")],
        compare: { column: "order_date", unit: "day", path: [] },
      }),
    ]);
    assert.equal(empty.comparison?.previous, "2023-01-01");
    assert.equal(empty.comparison?.previousValue, null);
    assert.equal(empty.comparison?.change, null);
    assert.equal(zero.comparison?.currentValue, 1);
    // count() of an empty period is 0, not null: still no change figure.
    assert.equal(zero.comparison?.previousValue, 0);
    assert.equal(zero.comparison?.change, null);
    const [none] = tiles([
      kpi({
        measure: measure("v", "count", "revenue"),
        filter: [filter("revenue", "<", 0)],
        compare: { column: "order_date", unit: "day", path: [] },
      }),
    ]);
    assert.equal(none.value, 0);
    assert.equal(none.comparison, undefined);
  });

  it("gives dates as ISO strings and refuses to compare on a non-date column", () => {
    const [latest] = tiles([kpi({ format: "date", measure: measure("d", "max", "order_date") })]);
    assert.equal(latest.value, "2024-03-05");
    assert.throws(
      () =>
        tiles([
          kpi({
            measure: measure("v", "sum", "revenue"),
            compare: {
              column: "region",
              unit: "month",
              path: ["sections", 1, "kpis", 0, "compare"],
            },
          }),
        ]),
      {
        name: "ReportError",
        message:
          "sections[1].kpis[0].compare: compare needs a date or timestamp column, but 'region' is string.",
      },
    );
  });
});
