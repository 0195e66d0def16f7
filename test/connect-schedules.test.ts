// `--schedule` text to Connect's schedule body (src/connect/schedules.ts): the type and its
// parameters as connectapi writes them (R/schedule.R), and the first run at the wall-clock
// time in the time zone. Expected UTC instants come from Python's zoneinfo, e.g.
// datetime(2026,3,29,7,30,tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC).
import assert from "node:assert/strict";
import { test } from "node:test";
import { planSchedule, scheduleBody } from "../src/connect/schedules.ts";
import { ReportError } from "../src/errors.ts";

const body = (text: string, zone: string, now: string) =>
  scheduleBody(planSchedule(text, zone, new Date(now)), false);

test("daily: the next 07:30 in Berlin crosses the switch to summer time", () => {
  // Saturday 28 March 2026, 13:00 in Berlin: today's 07:30 has passed; Sunday is CEST.
  assert.deepEqual(body("daily 07:30", "Europe/Berlin", "2026-03-28T12:00:00Z"), {
    type: "day",
    schedule: '{"N":1}',
    start_time: "2026-03-29T05:30:00Z",
    timezone: "Europe/Berlin",
    activate: true,
    email: false,
  });
  // Earlier the same Saturday, 07:30 CET is still ahead.
  assert.equal(
    body("daily 07:30", "Europe/Berlin", "2026-03-28T05:00:00Z").start_time,
    "2026-03-28T06:30:00Z",
  );
});

test("weekly: days of the week as Connect numbers them (0 = Sunday), after the fall back", () => {
  // Friday 30 October 2026; New York leaves summer time on Sunday 1 November.
  const b = body("weekly mon 07:30", "America/New_York", "2026-10-30T12:00:00Z");
  assert.equal(b.type, "dayofweek");
  assert.equal(b.schedule, '{"Days":[1]}');
  assert.equal(b.start_time, "2026-11-02T12:30:00Z");
  assert.equal(
    body("weekly sat,sun 10:00", "UTC", "2026-10-30T12:00:00Z").schedule,
    '{"Days":[0,6]}',
  );
});

test("cron-like: minute hour * * days, with 7 as Sunday and ranges", () => {
  assert.equal(
    body("30 7 * * 1-5", "UTC", "2026-10-30T12:00:00Z").schedule,
    '{"Days":[1,2,3,4,5]}',
  );
  assert.equal(body("0 9 * * 7", "UTC", "2026-10-30T12:00:00Z").schedule, '{"Days":[0]}');
  const daily = body("15 23 * * *", "Asia/Kolkata", "2026-01-16T12:00:00Z");
  assert.equal(daily.type, "day");
  assert.equal(daily.start_time, "2026-01-16T17:45:00Z");
});

test("hourly, every N hours or minutes, weekdays", () => {
  const hourly = body("hourly", "UTC", "2026-01-16T12:20:05Z");
  assert.deepEqual(
    [hourly.type, hourly.schedule, hourly.start_time],
    ["hour", '{"N":1}', "2026-01-16T13:00:00Z"],
  );
  assert.equal(body("every 6 hours", "UTC", "2026-01-16T12:20:05Z").schedule, '{"N":6}');
  assert.equal(body("every 15 min", "UTC", "2026-01-16T12:20:05Z").type, "minute");
  const weekdays = body("weekdays 08:00", "UTC", "2026-01-16T12:00:00Z");
  // connectapi sends the weekday type with an empty document.
  assert.deepEqual([weekdays.type, weekdays.schedule], ["weekday", "{}"]);
  // Friday noon: the next weekday 08:00 is Monday the 19th.
  assert.equal(weekdays.start_time, "2026-01-19T08:00:00Z");
});

test("what cannot be read is a ReportError with the accepted forms", () => {
  for (const text of ["daily 25:00", "weekly xyz", "every 0 hours", "60 7 * * *", "sometimes"]) {
    assert.throws(
      () => planSchedule(text, "UTC", new Date("2026-01-16T12:00:00Z")),
      (e: unknown) =>
        e instanceof ReportError &&
        /is not a schedule/.test(e.message) &&
        /daily 07:30/.test(e.hint ?? ""),
      text,
    );
  }
});
