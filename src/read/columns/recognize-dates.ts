// Recognition of the common non-ISO date and timestamp spellings ("Jan 1 2000", "01/02/2024",
// "02.01.2024", "Mon, 01 Jan 2024 13:45:00 +0000") in a column that type inference left as
// text. A column is recognized when every value fits one candidate format. Day-first and
// month-first orders are told apart only by the data: when one order is ruled out by a value
// (13 or more in its place) the other is chosen and the notice names that value; when every
// value fits both, the column stays text and the notice asks for a declared format. Nothing
// here runs on columns that are already numbers, booleans or ISO dates, so the common path
// pays nothing for it.
import {
  compileFormat,
  type DateFormat,
  parseDateWith,
  parseTimestampWith,
} from "../../strptime.ts";

/** Date spellings tried, in order of preference; a %m/%d pair is ambiguous with its swap. */
const DATE_SPELLINGS = [
  "%m/%d/%Y",
  "%d/%m/%Y",
  "%m-%d-%Y",
  "%d-%m-%Y",
  "%d.%m.%Y",
  "%m.%d.%Y",
  "%m/%d/%y",
  "%d/%m/%y",
  "%m-%d-%y",
  "%d-%m-%y",
  "%Y/%m/%d",
  "%Y.%m.%d",
  "%Y-%m-%d",
  "%b %d %Y",
  "%b %d, %Y",
  "%d %b %Y",
  "%d %b, %Y",
  "%d-%b-%Y",
  "%d-%b-%y",
  "%a, %d %b %Y",
  "%a, %b %d, %Y",
  "%a %b %d %Y",
] as const;

/** What may follow the date: nothing, or a time of day (and a UTC offset). */
const TIME_SPELLINGS = [
  "",
  " %H:%M",
  " %H:%M:%S",
  " %H:%M:%S.%f",
  " %I:%M %p",
  " %I:%M:%S %p",
  " %I:%M%p",
  " %H:%M %z",
  " %H:%M:%S %z",
  " %H:%M:%S.%f %z",
] as const;

/** Whole spellings that are not a date followed by a time (ctime, as `date` prints it). */
const OTHER_SPELLINGS = ["%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M:%S %z %Y"] as const;

/** Every candidate format text, in order of preference. */
export const RECOGNIZED_FORMATS: readonly string[] = [
  ...DATE_SPELLINGS.flatMap((date) => TIME_SPELLINGS.map((time) => `${date}${time}`)),
  ...OTHER_SPELLINGS,
];

const CANDIDATES: DateFormat[] = RECOGNIZED_FORMATS.map((text) => compileFormat(text));

/** For each candidate, the index of the same format with %m and %d swapped, or -1. */
const SWAPPED: number[] = RECOGNIZED_FORMATS.map((text) =>
  RECOGNIZED_FORMATS.indexOf(text.replace(/%([md])/g, (_, c) => (c === "m" ? "%d" : "%m"))),
).map((index, k) => (index === k ? -1 : index));

/** A value that ruled a candidate out, for the notice. */
export interface Witness {
  text: string;
  line: number;
}

/** What recognition found in a column. */
export type Recognition =
  | {
      outcome: "format";
      format: DateFormat;
      kind: "date" | "timestamp";
      example: Witness;
      /** When the other day/month order was ruled out: its format and the value that did it. */
      decidedBy?: { other: string; witness: Witness };
    }
  | { outcome: "ambiguous"; formats: [string, string]; example: Witness };

/** True when the candidate reads buf[start, end). */
function fits(format: DateFormat, buf: Uint8Array, start: number, end: number): boolean {
  const value = format.hasTime
    ? parseTimestampWith(format, buf, start, end)
    : parseDateWith(format, buf, start, end);
  return !Number.isNaN(value);
}

const decoder = new TextDecoder();

/** Only short texts with a digit can be dates: anything else rules out every candidate. */
function plausible(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start < 6 || end - start > 64) return false;
  for (let i = start; i < end; i++) if (buf[i] >= 0x30 && buf[i] <= 0x39) return true;
  return false;
}

/**
 * Offered a column's values one by one, keeps the candidates that read all of them. `offer`
 * returns false once none is left, so the caller can stop offering.
 */
export class FormatRecognizer {
  private alive: number[] | undefined;
  private readonly ruledOut = new Map<number, Witness>();
  private example: Witness | undefined;

  /** Offers one (non-missing) value; false when no candidate is left. */
  offer(buf: Uint8Array, start: number, end: number, line: number): boolean {
    let alive = this.alive;
    if (alive === undefined) {
      const example = { text: decoder.decode(buf.subarray(start, end)), line };
      this.example = example;
      alive = [];
      if (plausible(buf, start, end)) {
        for (let k = 0; k < CANDIDATES.length; k++) {
          if (fits(CANDIDATES[k], buf, start, end)) alive.push(k);
          else this.ruledOut.set(k, example);
        }
      }
      this.alive = alive;
      return alive.length > 0;
    }
    if (alive.length === 0) return false;
    let kept = 0;
    for (const k of alive) {
      if (fits(CANDIDATES[k], buf, start, end)) alive[kept++] = k;
      else this.ruledOut.set(k, { text: decoder.decode(buf.subarray(start, end)), line });
    }
    alive.length = kept;
    return kept > 0;
  }

  /** Offers a JS string (JSON values). */
  offerText(text: string, line: number): boolean {
    const bytes = new TextEncoder().encode(text);
    return this.offer(bytes, 0, bytes.length, line);
  }

  /** The format every offered value fits, the ambiguity, or undefined (no single format). */
  result(): Recognition | undefined {
    const alive = this.alive;
    if (alive === undefined || alive.length === 0 || this.example === undefined) return undefined;
    const chosen = alive[0];
    const swapped = SWAPPED[chosen];
    const text = RECOGNIZED_FORMATS[chosen];
    if (swapped >= 0 && alive.includes(swapped)) {
      const pair: [string, string] = text.startsWith("%m")
        ? [text, RECOGNIZED_FORMATS[swapped]]
        : [RECOGNIZED_FORMATS[swapped], text];
      return { outcome: "ambiguous", formats: pair, example: this.example };
    }
    const format = CANDIDATES[chosen];
    const recognition: Recognition = {
      outcome: "format",
      format,
      kind: format.hasTime ? "timestamp" : "date",
      example: this.example,
    };
    const witness = swapped >= 0 ? this.ruledOut.get(swapped) : undefined;
    if (witness !== undefined) {
      recognition.decidedBy = { other: RECOGNIZED_FORMATS[swapped], witness };
    }
    return recognition;
  }
}

/** The first candidate format that reads `text`, for a hint; undefined when none does. */
export function formatThatReads(text: string): string | undefined {
  const bytes = new TextEncoder().encode(text);
  if (!plausible(bytes, 0, bytes.length)) return undefined;
  const k = CANDIDATES.findIndex((format) => fits(format, bytes, 0, bytes.length));
  return k < 0 ? undefined : RECOGNIZED_FORMATS[k];
}

/** "month first" or "day first": the order of a format's %m and %d. */
function order(format: string): string {
  return format.indexOf("%m") < format.indexOf("%d") ? "month first" : "day first";
}

/** The line the build log and the report show for a column's recognition. */
export function recognitionNotice(file: string, column: string, found: Recognition): string {
  if (found.outcome === "ambiguous") {
    const [monthFirst, dayFirst] = found.formats;
    return `${file}: column "${column}" is read as text: every value fits both ${monthFirst} (month first) and ${dayFirst} (day first), e.g. ${JSON.stringify(found.example.text)} on line ${found.example.line}. Declare the order, e.g. source: { columns: { ${column}: { type: date, format: "${dayFirst}" } } }.`;
  }
  const what = found.kind === "date" ? "dates" : "timestamps";
  let line = `${file}: column "${column}" is read as ${what} in the form ${found.format.text}, e.g. ${JSON.stringify(found.example.text)} on line ${found.example.line}`;
  if (found.decidedBy !== undefined) {
    const { other, witness } = found.decidedBy;
    line += `; ${order(found.format.text)}, because ${JSON.stringify(witness.text)} on line ${witness.line} does not fit ${other} (${order(other)})`;
  }
  return `${line}. Declare the column under source.columns to read it otherwise.`;
}
