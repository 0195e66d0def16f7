// strptime-style date formats ("%d/%m/%Y", "%b %d %Y %H:%M"): compiled once, then matched
// straight against UTF-8 bytes, so a CSV column of non-ISO dates never builds a JS string per
// value. It is a bottom-layer module because the definition's checks (src/config) compile a
// declared format to report a mistake at its line, and the readers (src/read) parse with it.
// Dates are proleptic Gregorian and in UTC (src/calendar.ts); a time without %z is UTC.
import { DAY_MS, daysFromCivil, daysInMonth } from "./calendar.ts";

/** The directives a format may use, each after a `%`. */
export const FORMAT_DIRECTIVES = [
  "Y",
  "y",
  "m",
  "d",
  "e",
  "b",
  "B",
  "a",
  "A",
  "H",
  "I",
  "M",
  "S",
  "f",
  "p",
  "z",
  "j",
  "%",
] as const;
export type FormatDirective = (typeof FORMAT_DIRECTIVES)[number];

/** What each directive reads, for the documentation's table and error hints. */
export const DIRECTIVE_MEANINGS: Record<FormatDirective, string> = {
  Y: "year, 4 digits",
  y: "year, 2 digits (69-99 → 1969-1999, 00-68 → 2000-2068)",
  m: "month, 1 or 2 digits",
  d: "day of the month, 1 or 2 digits",
  e: "day of the month, 1 or 2 digits, space-padded",
  b: "month name, abbreviated or full, any case",
  B: "month name, full or abbreviated, any case",
  a: "weekday name, abbreviated or full (read and ignored)",
  A: "weekday name, full or abbreviated (read and ignored)",
  H: "hour 0-23, 1 or 2 digits",
  I: "hour 1-12, 1 or 2 digits (with %p)",
  M: "minute, 1 or 2 digits",
  S: "second, 1 or 2 digits",
  f: "fraction of a second, 1 to 9 digits (kept to the millisecond)",
  p: "AM or PM, any case",
  z: "UTC offset: +HHMM, +HH:MM, +HH, Z, UTC, GMT or UT",
  j: "day of the year, 1 to 3 digits",
  "%": "a literal %",
};

/** One step of a compiled format. */
type Step =
  | { kind: "field"; directive: Exclude<FormatDirective, "%"> }
  | { kind: "literal"; byte: number }
  | { kind: "space" };

/** A compiled format: its text as written, the steps to match, and what it yields. */
export interface DateFormat {
  readonly text: string;
  readonly steps: readonly Step[];
  /** It reads a time of day (or a zone), so it makes timestamps rather than dates. */
  readonly hasTime: boolean;
  /** The hour is %I (1-12), read with %p. */
  readonly twelveHour: boolean;
}

/** Why a format text cannot be used, in words for a definition error. */
export class FormatError extends Error {}

/** Compiles a format text; throws FormatError naming the problem. */
export function compileFormat(text: string): DateFormat {
  const steps: Step[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "%") {
      const next = text[i + 1];
      if (next === undefined) throw new FormatError("the format ends with a lone %");
      if (!(FORMAT_DIRECTIVES as readonly string[]).includes(next)) {
        throw new FormatError(`%${next} is not a known directive`);
      }
      i++;
      if (next === "%") {
        steps.push({ kind: "literal", byte: 0x25 });
        continue;
      }
      const group = directiveGroup(next);
      if (seen.has(group))
        throw new FormatError(`%${next} repeats a part the format already reads`);
      seen.add(group);
      steps.push({ kind: "field", directive: next as Exclude<FormatDirective, "%"> });
    } else if (char === " " || char === "\t") {
      if (steps.at(-1)?.kind !== "space") steps.push({ kind: "space" });
    } else {
      const code = char.charCodeAt(0);
      if (code > 0x7e) throw new FormatError(`'${char}' is not ASCII; write it as the data does`);
      steps.push({ kind: "literal", byte: code });
    }
  }
  if (!seen.has("year")) throw new FormatError("the format has no year (%Y or %y)");
  if (!seen.has("doy") && !(seen.has("month") && seen.has("day"))) {
    throw new FormatError("the format needs a month (%m or %b) and a day (%d), or %j");
  }
  if (seen.has("ampm") && !steps.some((s) => s.kind === "field" && s.directive === "I")) {
    throw new FormatError("%p needs a 12-hour %I (with %H the hour is already 0-23)");
  }
  if ((seen.has("second") || seen.has("fraction")) && !seen.has("minute")) {
    throw new FormatError("seconds (%S, %f) need minutes (%M) and an hour");
  }
  if (seen.has("minute") && !seen.has("hour")) throw new FormatError("%M needs an hour (%H or %I)");
  const hasTime = [...seen].some((group) =>
    ["hour", "minute", "second", "fraction", "ampm", "zone"].includes(group),
  );
  const twelveHour = steps.some((s) => s.kind === "field" && s.directive === "I");
  return { text, steps, hasTime, twelveHour };
}

/** Directives that set the same part (a format may set each part once). */
function directiveGroup(directive: string): string {
  switch (directive) {
    case "Y":
    case "y":
      return "year";
    case "m":
    case "b":
    case "B":
      return "month";
    case "d":
    case "e":
      return "day";
    case "a":
    case "A":
      return "weekday";
    case "H":
    case "I":
      return "hour";
    case "M":
      return "minute";
    case "S":
      return "second";
    case "f":
      return "fraction";
    case "p":
      return "ampm";
    case "z":
      return "zone";
    default:
      return "doy"; // j
  }
}

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** The parts one value held; reused between values (one parse at a time). */
const parts = {
  year: 0,
  month: 0,
  day: 0,
  doy: 0,
  hour: 0,
  minute: 0,
  second: 0,
  millis: 0,
  pm: -1,
  offset: 0,
};
/** Where the digits or name just read ended. */
let cursor = 0;

const SPACE = 0x20;
const TAB = 0x09;
const ZERO = 0x30;

/** Reads min..max digits at buf[i]; -1 when fewer than min. Sets `cursor`. */
function digits(buf: Uint8Array, i: number, end: number, min: number, max: number): number {
  let value = 0;
  let n = 0;
  while (n < max && i < end) {
    const digit = buf[i] - ZERO;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
    i++;
    n++;
  }
  cursor = i;
  return n < min ? -1 : value;
}

/** The index (0-based) of a full or 3-letter name at buf[i] ("sept" too), or -1. */
function name(buf: Uint8Array, i: number, end: number, names: readonly string[]): number {
  let j = i;
  while (j < end && (buf[j] | 0x20) >= 0x61 && (buf[j] | 0x20) <= 0x7a) j++;
  const length = j - i;
  if (length < 3) return -1;
  cursor = j;
  for (let k = 0; k < names.length; k++) {
    const full = names[k];
    if (length !== full.length && length !== 3 && !(length === 4 && full === "september")) {
      continue;
    }
    let equal = true;
    for (let c = 0; c < length; c++) {
      if ((buf[i + c] | 0x20) !== full.charCodeAt(c)) {
        equal = false;
        break;
      }
    }
    if (equal) return k;
  }
  return -1;
}

/** Reads a UTC offset at buf[i] into parts.offset (minutes); false when there is none. */
function zone(buf: Uint8Array, i: number, end: number): boolean {
  const sign = buf[i];
  if (sign === 0x2b || sign === 0x2d) {
    const hours = digits(buf, i + 1, end, 2, 2);
    if (hours < 0 || hours > 23) return false;
    const after = cursor;
    const colon = after < end && buf[after] === 0x3a;
    let minutes = digits(buf, colon ? after + 1 : after, end, 2, 2);
    if (minutes < 0) {
      if (colon) return false;
      minutes = 0; // "+05": hours only
      cursor = after;
    } else if (minutes > 59) {
      return false;
    }
    parts.offset = (sign === 0x2d ? -1 : 1) * (hours * 60 + minutes);
    return true;
  }
  const upper = (k: number) => (k < end ? buf[k] & ~0x20 : 0);
  if (upper(i) === 0x5a) {
    cursor = i + 1; // Z
  } else if (upper(i) === 0x55 && upper(i + 1) === 0x54 && upper(i + 2) === 0x43) {
    cursor = i + 3; // UTC
  } else if (upper(i) === 0x47 && upper(i + 1) === 0x4d && upper(i + 2) === 0x54) {
    cursor = i + 3; // GMT
  } else if (upper(i) === 0x55 && upper(i + 1) === 0x54) {
    cursor = i + 2; // UT
  } else {
    return false;
  }
  parts.offset = 0;
  return true;
}

/** Matches the whole of buf[start, end) (surrounding spaces ignored) into `parts`. */
function match(format: DateFormat, buf: Uint8Array, start: number, end: number): boolean {
  while (start < end && buf[start] === SPACE) start++;
  while (end > start && buf[end - 1] === SPACE) end--;
  parts.year = 0;
  parts.month = 0;
  parts.day = 0;
  parts.doy = 0;
  parts.hour = 0;
  parts.minute = 0;
  parts.second = 0;
  parts.millis = 0;
  parts.pm = -1;
  parts.offset = 0;
  let i = start;
  for (const step of format.steps) {
    if (step.kind === "space") {
      if (i >= end || (buf[i] !== SPACE && buf[i] !== TAB)) return false;
      while (i < end && (buf[i] === SPACE || buf[i] === TAB)) i++;
      continue;
    }
    if (step.kind === "literal") {
      const byte = buf[i];
      if (
        i >= end ||
        !(byte === step.byte || (isLetter(byte) && (byte | 0x20) === (step.byte | 0x20)))
      ) {
        return false;
      }
      i++;
      continue;
    }
    let value: number;
    switch (step.directive) {
      case "Y":
        value = digits(buf, i, end, 4, 4);
        if (value < 0) return false;
        parts.year = value;
        break;
      case "y":
        value = digits(buf, i, end, 2, 2);
        if (value < 0) return false;
        parts.year = value < 69 ? 2000 + value : 1900 + value;
        break;
      case "m":
        value = digits(buf, i, end, 1, 2);
        if (value < 1 || value > 12) return false;
        parts.month = value;
        break;
      case "e":
        if (i < end && buf[i] === SPACE) i++;
        value = digits(buf, i, end, 1, 2);
        if (value < 1 || value > 31) return false;
        parts.day = value;
        break;
      case "d":
        value = digits(buf, i, end, 1, 2);
        if (value < 1 || value > 31) return false;
        parts.day = value;
        break;
      case "b":
      case "B":
        value = name(buf, i, end, MONTHS);
        if (value < 0) return false;
        parts.month = value + 1;
        break;
      case "a":
      case "A":
        if (name(buf, i, end, WEEKDAYS) < 0) return false;
        break;
      case "H":
        value = digits(buf, i, end, 1, 2);
        if (value < 0 || value > 23) return false;
        parts.hour = value;
        break;
      case "I":
        value = digits(buf, i, end, 1, 2);
        if (value < 1 || value > 12) return false;
        parts.hour = value;
        break;
      case "M":
        value = digits(buf, i, end, 1, 2);
        if (value < 0 || value > 59) return false;
        parts.minute = value;
        break;
      case "S":
        value = digits(buf, i, end, 1, 2);
        if (value < 0 || value > 59) return false;
        parts.second = value;
        break;
      case "f": {
        const from = i;
        value = digits(buf, i, end, 1, 9);
        if (value < 0) return false;
        const count = cursor - from;
        // The first three digits are the milliseconds; later ones are dropped (not rounded).
        parts.millis =
          count >= 3 ? Math.floor(value / 10 ** (count - 3)) : value * 10 ** (3 - count);
        break;
      }
      case "p": {
        const a = i < end ? buf[i] | 0x20 : 0;
        const m = i + 1 < end ? buf[i + 1] | 0x20 : 0;
        if ((a !== 0x61 && a !== 0x70) || m !== 0x6d) return false;
        parts.pm = a === 0x70 ? 1 : 0;
        cursor = i + 2;
        break;
      }
      case "z":
        if (i >= end || !zone(buf, i, end)) return false;
        break;
      case "j":
        value = digits(buf, i, end, 1, 3);
        if (value < 1 || value > 366) return false;
        parts.doy = value;
        break;
    }
    i = cursor;
  }
  return i === end;
}

function isLetter(byte: number): boolean {
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** Days since 1970-01-01 of the matched date parts; NaN when the date does not exist. */
function matchedDays(): number {
  const { year, month, day, doy } = parts;
  if (doy > 0) {
    const leap = daysInMonth(year, 2) === 29;
    if (doy > (leap ? 366 : 365)) return Number.NaN;
    const days = daysFromCivil(year, 1, 1) + doy - 1;
    if (month > 0 && daysFromCivil(year, month, day) !== days) return Number.NaN;
    return days;
  }
  if (day > daysInMonth(year, month)) return Number.NaN;
  return daysFromCivil(year, month, day);
}

/** The date in buf[start, end) under `format` → days since 1970-01-01; NaN when it does not fit. */
export function parseDateWith(
  format: DateFormat,
  buf: Uint8Array,
  start: number,
  end: number,
): number {
  return match(format, buf, start, end) ? matchedDays() : Number.NaN;
}

/**
 * The timestamp in buf[start, end) under `format` → milliseconds since the epoch (UTC; the
 * %z offset applied); NaN when it does not fit. A format without a time gives midnight.
 */
export function parseTimestampWith(
  format: DateFormat,
  buf: Uint8Array,
  start: number,
  end: number,
): number {
  if (!match(format, buf, start, end)) return Number.NaN;
  const days = matchedDays();
  if (Number.isNaN(days)) return Number.NaN;
  let hour = parts.hour;
  // As strptime: 12 AM is midnight, 12 PM noon; %I without %p reads 12 as 0.
  if (parts.pm === 1) hour = hour === 12 ? 12 : hour + 12;
  else if (hour === 12 && format.twelveHour) hour = 0;
  return (
    days * DAY_MS +
    hour * 3_600_000 +
    parts.minute * 60_000 +
    parts.second * 1000 +
    parts.millis -
    parts.offset * 60_000
  );
}
