// The change summary in words: each kind of change as the report and the email say it, in
// the report's number format, and the section's headline. Expected sentences are written out
// from the figures given.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChangeSummary } from "../src/history/changes.ts";
import { changesHeadline, describeChange } from "../src/history/describe.ts";

const en = { locale: "en-US", currency: "USD" };
const de = { locale: "de-DE", currency: "EUR" };

test("each kind of change as a sentence", () => {
  const cases: [Parameters<typeof describeChange>[0], string][] = [
    [
      { kind: "column_added", column: "channel", after: "string" },
      "New column “channel” (string).",
    ],
    [
      { kind: "column_removed", column: "note", before: "string" },
      "Column “note” (string) is gone.",
    ],
    [
      { kind: "column_retyped", column: "qty", before: "integer", after: "float" },
      "Column “qty” changed type: integer → float.",
    ],
    [{ kind: "rows", before: 2000, after: 1000, size: -0.5 }, "Rows fell 50%: 2,000 → 1,000."],
    [{ kind: "rows", before: 1000, after: 1500, size: 0.5 }, "Rows rose 50%: 1,000 → 1,500."],
    [
      { kind: "kpi", kpi: "Revenue", format: "currency", before: 1000, after: 1250, size: 0.25 },
      "Revenue: $1,000.00 → $1,250.00 (+25%).",
    ],
    [
      { kind: "shift", column: "amount", size: 0.547 },
      "The distribution of “amount” shifted (KS distance 0.55).",
    ],
    [
      { kind: "mean", column: "amount", before: 100, after: 130, size: 1.5 },
      "Mean of “amount”: 100 → 130 (1.5 SD).",
    ],
    [
      { kind: "quantiles", column: "amount", detail: "p95", before: 133, after: 163, size: 1.5 },
      "p95 of “amount”: 133 → 163.",
    ],
    [
      { kind: "missing", column: "email", before: 0.02, after: 0.3, size: 0.28 },
      "Missing values in “email”: 2% → 30%.",
    ],
    [
      { kind: "new_category", column: "region", detail: "Antarctica", after: 12 },
      "“region” has a new value, “Antarctica” (12 rows).",
    ],
    [
      { kind: "vanished_category", column: "region", detail: "Europe", before: 1200 },
      "“region” no longer has “Europe” (1,200 rows last time).",
    ],
    [
      { kind: "distinct", column: "product", before: 200, after: 120, size: 0.4 },
      "Distinct values of “product”: 200 → 120.",
    ],
  ];
  for (const [change, sentence] of cases) assert.equal(describeChange(change, en), sentence);
});

test("numbers follow the report's locale", () => {
  assert.equal(
    describeChange({ kind: "rows", before: 12000, after: 6000, size: -0.5 }, de),
    "Rows fell 50\u00a0%: 12.000 → 6.000.", // Intl puts a no-break space before %,
  );
});

test("the headline: how many, or that nothing notable changed", () => {
  const summary = (notable: number, sameData: boolean): ChangeSummary => ({
    previous: { builtAt: "2026-01-01T00:00:00.000Z", rows: 1, data: { label: "x" } },
    sameData,
    notable: Array.from({ length: notable }, () => ({ kind: "rows" as const })),
    kpis: [],
  });
  assert.equal(changesHeadline(summary(1, false)), "1 notable change since the last run.");
  assert.equal(changesHeadline(summary(3, false)), "3 notable changes since the last run.");
  assert.equal(changesHeadline(summary(0, false)), "Nothing notable changed since the last run.");
  assert.equal(
    changesHeadline(summary(0, true)),
    "Nothing changed since the last run: the data is the same.",
  );
});
