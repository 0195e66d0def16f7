// Column-at-a-time appends from a batch of tokenized rows: one tight, monomorphic loop per
// column kind, parsing straight from the bytes. Each loop stops at the first value its
// builder cannot hold and returns that row, so the caller can widen the column and go on.

import { daysFromCivil, daysInMonth } from "../../calendar.ts";
import type {
  BoolBuilder,
  ColumnBuilder,
  Float64Builder,
  Int32Builder,
  Int64Builder,
  StringBuilder,
} from "../columns/builders.ts";
import {
  INT32_MAX,
  INT32_MIN,
  POW10,
  parseBigIntBytes,
  parseBoolBytes,
  parseDateBytes,
  parseFloatBytes,
  parseIntBytes,
  parseTimestampBytes,
} from "../columns/parse-bytes.ts";
import type { NullMatcher } from "./null-values.ts";
import type { RowBatch } from "./tokenizer.ts";

const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;

// The int32, float64 and date loops parse the common spelling (no spaces, no "+", no
// exponent, few digits) inline and hand anything else to the full parser in parse-bytes.ts,
// which accepts a superset and returns the same value wherever both accept.

/**
 * Appends field `column` of rows [from, batch.rows) to the builder. Returns batch.rows when
 * all fit, else the first row whose value does not fit (nothing of it appended).
 */
export function appendColumn(
  builder: ColumnBuilder,
  batch: RowBatch,
  column: number,
  from: number,
  nulls: NullMatcher,
): number {
  builder.ensure(builder.length + batch.rows - from);
  switch (builder.kind) {
    case "int32":
      return appendInt32(builder as Int32Builder, batch, column, from, nulls);
    case "date":
      return appendDate(builder as Int32Builder, batch, column, from, nulls);
    case "float64":
      return appendFloat64(builder as Float64Builder, batch, column, from, nulls);
    case "string":
      return appendString(builder as StringBuilder, batch, column, from, nulls);
    default:
      return appendOther(builder, batch, column, from, nulls);
  }
}

function appendInt32(
  builder: Int32Builder,
  batch: RowBatch,
  column: number,
  from: number,
  nulls: NullMatcher,
): number {
  const { buf, offsets, rows } = batch;
  const stride = batch.width * 2;
  const { firstBytes, maxLength } = nulls;
  const values = builder.values;
  let length = builder.length;
  for (let r = from, at = from * stride + column * 2; r < rows; r++, at += stride) {
    const start = offsets[at];
    const end = offsets[at + 1];
    const size = end - start;
    if (
      size === 0 ||
      (size <= maxLength && firstBytes[buf[start]] === 1 && nulls.matches(buf, start, end))
    ) {
      builder.length = length;
      builder.pushNull();
      length++;
      continue;
    }
    // Up to 9 digits always fit in an Int32; a leading zero is text ("007"), except "0".
    const first = buf[start];
    let i = first === MINUS ? start + 1 : start;
    const digits = end - i;
    if (digits > 0 && digits < 10 && (digits === 1 || buf[i] !== ZERO)) {
      let value = 0;
      for (; i < end; i++) {
        const digit = buf[i] - ZERO;
        if (digit < 0 || digit > 9) break;
        value = value * 10 + digit;
      }
      if (i === end) {
        values[length++] = first === MINUS ? -value : value;
        continue;
      }
    }
    const value = parseIntBytes(buf, start, end);
    if (!(value >= INT32_MIN && value <= INT32_MAX)) {
      builder.length = length;
      return r;
    }
    values[length++] = value;
  }
  builder.length = length;
  return rows;
}

function appendDate(
  builder: Int32Builder,
  batch: RowBatch,
  column: number,
  from: number,
  nulls: NullMatcher,
): number {
  const { buf, offsets, rows } = batch;
  const stride = batch.width * 2;
  const { firstBytes, maxLength } = nulls;
  const values = builder.values;
  let length = builder.length;
  for (let r = from, at = from * stride + column * 2; r < rows; r++, at += stride) {
    const start = offsets[at];
    const end = offsets[at + 1];
    const size = end - start;
    if (
      size === 0 ||
      (size <= maxLength && firstBytes[buf[start]] === 1 && nulls.matches(buf, start, end))
    ) {
      builder.length = length;
      builder.pushNull();
      length++;
      continue;
    }
    if (size === 10 && buf[start + 4] === MINUS && buf[start + 7] === MINUS) {
      const y0 = buf[start] - ZERO;
      const y1 = buf[start + 1] - ZERO;
      const y2 = buf[start + 2] - ZERO;
      const y3 = buf[start + 3] - ZERO;
      const m0 = buf[start + 5] - ZERO;
      const m1 = buf[start + 6] - ZERO;
      const d0 = buf[start + 8] - ZERO;
      const d1 = buf[start + 9] - ZERO;
      // Unsigned: a byte below "0" wraps to a large number.
      if (
        y0 >>> 0 <= 9 &&
        y1 >>> 0 <= 9 &&
        y2 >>> 0 <= 9 &&
        y3 >>> 0 <= 9 &&
        m0 >>> 0 <= 9 &&
        m1 >>> 0 <= 9 &&
        d0 >>> 0 <= 9 &&
        d1 >>> 0 <= 9
      ) {
        const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
        const month = m0 * 10 + m1;
        const day = d0 * 10 + d1;
        if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
          values[length++] = daysFromCivil(year, month, day);
          continue;
        }
      }
    }
    const value = parseDateBytes(buf, start, end);
    if (Number.isNaN(value)) {
      builder.length = length;
      return r;
    }
    values[length++] = value;
  }
  builder.length = length;
  return rows;
}

function appendFloat64(
  builder: Float64Builder,
  batch: RowBatch,
  column: number,
  from: number,
  nulls: NullMatcher,
): number {
  const { buf, offsets, rows } = batch;
  const stride = batch.width * 2;
  const { firstBytes, maxLength } = nulls;
  const values = builder.values;
  let length = builder.length;
  for (let r = from, at = from * stride + column * 2; r < rows; r++, at += stride) {
    const start = offsets[at];
    const end = offsets[at + 1];
    const size = end - start;
    if (
      size === 0 ||
      (size <= maxLength && firstBytes[buf[start]] === 1 && nulls.matches(buf, start, end))
    ) {
      builder.length = length;
      builder.pushNull();
      length++;
      continue;
    }
    // [-]digits[.digits] with at most 15 digits: the mantissa is exact and one division by
    // an exact power of ten rounds correctly (Clinger's fast path, as parseFloatBytes).
    const first = buf[start];
    let i = first === MINUS ? start + 1 : start;
    const intStart = i;
    let mantissa = 0;
    for (; i < end; i++) {
      const digit = buf[i] - ZERO;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
    }
    const intDigits = i - intStart;
    let fracDigits = 0;
    if (i < end && buf[i] === DOT) {
      const fracStart = ++i;
      for (; i < end; i++) {
        const digit = buf[i] - ZERO;
        if (digit < 0 || digit > 9) break;
        mantissa = mantissa * 10 + digit;
      }
      fracDigits = i - fracStart;
    }
    if (
      i === end &&
      intDigits + fracDigits > 0 &&
      intDigits + fracDigits <= 15 &&
      (intDigits < 2 || buf[intStart] !== ZERO)
    ) {
      const magnitude = fracDigits === 0 ? mantissa : mantissa / POW10[fracDigits];
      values[length++] = first === MINUS ? -magnitude : magnitude;
      continue;
    }
    const value = parseFloatBytes(buf, start, end);
    if (Number.isNaN(value)) {
      builder.length = length;
      return r;
    }
    values[length++] = value;
  }
  builder.length = length;
  return rows;
}

function appendString(
  builder: StringBuilder,
  batch: RowBatch,
  column: number,
  from: number,
  nulls: NullMatcher,
): number {
  const { buf, offsets, rows } = batch;
  const stride = batch.width * 2;
  const { firstBytes, maxLength } = nulls;
  for (let r = from, at = from * stride + column * 2; r < rows; r++, at += stride) {
    const start = offsets[at];
    const end = offsets[at + 1];
    const size = end - start;
    if (
      size === 0 ||
      (size <= maxLength && firstBytes[buf[start]] === 1 && nulls.matches(buf, start, end))
    ) {
      builder.pushNull();
    } else {
      builder.pushBytes(buf, start, end);
    }
  }
  return rows;
}

/** The rarer kinds (int64, timestamp, bool, and not-yet-typed columns), one value at a time. */
function appendOther(
  builder: ColumnBuilder,
  batch: RowBatch,
  column: number,
  from: number,
  nulls: NullMatcher,
): number {
  const { buf, offsets, rows } = batch;
  const stride = batch.width * 2;
  for (let r = from, at = from * stride + column * 2; r < rows; r++, at += stride) {
    const start = offsets[at];
    const end = offsets[at + 1];
    if (nulls.matches(buf, start, end)) builder.pushNull();
    else if (!appendValue(builder, buf, start, end)) return r;
  }
  return rows;
}

/** Appends one value by parsing it for the builder's kind; false when it does not fit. */
export function appendValue(
  builder: ColumnBuilder,
  buf: Uint8Array,
  start: number,
  end: number,
): boolean {
  switch (builder.kind) {
    case "string":
      (builder as StringBuilder).pushBytes(buf, start, end);
      return true;
    case "int32": {
      const value = parseIntBytes(buf, start, end);
      if (!(value >= INT32_MIN && value <= INT32_MAX)) return false;
      (builder as Int32Builder).push(value);
      return true;
    }
    case "date":
      return pushIfNumber(builder as Int32Builder, parseDateBytes(buf, start, end));
    case "float64":
      return pushIfNumber(builder as Float64Builder, parseFloatBytes(buf, start, end));
    case "timestamp":
      return pushIfNumber(builder as Int64Builder, parseTimestampBytes(buf, start, end));
    case "int64": {
      const value = parseIntBytes(buf, start, end);
      if (Number.isNaN(value)) return false;
      if (Number.isSafeInteger(value)) {
        (builder as Int64Builder).push(value);
        return true;
      }
      const big = parseBigIntBytes(buf, start, end);
      if (BigInt.asIntN(64, big) !== big) return false;
      (builder as Int64Builder).pushBigInt(big);
      return true;
    }
    case "bool": {
      const value = parseBoolBytes(buf, start, end);
      if (Number.isNaN(value)) return false;
      (builder as BoolBuilder).push(value === 1);
      return true;
    }
    case "null":
      return false;
  }
}

function pushIfNumber(builder: { push(value: number): void }, value: number): boolean {
  if (Number.isNaN(value)) return false;
  builder.push(value);
  return true;
}
