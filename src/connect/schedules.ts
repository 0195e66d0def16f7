// `publish --schedule`: when Connect re-renders a rendered report, through the schedule API
// (docs/design/connect-api.md §5.4, from §3.1; marked experimental by connectapi). A schedule belongs to
// the content's default variant; its body names a type and a small JSON document, which
// connectapi sends as a JSON *string* (R/schedule.R `set_schedule`): e.g. type "day" with
// schedule "{\"N\":1}", or type "dayofweek" with "{\"Days\":[1,4]}" (0 = Sunday).
import { ReportError } from "../errors.ts";
import { ConnectApiError, type ConnectClient } from "./client.ts";

/** The schedule types this tool writes (a subset of connectapi's `schedule_types`). */
export const SCHEDULE_TYPES = ["minute", "hour", "day", "weekday", "dayofweek"] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** What `--schedule` asks for, before it is tied to a variant. */
export interface SchedulePlan {
  type: ScheduleType;
  /** The type's parameters, e.g. {N: 1} or {Days: [1, 4]}; `weekday` has none. */
  schedule: { N?: number; Days?: number[] };
  /** The first run, UTC, at the chosen time of day in `timezone`. */
  start_time: string;
  timezone: string;
  /** For the log: "every day at 07:30 (Europe/Berlin)". */
  description: string;
}

/** The body Connect's schedule endpoints take. */
export interface ScheduleBody {
  type: ScheduleType;
  /** JSON text of the type's parameters. */
  schedule: string;
  start_time: string;
  timezone: string;
  activate: boolean;
  email: boolean;
}

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

const SCHEDULE_HINT =
  'Use "hourly", "every 6 hours", "daily 07:30", "weekdays 07:30", "weekly mon,thu 07:30", or cron-like "30 7 * * 1-5" (minute hour * * days), with --timezone Area/City.';

function refuse(text: string): never {
  throw new ReportError(`--schedule "${text}" is not a schedule this tool understands`, {
    hint: SCHEDULE_HINT,
  });
}

/** The machine's time zone, the default for --timezone. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** An IANA time zone name, checked against the runtime's list. */
export function checkTimeZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new ReportError(`Unknown time zone "${zone}" (--timezone)`, {
      hint: "Use an IANA name such as Europe/Berlin, America/New_York or UTC.",
    });
  }
}

/** Wall-clock parts of instant `ms` in `zone`. */
function zonedParts(ms: number, zone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    y: get("year"),
    m: get("month"),
    d: get("day"),
    h: get("hour"),
    min: get("minute"),
    s: get("second"),
  };
}

/** The instant when the wall clock in `zone` shows y-m-d h:min (DST gaps move forward). */
function zonedToUtc(y: number, m: number, d: number, h: number, min: number, zone: string): number {
  const wall = Date.UTC(y, m - 1, d, h, min);
  let t = wall;
  for (let i = 0; i < 3; i++) {
    const p = zonedParts(t, zone);
    const offset = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - t;
    t = wall - offset;
  }
  return t;
}

/** The first instant after `now` at h:min in `zone` on a day whose weekday is in `days`. */
function nextAt(now: Date, h: number, min: number, zone: string, days?: readonly number[]): Date {
  const today = zonedParts(now.getTime(), zone);
  for (let add = 0; add <= 8; add++) {
    const date = new Date(Date.UTC(today.y, today.m - 1, today.d + add));
    if (days && !days.includes(date.getUTCDay())) continue;
    const t = zonedToUtc(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      h,
      min,
      zone,
    );
    if (t > now.getTime()) return new Date(t);
  }
  throw new Error("unreachable: a matching day comes within a week");
}

/** The next full hour after `now`. */
function nextFullHour(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 3_600_000 + 1) * 3_600_000);
}

function parseTime(text: string | undefined, raw: string): { h: number; min: number } {
  if (text === undefined) return { h: 6, min: 0 };
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) refuse(raw);
  return { h: Number(match[1]), min: Number(match[2]) };
}

function parseDays(text: string, raw: string): number[] {
  const out = new Set<number>();
  for (const part of text.toLowerCase().split(",")) {
    const range = /^([a-z]{3}|\d)(?:-([a-z]{3}|\d))?$/.exec(part.trim());
    if (!range) refuse(raw);
    const day = (t: string) => {
      const n = /^\d$/.test(t)
        ? Number(t) % 7
        : DAYS.indexOf(t.slice(0, 3) as (typeof DAYS)[number]);
      if (n < 0 || (/^\d$/.test(t) && Number(t) > 7)) refuse(raw);
      return n;
    };
    const from = day(range[1]);
    const to = range[2] === undefined ? from : day(range[2]);
    for (let d = from; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === to) break;
    }
  }
  return [...out].sort((a, b) => a - b);
}

const pad = (n: number) => String(n).padStart(2, "0");
const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/** Parse `--schedule` into a schedule type, its parameters and the first run after `now`. */
export function planSchedule(text: string, timezone: string, now: Date): SchedulePlan {
  const zone = checkTimeZone(timezone);
  const raw = text.trim().replace(/\s+/g, " ");
  const lower = raw.toLowerCase();
  const plan = (
    type: ScheduleType,
    schedule: SchedulePlan["schedule"],
    start: Date,
    description: string,
  ): SchedulePlan => ({
    type,
    schedule,
    start_time: iso(start),
    timezone: zone,
    description: `${description} (${zone})`,
  });
  const at = (h: number, min: number) => `at ${pad(h)}:${pad(min)}`;
  const weekly = (days: number[], h: number, min: number) =>
    plan(
      "dayofweek",
      { Days: days },
      nextAt(now, h, min, zone, days),
      `weekly on ${days.map((d) => DAYS[d]).join(",")} ${at(h, min)}`,
    );
  const forms: [RegExp, (m: RegExpExecArray) => SchedulePlan][] = [
    [/^hourly$/, () => plan("hour", { N: 1 }, nextFullHour(now), "every hour")],
    [
      /^every (\d{1,3}) ?(minutes?|min|m|hours?|h|days?|d)$/,
      (m) => {
        const n = Number(m[1]);
        if (n < 1) refuse(raw);
        const soon = new Date(now.getTime() + 60_000);
        if (m[2][0] === "m") return plan("minute", { N: n }, soon, `every ${n} min`);
        if (m[2][0] === "h") return plan("hour", { N: n }, soon, `every ${n} h`);
        return plan("day", { N: n }, nextAt(now, 6, 0, zone), `every ${n} days ${at(6, 0)}`);
      },
    ],
    [
      /^daily(?: (\S+))?$/,
      (m) => {
        const { h, min } = parseTime(m[1], raw);
        return plan("day", { N: 1 }, nextAt(now, h, min, zone), `every day ${at(h, min)}`);
      },
    ],
    [
      /^weekdays(?: (\S+))?$/,
      (m) => {
        const { h, min } = parseTime(m[1], raw);
        const start = nextAt(now, h, min, zone, [1, 2, 3, 4, 5]);
        return plan("weekday", {}, start, `Monday to Friday ${at(h, min)}`);
      },
    ],
    [
      /^weekly (\S+)(?: (\S+))?$/,
      (m) => {
        const { h, min } = parseTime(m[2], raw);
        return weekly(parseDays(m[1], raw), h, min);
      },
    ],
    [
      /^(\d{1,2}) (\d{1,2}) \* \* (\S+)$/,
      (m) => {
        const min = Number(m[1]);
        const h = Number(m[2]);
        if (min > 59 || h > 23) refuse(raw);
        if (m[3] !== "*") return weekly(parseDays(m[3], raw), h, min);
        return plan("day", { N: 1 }, nextAt(now, h, min, zone), `every day ${at(h, min)}`);
      },
    ],
  ];
  for (const [pattern, make] of forms) {
    const match = pattern.exec(lower);
    if (match) return make(match);
  }
  refuse(raw);
}

/** The request body for a plan. */
export function scheduleBody(plan: SchedulePlan, email: boolean): ScheduleBody {
  return {
    type: plan.type,
    schedule: JSON.stringify(plan.schedule),
    start_time: plan.start_time,
    timezone: plan.timezone,
    activate: true,
    email,
  };
}

/** A variant as `GET /applications/{guid}/variants` returns it (fields read here). */
export interface Variant {
  id: number | string;
  app_id: number | string;
  key?: string;
  is_default?: boolean;
  rendering_id?: number | string | null;
}

/** A schedule as `GET /variants/{id}/schedules` returns it (fields read here). */
export interface Schedule {
  id: number | string;
  type?: string;
  schedule?: string;
}

/** The content's default variant (the one a schedule and its email belong to). */
export async function defaultVariant(client: ConnectClient, guid: string): Promise<Variant> {
  const variants = await client.request<unknown>("GET", `applications/${guid}/variants`);
  const list = Array.isArray(variants) ? (variants as Variant[]) : [];
  const variant = list.find((v) => v?.is_default === true) ?? list[0];
  if (!variant || variant.id === undefined || variant.app_id === undefined) {
    throw new ReportError(
      "Connect lists no variant for this content, so it cannot be scheduled yet",
      {
        hint: "Wait for the first render to finish on Connect, then publish again with --schedule (or set it in the content's Schedule panel).",
      },
    );
  }
  return variant;
}

/** Create the variant's schedule, or replace the one it has; returns whether it was new. */
export async function applySchedule(
  client: ConnectClient,
  variant: Variant,
  body: ScheduleBody,
): Promise<"created" | "updated"> {
  const existing = await client.request<unknown>("GET", `variants/${variant.id}/schedules`);
  const [current] = Array.isArray(existing) ? (existing as Schedule[]) : [];
  if (current?.id !== undefined) {
    await client.request("POST", `schedules/${current.id}`, { json: body, idempotent: true });
    return "updated";
  }
  await client.request("POST", "schedules", {
    json: { app_id: variant.app_id, variant_id: variant.id, ...body },
  });
  return "created";
}

/**
 * A 404 from the unversioned variant or schedule endpoints: the server predates (or has
 * dropped) the experimental schedule API.
 */
export function scheduleApiMissing(error: unknown): boolean {
  return error instanceof ConnectApiError && error.status === 404;
}
