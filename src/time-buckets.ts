// Time buckets on epoch milliseconds, all in UTC, and ISO date parsing (summaries, expressions). The day
// arithmetic underneath is src/calendar.ts (integer math, because buckets run over every row).

import { civilFromDays, DAY_MS, daysFromCivil } from "./calendar.ts";
import type { TimeUnit } from "./vocabulary.ts";

const HOUR_MS = 3_600_000;

/** A histogram/bucket unit: the report's time units plus hours for short timestamp spans. */
export type BucketUnit = TimeUnit | "hour";

/** Start (epoch ms, UTC) of the bucket holding `ms`. Weeks start on Monday (ISO 8601). */
export function bucketStart(ms: number, unit: BucketUnit): number {
  if (unit === "hour") return Math.floor(ms / HOUR_MS) * HOUR_MS;
  const days = Math.floor(ms / DAY_MS);
  if (unit === "day") return days * DAY_MS;
  // 1970-01-01 was a Thursday: three days after a Monday.
  if (unit === "week") return (days - ((((days + 3) % 7) + 7) % 7)) * DAY_MS;
  const { year, month } = civilFromDays(days);
  if (unit === "month") return daysFromCivil(year, month, 1) * DAY_MS;
  if (unit === "quarter") return daysFromCivil(year, month - ((month - 1) % 3), 1) * DAY_MS;
  return daysFromCivil(year, 1, 1) * DAY_MS;
}

/** Start of the bucket `steps` buckets after the one starting at `start` (negative: before). */
export function addBuckets(start: number, unit: BucketUnit, steps: number): number {
  if (unit === "hour") return start + steps * HOUR_MS;
  if (unit === "day") return start + steps * DAY_MS;
  if (unit === "week") return start + steps * 7 * DAY_MS;
  const months = unit === "month" ? steps : unit === "quarter" ? steps * 3 : steps * 12;
  const { year, month } = civilFromDays(Math.floor(start / DAY_MS));
  const index = year * 12 + (month - 1) + months;
  return daysFromCivil(Math.floor(index / 12), (index % 12) + 1, 1) * DAY_MS;
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Epoch ms of an ISO 8601 date or date-time; undefined when `text` is not one. A time without
 * a zone is read as UTC (unlike Date.parse, which reads it as local time).
 */
export function parseIso(text: string): number | undefined {
  const m = ISO_PATTERN.exec(text.trim());
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const days = daysFromCivil(year, month, day);
  if (civilFromDays(days).month !== month) return undefined;
  const hours = Number(m[4] ?? 0);
  const minutes = Number(m[5] ?? 0);
  const seconds = Number(m[6] ?? 0);
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  let offset = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
  }
  return days * DAY_MS + hours * HOUR_MS + minutes * 60_000 + seconds * 1000 + fraction - offset;
}
