// Runs one QuerySpec: filter → group (columns and UTC time buckets) → measures → sort → limit
// (and the "Other" row past it, src/summarize/other.ts).
//
// Default order, when the query has no `sort`: with a time bucket among the keys, by the
// bucket keys ascending, then the other keys ascending (a time series reads left to right);
// otherwise by the first measure descending, ties by the keys ascending (a ranking). Nulls
// sort last in both directions (as DuckDB does). A null key forms its own group.

import { DAY_MS, isoDate } from "../calendar.ts";
import type { GroupKey, QuerySpec, ReportSpec, SortKey } from "../config/spec.ts";
import { bucketStart } from "../time-buckets.ts";
import type { Column } from "./columns.ts";
import { cutCell } from "./cut-text.ts";
import { DefinitionProblems } from "./definition-problems.ts";
import { checkFilter, selectRows } from "./filter.ts";
import {
  computeMeasure,
  type Grouping,
  numberCell,
  type ResolvedMeasure,
  resolveMeasure,
} from "./measure.ts";
import { checkOther, keepTop } from "./other.ts";
import { findColumn, notFound, specError, specLimitError } from "./spec-error.ts";
import type { Cell, ColumnType, QueryColumn, QueryResult } from "./summary.ts";

/** One group key over the selected rows: `ids[k]` indexes `cells`; id 0 is the null key. */
interface KeyCodes {
  ids: Int32Array;
  cells: Cell[];
  type: ColumnType;
}

/**
 * Runs `query` against `columns` (all of one table with `rowCount` rows). It stops, with an
 * error naming the query, as soon as its groups pass max_groups; text cells are cut to
 * max_text_chars.
 */
export function runQuery(
  query: QuerySpec,
  columns: readonly Column[],
  rowCount: number,
  spec: ReportSpec,
): QueryResult {
  // Every mistake in the query is reported in one run, not the first only.
  const problems = new DefinitionProblems(spec);
  const keysFound = query.groupBy.map((key) =>
    problems.attempt(() => keyColumn(key, columns, spec)),
  );
  const measuresFound = query.measures.map((m) =>
    problems.attempt(() => resolveMeasure(m, columns, spec)),
  );
  for (const filter of query.filter) problems.attempt(() => checkFilter(filter, columns, spec));
  const names = [...query.groupBy.map((key) => key.name), ...query.measures.map((m) => m.name)];
  for (const key of query.sort) {
    if (!names.includes(key.name)) {
      problems.keep(specError(spec, key.path, notFound("output column", key.name, names)));
    }
  }
  problems.finish();
  // finish() threw unless every part was found.
  const keyColumns = keysFound as Column[];
  const measures = measuresFound as ResolvedMeasure[];
  const outputs: QueryColumn[] = [
    ...query.groupBy.map((key, i) => ({
      name: key.name,
      type: key.unit === undefined ? keyColumns[i].type : "date",
    })),
    ...measures.map((m) => ({ name: m.measure.name, type: m.type })),
  ];
  checkOther(query, spec, outputs);

  const rows = selectRows(columns, rowCount, query.filter, spec);
  const maxGroups: GroupLimit = {
    groups: spec.limits.max_groups,
    exceeded: () => specLimitError(spec, query.path, "max_groups"),
  };
  const keys = query.groupBy.map((key, i) => keyCodes(key, keyColumns[i], rows, maxGroups));
  const { grouping, keyIds } = group(keys, rows.length, maxGroups);
  const values = measures.map((m) => computeMeasure(m, rows, grouping));

  const records: Record<string, Cell>[] = [];
  for (let g = 0; g < grouping.count; g++) {
    const record: Record<string, Cell> = {};
    keys.forEach((key, i) => {
      record[outputs[i].name] = key.cells[keyIds[i][g]];
    });
    measures.forEach((m, j) => {
      record[m.measure.name] = values[j][g];
    });
    records.push(record);
  }
  const groupOf = new Map(records.map((record, g) => [record, g]));
  records.sort(comparator(sortOrder(query)));
  const kept = keepTop({
    query,
    spec,
    outputs,
    sorted: records,
    groupOf,
    rows,
    grouping,
    measure: (subset, groups) => measures.map((m) => computeMeasure(m, subset, groups)),
  });
  // Cut after sorting, so the order is that of the whole values.
  const maxText = spec.limits.max_text_chars;
  for (const record of kept) {
    for (const name of names) record[name] = cutCell(record[name], maxText);
  }
  return { name: query.name, columns: outputs, rows: kept };
}

/** The most groups a query may have, and the error that stops it when it has more. */
interface GroupLimit {
  groups: number;
  exceeded: () => Error;
}

function keyColumn(key: GroupKey, columns: readonly Column[], spec: ReportSpec): Column {
  const column = findColumn(columns, key.column, spec, key.path);
  if (key.unit !== undefined && column.type !== "date" && column.type !== "timestamp") {
    throw specError(
      spec,
      key.path,
      `${key.expr}: ${key.unit}() needs a date or timestamp column, but '${column.name}' is ${column.type}.`,
    );
  }
  return column;
}

/**
 * Codes one key over the selected rows. A query has at least as many groups as any of its
 * keys has distinct values, so a key with more than `limit.groups` stops the query here,
 * before a Map of millions of values is built.
 */
function keyCodes(key: GroupKey, column: Column, rows: Uint32Array, limit: GroupLimit): KeyCodes {
  const ids = new Int32Array(rows.length);
  if (column.kind === "category") {
    const { codes } = column;
    for (let k = 0; k < rows.length; k++) ids[k] = codes[rows[k]] + 1;
    return { ids, cells: [null, ...column.labels], type: "string" };
  }
  const cells: Cell[] = [null];
  const index = new Map<number, number>();
  const { values, valid } = column;
  const { unit } = key;
  const type: ColumnType = unit === undefined ? column.type : "date";
  const idOf = (v: number): number => {
    let id = index.get(v);
    if (id === undefined) {
      // cells[0] is the null key, so cells.length - 1 distinct values are coded.
      if (cells.length > limit.groups) throw limit.exceeded();
      id = cells.length;
      cells.push(unit === undefined ? numberCell(v, type) : isoDate(v));
      index.set(v, id);
    }
    return id;
  };
  if (unit === undefined) {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      if (valid === null || valid[row] === 1) ids[k] = idOf(values[row]);
    }
    return { ids, cells, type };
  }
  // A bucket depends only on the day: a direct-mapped cache from day to group id saves the
  // calendar arithmetic and the Map lookup on almost every row.
  const cachedDay = new Float64Array(DAY_CACHE).fill(Number.NaN);
  const cachedId = new Int32Array(DAY_CACHE);
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k];
    if (valid !== null && valid[row] === 0) continue;
    const v = values[row];
    const dayIndex = Math.floor(v / DAY_MS);
    const slot = dayIndex & (DAY_CACHE - 1);
    if (cachedDay[slot] !== dayIndex) {
      cachedDay[slot] = dayIndex;
      cachedId[slot] = idOf(bucketStart(v, unit));
    }
    ids[k] = cachedId[slot];
  }
  return { ids, cells, type };
}

/** Slots of the day → bucket cache (a power of two; about 11 years of days). */
const DAY_CACHE = 4096;

/**
 * Dense group ids in order of first appearance, and each group's key ids; stops at the
 * group past `limit.groups`.
 */
function group(
  keys: KeyCodes[],
  n: number,
  limit: GroupLimit,
): { grouping: Grouping; keyIds: Int32Array[] } {
  const ids = new Int32Array(n);
  if (keys.length === 0) return { grouping: { ids, count: 1 }, keyIds: [] };
  const firsts: number[] = [];
  const assign = (k: number, g: number | undefined, remember: (g: number) => void): void => {
    if (g === undefined) {
      if (firsts.length >= limit.groups) throw limit.exceeded();
      g = firsts.length;
      firsts.push(k);
      remember(g);
    }
    ids[k] = g;
  };
  let combos = 1;
  for (const key of keys) combos *= key.cells.length;
  if (keys.length === 1) {
    const lookup = new Int32Array(keys[0].cells.length).fill(-1);
    const keyIds = keys[0].ids;
    for (let k = 0; k < n; k++) {
      const g = lookup[keyIds[k]];
      assign(k, g < 0 ? undefined : g, (fresh) => {
        lookup[keyIds[k]] = fresh;
      });
    }
  } else if (combos <= Number.MAX_SAFE_INTEGER) {
    const index = new Map<number, number>();
    for (let k = 0; k < n; k++) {
      let composite = 0;
      for (const key of keys) composite = composite * key.cells.length + key.ids[k];
      assign(k, index.get(composite), (fresh) => index.set(composite, fresh));
    }
  } else {
    const index = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      const composite = keys.map((key) => key.ids[k]).join(",");
      assign(k, index.get(composite), (fresh) => index.set(composite, fresh));
    }
  }
  const keyIds = keys.map((key) => Int32Array.from(firsts, (k) => key.ids[k]));
  return { grouping: { ids, count: firsts.length }, keyIds };
}

export interface OrderKey {
  name: string;
  descending: boolean;
}

export function sortOrder(query: QuerySpec): OrderKey[] {
  const keys = (list: readonly (GroupKey | SortKey)[]): OrderKey[] =>
    list.map((k) => ({ name: k.name, descending: "descending" in k ? k.descending : false }));
  if (query.sort.length > 0) return [...keys(query.sort), ...keys(query.groupBy)];
  const buckets = query.groupBy.filter((k) => k.unit !== undefined);
  const others = query.groupBy.filter((k) => k.unit === undefined);
  if (buckets.length > 0) return [...keys(buckets), ...keys(others)];
  const first = query.measures[0];
  return [
    ...(first === undefined ? [] : [{ name: first.name, descending: true }]),
    ...keys(query.groupBy),
  ];
}

/** Compares records by `order`; nulls last whatever the direction. */
export function comparator(
  order: OrderKey[],
): (a: Record<string, Cell>, b: Record<string, Cell>) => number {
  return (a, b) => {
    for (const { name, descending } of order) {
      const x = a[name];
      const y = b[name];
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = x < y ? -1 : x > y ? 1 : 0;
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  };
}
