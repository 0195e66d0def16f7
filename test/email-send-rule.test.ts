// The send rule decides on the Summary: each kind of rule, each way, with the reason given.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseReportSpec } from "../src/config/load.ts";
import type { SendRule } from "../src/config/spec.ts";
import { decideSend } from "../src/email/send-rule.ts";
import type { Alert, KpiValue, Summary } from "../src/summarize/summary.ts";

/** A send rule read from YAML, as a definition would give it. */
function rule(send: string): SendRule {
  const spec = parseReportSpec(
    `title: T
source: data.csv
queries:
  late: { group_by: [region], measures: { n: count() } }
sections:
  - kpis:
      - { label: Revenue, value: sum(revenue), format: currency, compare: { column: day, period: month } }
      - { label: Orders, value: count() }
email:
  send: ${send}
`,
    "report.yml",
    {},
  );
  return spec.email!.send;
}

const ALERT: Alert = { kind: "missing", column: "note", value: 0.9, message: "'note' is missing" };

function summary(options: {
  revenue?: number;
  change?: number | null;
  orders?: number;
  alerts?: Alert[];
  lateRows?: number;
  rows?: number;
}): Summary {
  const kpis: KpiValue[] = [
    {
      section: 0,
      label: "Revenue",
      format: "currency",
      value: options.revenue ?? 100,
      comparison: {
        current: "2026-02-01",
        previous: "2026-01-01",
        currentValue: 1,
        previousValue: 1,
        change: options.change === undefined ? 0 : options.change,
      },
    },
    { section: 0, label: "Orders", format: "integer", value: options.orders ?? 10 },
  ];
  return {
    rows: options.rows ?? 10,
    columns: [],
    queries: {
      late: {
        name: "late",
        columns: [{ name: "region", type: "string" }],
        rows: Array.from({ length: options.lateRows ?? 0 }, (_, i) => ({ region: `r${i}` })),
      },
    },
    kpis,
    alerts: options.alerts ?? [],
  };
}

test("always sends", () => {
  assert.deepEqual(decideSend(rule("always"), summary({})), {
    send: true,
    reason: "the send rule is always",
  });
});

test("on_alert sends with alerts and holds back without", () => {
  assert.deepEqual(decideSend(rule("on_alert"), summary({ alerts: [ALERT, ALERT] })), {
    send: true,
    reason: "2 data quality alerts",
  });
  assert.deepEqual(decideSend(rule("on_alert"), summary({})), {
    send: false,
    reason: "no data quality alerts",
  });
});

test("a KPI change beyond a threshold, either way", () => {
  const both = rule("[{ kpi: Revenue, change_above: 10% }, { kpi: Revenue, change_below: -10% }]");
  assert.deepEqual(decideSend(both, summary({ change: 0.25 })), {
    send: true,
    reason: "Revenue change above 10%",
  });
  assert.deepEqual(decideSend(both, summary({ change: -0.5 })), {
    send: true,
    reason: "Revenue change below -10%",
  });
  const quiet = decideSend(both, summary({ change: 0.1 }));
  assert.equal(quiet.send, false, "exactly 10% is not above 10%");
  assert.equal(
    quiet.reason,
    "no condition holds (Revenue change above 10%; Revenue change below -10%)",
  );
  // No previous period to compare with: the change is unknown and holds nothing.
  assert.equal(decideSend(both, summary({ change: null })).send, false);
});

test("a KPI value above, below or equal to a number", () => {
  assert.equal(
    decideSend(rule("[{ kpi: Revenue, above: 1000 }]"), summary({ revenue: 1000.01 })).send,
    true,
  );
  assert.equal(
    decideSend(rule("[{ kpi: Revenue, above: 1000 }]"), summary({ revenue: 1000 })).send,
    false,
  );
  assert.equal(
    decideSend(rule("[{ kpi: Revenue, below: 50 }]"), summary({ revenue: 49 })).send,
    true,
  );
  assert.equal(decideSend(rule("[{ kpi: Orders, equals: 0 }]"), summary({ orders: 0 })).send, true);
  assert.equal(
    decideSend(rule("[{ kpi: Orders, equals: 0 }]"), summary({ orders: 1 })).send,
    false,
  );
});

test("a query's row count of zero, or above zero", () => {
  const none = rule("[{ query: late, rows_equals: 0 }]");
  assert.deepEqual(decideSend(none, summary({ lateRows: 0 })), {
    send: true,
    reason: "rows of late equals 0",
  });
  assert.equal(decideSend(none, summary({ lateRows: 3 })).send, false);
  const some = rule("[{ query: late, rows_above: 0 }]");
  assert.equal(decideSend(some, summary({ lateRows: 3 })).send, true);
  assert.equal(decideSend(some, summary({ lateRows: 0 })).send, false);
  // Without a query: the data's own row count.
  assert.equal(decideSend(rule("[{ rows_below: 100 }]"), summary({ rows: 99 })).send, true);
  assert.equal(decideSend(rule("[{ rows_below: 100 }]"), summary({ rows: 100 })).send, false);
});

test("on_alert inside a condition list counts as one more condition", () => {
  const r = rule("[{ kpi: Orders, equals: 0 }, on_alert]");
  assert.deepEqual(decideSend(r, summary({ alerts: [ALERT] })), {
    send: true,
    reason: "1 data quality alert",
  });
  assert.deepEqual(decideSend(r, summary({})), {
    send: false,
    reason: "no condition holds (Orders equals 0; on_alert)",
  });
});
