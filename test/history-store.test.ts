// The local history store and the pieces of the change summary that can be checked on their
// own: runs are never replaced, builds at the same moment get their own run, retention by
// count and age, the history folder may not sit inside the output, and the KS distance on
// histograms against distances worked out by hand.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultHistory } from "../src/config/history.ts";
import { ReportError } from "../src/errors.ts";
import { defaultHistoryFolder, openHistoryStore } from "../src/history/index.ts";
import { localHistoryStore } from "../src/history/local-store.ts";
import { ksDistance } from "../src/history/shift.ts";
import { appendRun, expiredRuns, runName, runTime } from "../src/history/store.ts";
import { recordingEffects } from "./helpers/effects.ts";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "history-store-"));
});
after(() => rm(dir, { recursive: true, force: true }));

describe("local store", () => {
  test("a run name carries its build time", () => {
    const at = new Date("2026-05-06T07:08:09.123Z");
    const name = runName(at);
    assert.match(name, /^run-20260506T070809123Z-[0-9a-f]{8}\.json$/);
    assert.equal(runTime(name).toISOString(), at.toISOString());
  });

  test("an existing run is never replaced", async () => {
    const store = localHistoryStore(join(dir, "once"));
    const name = runName(new Date("2026-05-01T00:00:00Z"));
    assert.equal(await store.create(name, "first"), true);
    assert.equal(await store.create(name, "second"), false);
    assert.equal(await readFile(join(dir, "once", name), "utf8"), "first");
    // No temporary file is left behind.
    assert.deepEqual(await readdir(join(dir, "once")), [name]);
  });

  test("twenty runs written at the same moment are twenty runs", async () => {
    const store = localHistoryStore(join(dir, "many"));
    const at = new Date("2026-05-02T00:00:00Z");
    const names = await Promise.all(
      Array.from({ length: 20 }, (_, i) => appendRun(store, at, `run ${i}`)),
    );
    assert.equal(new Set(names).size, 20);
    assert.deepEqual(await store.list(), [...names].sort());
    const texts = await Promise.all(names.map((name) => store.read(name)));
    assert.deepEqual(
      texts,
      names.map((_, i) => `run ${i}`),
    );
  });

  test("other files in the folder are not runs", async () => {
    const folder = join(dir, "mixed");
    const store = localHistoryStore(folder);
    const name = await appendRun(store, new Date("2026-05-03T00:00:00Z"), "x");
    await writeFile(join(folder, "notes.txt"), "mine");
    await writeFile(join(folder, "run-latest.json"), "{}");
    assert.deepEqual(await store.list(), [name]);
  });
});

describe("retention", () => {
  const day = (d: number) =>
    `run-202605${String(d).padStart(2, "0")}T000000000Z-0000000${d % 10}.json`;
  const names = [1, 2, 3, 4, 5].map(day);

  test("by count: the oldest go, the current run stays", () => {
    const now = new Date("2026-05-05T00:00:00Z");
    assert.deepEqual(expiredRuns(names, { runs: 3, now, current: day(5) }), [day(1), day(2)]);
    assert.deepEqual(expiredRuns(names, { runs: 5, now, current: day(5) }), []);
  });

  test("by age: runs older than the days kept go", () => {
    const now = new Date("2026-05-05T12:00:00Z");
    // Cut-off 2026-05-03T12:00: runs of May 1, 2 and 3 (midnight) are older.
    assert.deepEqual(expiredRuns(names, { runs: 100, days: 2, now, current: day(5) }), [
      day(1),
      day(2),
      day(3),
    ]);
  });

  test("the current run is never removed, even when it is the oldest", () => {
    const now = new Date("2026-06-30T00:00:00Z");
    assert.deepEqual(expiredRuns(names, { runs: 1, days: 1, now, current: day(1) }), [
      day(2),
      day(3),
      day(4),
      day(5),
    ]);
  });
});

describe("where the history lives", () => {
  test("by default beside the output folder, one folder per output", () => {
    assert.equal(
      defaultHistoryFolder("/srv/report/output"),
      "/srv/report/.connect-s3-report-history/output",
    );
  });

  test("a folder inside the output folder is refused", () => {
    const spec = { ...defaultHistory(), folder: "/srv/report/output/history" };
    assert.throws(
      () =>
        openHistoryStore(spec, {
          outDir: "/srv/report/output",
          source: { csv: {} },
          effects: recordingEffects(),
        }),
      (error) =>
        error instanceof ReportError &&
        /history folder \/srv\/report\/output\/history is inside the output folder/.test(
          error.message,
        ),
    );
  });
});

describe("KS distance on histograms", () => {
  const uniform = (start: number, end: number, bins: number, count: number) =>
    Array.from({ length: bins }, (_, i) => ({
      start: start + ((end - start) * i) / bins,
      end: start + ((end - start) * (i + 1)) / bins,
      count,
    }));

  test("the same distribution in other bins is 0", () => {
    assert.ok((ksDistance(uniform(0, 10, 5, 20), uniform(0, 10, 20, 5)) ?? 1) < 1e-12);
  });

  test("no overlap is 1", () => {
    assert.equal(ksDistance(uniform(0, 1, 4, 10), uniform(2, 3, 4, 10)), 1);
  });

  test("uniform on [0, 1) against [0.5, 1.5) is 0.5", () => {
    // F(x) = x and G(x) = x − 0.5 on [0.5, 1]: the gap is 0.5 everywhere there.
    assert.ok(
      Math.abs((ksDistance(uniform(0, 1, 10, 7), uniform(0.5, 1.5, 10, 3)) ?? 0) - 0.5) < 1e-12,
    );
  });

  test("point masses: a constant that moves is 1; one of two values that moves is 0.5", () => {
    assert.equal(ksDistance([{ start: 3, end: 3, count: 9 }], [{ start: 4, end: 4, count: 2 }]), 1);
    const before = [
      { start: 1, end: 1, count: 5 },
      { start: 2, end: 2, count: 5 },
    ];
    const after = [
      { start: 1, end: 1, count: 5 },
      { start: 3, end: 3, count: 5 },
    ];
    assert.equal(ksDistance(before, after), 0.5);
  });

  test("an empty histogram has no distance", () => {
    assert.equal(ksDistance([], uniform(0, 1, 2, 1)), undefined);
  });
});
