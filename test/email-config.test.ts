// The definition's email: block: defaults, what it reads, and errors located at file:line:col.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseReportSpec } from "../src/config/load.ts";
import { ReportError } from "../src/errors.ts";

const BASE = `title: Sales
source: data/orders.csv
queries:
  by_region: { group_by: [region], measures: { revenue: sum(revenue) } }
  late: { group_by: [region], measures: { n: count() }, filter: "revenue < 0" }
sections:
  - kpis:
      - { label: Revenue, value: sum(revenue), format: currency }
      - { label: Orders, value: count() }
  - chart: { title: Revenue by region, query: by_region, mark: bar, x: region, y: revenue }
  - histogram: { title: Revenue spread, column: revenue }
  - table: { query: by_region }
`;

function parse(email: string) {
  return parseReportSpec(`${BASE}${email}`, "report.yml", {});
}

function parseError(email: string): ReportError {
  try {
    parse(email);
  } catch (error) {
    assert.ok(error instanceof ReportError, String(error));
    return error;
  }
  assert.fail("parsed without error");
}

/** The line number of `needle` in the whole definition, counting from 1. */
function lineOf(email: string, needle: string): number {
  return `${BASE}${email}`.split("\n").findIndex((line) => line.includes(needle)) + 1;
}

describe("email: defaults", () => {
  test("without the block: KPIs, alerts, the first chart, always sent", () => {
    const spec = parse("");
    assert.deepEqual(spec.email, {
      subject: "{title} ({date})",
      kpis: true,
      alerts: true,
      charts: [1],
      send: { kind: "always" },
    });
  });
});

describe("email: what it reads", () => {
  test("subject, parts, charts by title, a short table and a send rule with conditions", () => {
    const spec = parse(`email:
  subject: "{title}: {kpi.Revenue} ({kpi.Revenue.change}), {rows} rows"
  alerts: false
  charts: [Revenue spread, Revenue by region]
  table: { query: by_region, rows: 3 }
  text: Numbers are in USD.
  send:
    - { kpi: Revenue, change_below: -10% }
    - { kpi: Orders, equals: 0 }
    - { query: late, rows_above: 0 }
    - on_alert
`);
    const email = spec.email!;
    assert.equal(email.subject, "{title}: {kpi.Revenue} ({kpi.Revenue.change}), {rows} rows");
    assert.equal(email.kpis, true);
    assert.equal(email.alerts, false);
    assert.deepEqual(email.charts, [2, 1]);
    assert.deepEqual(email.table, { query: "by_region", rows: 3 });
    assert.equal(email.text, "Numbers are in USD.");
    assert.equal(email.send.kind, "when");
    if (email.send.kind !== "when") return;
    assert.equal(email.send.onAlert, true);
    assert.deepEqual(
      email.send.conditions.map((c) => [c.subject, c.op, c.threshold, c.text]),
      [
        [
          { kind: "kpi", label: "Revenue", of: "change" },
          "below",
          -0.1,
          "Revenue change below -10%",
        ],
        [{ kind: "kpi", label: "Orders", of: "value" }, "equals", 0, "Orders equals 0"],
        [{ kind: "rows", query: "late" }, "above", 0, "rows of late above 0"],
      ],
    );
  });

  test("send: on_alert and an empty chart list", () => {
    const email = parse("email:\n  charts: []\n  send: on_alert\n").email!;
    assert.deepEqual(email.charts, []);
    assert.deepEqual(email.send, { kind: "on_alert" });
  });
});

describe("email: errors name the file, line, column and field", () => {
  const cases: [string, string, string, RegExp][] = [
    [
      "an unknown field",
      "email:\n  subjekt: Hi\n",
      "subjekt",
      /^report\.yml:\d+:3: email\.subjekt: unknown field 'subjekt'; did you mean 'subject'\?/,
    ],
    [
      "an unknown placeholder",
      'email:\n  subject: "{titl} update"\n',
      "{titl}",
      /^report\.yml:\d+:12: email\.subject: unknown placeholder \{titl\}; did you mean 'title'\?/,
    ],
    [
      "a KPI the report does not have",
      'email:\n  subject: "{kpi.Revenu}"\n',
      "{kpi.Revenu}",
      /email\.subject: \{kpi\.Revenu\}: the report has no KPI labelled 'Revenu'; did you mean 'Revenue'\?/,
    ],
    [
      "a chart title that is not a section",
      "email:\n  charts: [Revenue by regoin]\n",
      "regoin",
      /email\.charts\[0\]: no chart titled 'Revenue by regoin'; did you mean 'Revenue by region'\?/,
    ],
    [
      "a send rule that is not one",
      "email:\n  send: sometimes\n",
      "sometimes",
      /email\.send: 'sometimes' is not a send rule/,
    ],
    [
      "a condition on a missing KPI",
      "email:\n  send:\n    - { kpi: Profit, above: 0 }\n",
      "Profit",
      /email\.send\[0\]\.kpi: the report has no KPI labelled 'Profit'/,
    ],
    [
      "a condition with two comparisons",
      "email:\n  send:\n    - { kpi: Revenue, above: 0, below: 9 }\n",
      "above: 0",
      /email\.send\[0\]: one comparison per condition; found above, below/,
    ],
    [
      "a threshold that is not a number",
      "email:\n  send:\n    - { kpi: Revenue, change_above: lots }\n",
      "lots",
      /email\.send\[0\]\.change_above: expected a number or a percentage such as -10%, found 'lots'/,
    ],
    [
      "rows of a query that does not exist",
      "email:\n  send:\n    - { query: lately, rows_equals: 0 }\n",
      "lately",
      /email\.send\[0\]\.query: no query named 'lately'; did you mean 'late'\?/,
    ],
    [
      "a table of an unknown query",
      "email:\n  table: { query: by_regio }\n",
      "query: by_regio }",
      /email\.table\.query: no query named 'by_regio'; did you mean 'by_region'\?/,
    ],
  ];
  for (const [name, email, needle, message] of cases) {
    test(name, () => {
      const error = parseError(email);
      assert.match(error.message, message);
      const line = Number(/^report\.yml:(\d+):/.exec(error.message)?.[1]);
      assert.equal(line, lineOf(email, needle), error.message);
    });
  }
});
