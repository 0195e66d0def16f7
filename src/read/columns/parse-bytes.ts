// Parse field values straight from UTF-8 bytes, so numeric and date columns never build a
// JS string per value. Each parser takes the byte range [start, end) and returns NaN when
// the text is not of its type; surrounding spaces are ignored.

import { DAY_MS, daysFromCivil, daysInMonth } from "../../calendar.ts";

const SPACE = 0x20;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const COLON = 0x3a;

/** The Int32 range: integer columns within it are stored as Int32. */
export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;

/** Exact powers of ten as doubles (10^0..10^22 are exactly representable). */
export const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const INT_OR_FLOAT =
  /^[+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?$|^[+-]?\.[0-9]+(?:[eE][+-]?[0-9]+)?$/;

function trimStart(buf: Uint8Array, start: number, end: number): number {
  while (start < end && buf[start] === SPACE) start++;
  return start;
}

function trimEnd(buf: Uint8Array, start: number, end: number): number {
  while (end > start && buf[end - 1] === SPACE) end--;
  return end;
}

/** Latin-1 view of an ASCII byte range; only called on ranges already checked to be ASCII. */
export function asciiText(buf: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(buf[i]);
  return text;
}

/**
 * An integer written without leading zeros ("0", "-12", "+7"). Returns NaN otherwise.
 * Values beyond 2^53 come back inexact: check Number.isSafeInteger and use parseBigIntBytes.
 */
export function parseIntBytes(buf: Uint8Array, start: number, end: number): number {
  let i = trimStart(buf, start, end);
  end = trimEnd(buf, i, end);
  if (i === end) return Number.NaN;
  let negative = false;
  const first = buf[i];
  if (first === MINUS || first === PLUS) {
    negative = first === MINUS;
    i++;
    if (i === end) return Number.NaN;
  }
  // Leading zeros mark identifiers (zip codes, "007"): keep those as text.
  if (buf[i] === ZERO && end - i > 1) return Number.NaN;
  let value = 0;
  for (; i < end; i++) {
    const digit = buf[i] - ZERO;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** The exact value of an integer text that parseIntBytes accepted, for Int64 columns. */
export function parseBigIntBytes(buf: Uint8Array, start: number, end: number): bigint {
  const i = trimStart(buf, start, end);
  const text = asciiText(buf, i, trimEnd(buf, i, end));
  return BigInt(text.charCodeAt(0) === PLUS ? text.slice(1) : text);
}

/**
 * A decimal number: "1.5", "-0.25", ".5", "3.", "1e-3", "12". Integer parts with leading
 * zeros are refused, as for integers. Returns NaN when the text is not a number.
 */
export function parseFloatBytes(buf: Uint8Array, start: number, end: number): number {
  let i = trimStart(buf, start, end);
  end = trimEnd(buf, i, end);
  const begin = i;
  if (i === end) return Number.NaN;
  let negative = false;
  const first = buf[i];
  if (first === MINUS || first === PLUS) {
    negative = first === MINUS;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  const intStart = i;
  for (; i < end; i++) {
    const digit = buf[i] - ZERO;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    digits++;
  }
  const intDigits = i - intStart;
  if (intDigits > 1 && buf[intStart] === ZERO) return Number.NaN;
  let fracDigits = 0;
  if (i < end && buf[i] === DOT) {
    i++;
    for (; i < end; i++) {
      const digit = buf[i] - ZERO;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      digits++;
      fracDigits++;
    }
    scale = -fracDigits;
  }
  if (intDigits === 0 && fracDigits === 0) return Number.NaN;
  if (i < end) {
    // An exponent, or not a number at all: the rare path goes through the JS parser.
    const b = buf[i] | 0x20;
    if (b !== 0x65) return Number.NaN;
    const text = asciiText(buf, begin, end);
    return INT_OR_FLOAT.test(text) ? Number(text) : Number.NaN;
  }
  // Clinger's fast path: an exact mantissa below 2^53 and an exact power of ten give a
  // correctly rounded result with one division or multiplication.
  if (digits <= 15 && -scale <= 22) {
    const value = scale === 0 ? mantissa : mantissa / POW10[-scale];
    return negative ? -value : value;
  }
  return Number(asciiText(buf, begin, end));
}

/** "true" or "false" in any case → 1 or 0; NaN otherwise. */
export function parseBoolBytes(buf: Uint8Array, start: number, end: number): number {
  const i = trimStart(buf, start, end);
  end = trimEnd(buf, i, end);
  const length = end - i;
  if (
    length === 4 &&
    (buf[i] | 0x20) === 0x74 &&
    (buf[i + 1] | 0x20) === 0x72 &&
    (buf[i + 2] | 0x20) === 0x75 &&
    (buf[i + 3] | 0x20) === 0x65
  ) {
    return 1;
  }
  if (
    length === 5 &&
    (buf[i] | 0x20) === 0x66 &&
    (buf[i + 1] | 0x20) === 0x61 &&
    (buf[i + 2] | 0x20) === 0x6c &&
    (buf[i + 3] | 0x20) === 0x73 &&
    (buf[i + 4] | 0x20) === 0x65
  ) {
    return 0;
  }
  return Number.NaN;
}

function digits2(buf: Uint8Array, i: number): number {
  const a = buf[i] - ZERO;
  const b = buf[i + 1] - ZERO;
  if (a < 0 || a > 9 || b < 0 || b > 9) return Number.NaN;
  return a * 10 + b;
}

/** Days since the epoch of a date at buf[i..i+10) in YYYY-MM-DD form, or NaN. */
function dateAt(buf: Uint8Array, i: number): number {
  if (buf[i + 4] !== MINUS || buf[i + 7] !== MINUS) return Number.NaN;
  const year = digits2(buf, i) * 100 + digits2(buf, i + 2);
  const month = digits2(buf, i + 5);
  const day = digits2(buf, i + 8);
  if (!(month >= 1 && month <= 12 && day >= 1)) return Number.NaN; // also false for NaN
  if (day > daysInMonth(year, month)) return Number.NaN;
  return daysFromCivil(year, month, day);
}

/** A YYYY-MM-DD date → days since 1970-01-01; NaN otherwise. */
export function parseDateBytes(buf: Uint8Array, start: number, end: number): number {
  const i = trimStart(buf, start, end);
  end = trimEnd(buf, i, end);
  if (end - i !== 10) return Number.NaN;
  return dateAt(buf, i);
}

/**
 * An ISO 8601 timestamp → milliseconds since the epoch (UTC); NaN otherwise. Accepts
 * `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]]` with an optional `Z`, `±HH:MM`, `±HHMM` or `±HH`
 * zone; without a zone the time is read as UTC. A bare date is midnight UTC. Digits beyond
 * milliseconds are dropped (the column is TimestampMillisecond).
 */
export function parseTimestampBytes(buf: Uint8Array, start: number, end: number): number {
  let i = trimStart(buf, start, end);
  end = trimEnd(buf, i, end);
  if (end - i < 10) return Number.NaN;
  const days = dateAt(buf, i);
  if (Number.isNaN(days)) return Number.NaN;
  i += 10;
  if (i === end) return days * DAY_MS;
  const sep = buf[i];
  if (sep !== 0x54 && sep !== 0x74 && sep !== SPACE) return Number.NaN;
  i++;
  if (end - i < 5 || buf[i + 2] !== COLON) return Number.NaN;
  const hour = digits2(buf, i);
  const minute = digits2(buf, i + 3);
  if (!(hour <= 23 && minute <= 59)) return Number.NaN;
  i += 5;
  let second = 0;
  let millis = 0;
  if (i < end && buf[i] === COLON) {
    if (end - i < 3) return Number.NaN;
    second = digits2(buf, i + 1);
    if (!(second <= 59)) return Number.NaN;
    i += 3;
    if (i < end && (buf[i] === DOT || buf[i] === 0x2c)) {
      i++;
      const fracStart = i;
      let scale = 100;
      for (; i < end; i++) {
        const digit = buf[i] - ZERO;
        if (digit < 0 || digit > 9) break;
        millis += digit * scale;
        scale /= 10;
      }
      if (i === fracStart) return Number.NaN;
      millis = Math.floor(millis);
    }
  }
  let offsetMinutes = 0;
  if (i < end) {
    const zone = buf[i];
    if ((zone === 0x5a || zone === 0x7a) && i + 1 === end) {
      i++;
    } else if (zone === PLUS || zone === MINUS) {
      const sign = zone === MINUS ? -1 : 1;
      const rest = end - i - 1;
      const hours = digits2(buf, i + 1);
      let minutes = 0;
      if (rest === 5 && buf[i + 3] === COLON) minutes = digits2(buf, i + 4);
      else if (rest === 4) minutes = digits2(buf, i + 3);
      else if (rest !== 2) return Number.NaN;
      if (!(hours <= 23 && minutes <= 59)) return Number.NaN;
      offsetMinutes = sign * (hours * 60 + minutes);
      i = end;
    } else {
      return Number.NaN;
    }
  }
  return (
    days * DAY_MS +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    millis -
    offsetMinutes * 60_000
  );
}
