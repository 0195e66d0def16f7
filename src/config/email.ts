// The definition's `email:` block: the subject (with placeholders), what the mail carries
// (KPIs, alerts, chosen charts, a short table, a paragraph) and the send rule. Read here so
// its errors are located like every other definition error; src/email/ uses the result.

import { CHANGE_KINDS, type ChangeKind, isOneOf, SEND_OPS } from "../vocabulary.ts";
import { didYouMean } from "./closest.ts";
import {
  type Checker,
  chartDependencies,
  describe,
  Fields,
  kpiDependencies,
  quoted,
  scalarText,
} from "./fields.ts";
import type {
  EmailSpec,
  FieldPath,
  QuerySpec,
  SectionSpec,
  SendCondition,
  SendOp,
  SendRule,
  SendSubject,
} from "./spec.ts";
import type { YNode } from "./yaml-tree.ts";

const EMAIL_FIELDS = ["subject", "kpis", "alerts", "charts", "table", "text", "send"] as const;

/** The subject when the definition names none. */
export const DEFAULT_SUBJECT = "{title} ({date})";

/** Placeholders a subject may use besides {kpi.<label>} and {kpi.<label>.change}. */
export const SUBJECT_PLACEHOLDERS = ["title", "date", "rows", "alerts"] as const;

/** Rows of the email's table when `rows` is not given. */
export const DEFAULT_TABLE_ROWS = 5;

const CONDITION_KEYS = [
  "kpi",
  "query",
  ...SEND_OPS,
  ...SEND_OPS.map((op) => `change_${op}` as const),
  ...SEND_OPS.map((op) => `rows_${op}` as const),
] as const;

const SEND_HINT =
  "send: always | on_alert, or a list of conditions, any of which sends:\n  send:\n    - { kpi: Revenue, change_below: -10% }\n    - { query: late_orders, rows_above: 0 }\n    - on_alert";

/** The KPI labels of every `kpis` section, in order. */
function kpiLabels(sections: readonly SectionSpec[]): string[] {
  return sections.flatMap((s) => (s.kind === "kpis" ? s.kpis.map((k) => k.label) : []));
}

/** The email a definition without `email:` gets: KPIs, alerts, its first chart, always sent. */
export function defaultEmail(sections: readonly SectionSpec[]): EmailSpec {
  const first = sections.findIndex(
    (s) => s.kind === "chart" || s.kind === "vega_lite" || s.kind === "histogram",
  );
  return {
    subject: DEFAULT_SUBJECT,
    kpis: true,
    alerts: true,
    charts: first < 0 ? [] : [first],
    send: { kind: "always" },
  };
}

/** The email of `spec`: its `email:` as read, else the default for its sections. */
export function emailOf(spec: { email?: EmailSpec; sections: readonly SectionSpec[] }): EmailSpec {
  return spec.email ?? defaultEmail(spec.sections);
}

/** Read `email:` (absent: the defaults), checking names against the sections and queries. */
export function readEmail(
  checker: Checker,
  node: YNode | undefined,
  sections: readonly SectionSpec[],
  queries: Record<string, QuerySpec>,
): EmailSpec {
  const email = defaultEmail(sections);
  if (node === undefined) return email;
  const fields = new Fields(
    checker,
    node,
    ["email"],
    EMAIL_FIELDS,
    'email: { subject: "{title}: revenue {kpi.Revenue}", charts: [Revenue by month], send: on_alert }',
  );
  const labels = kpiLabels(sections);
  const subject = fields.text("subject");
  if (subject !== undefined) {
    checkSubject(checker, fields.node("subject")!, fields.at("subject"), subject, labels);
    email.subject = subject;
  }
  email.kpis = flag(checker, fields, "kpis") ?? email.kpis;
  email.alerts = flag(checker, fields, "alerts") ?? email.alerts;
  if (fields.node("charts") !== undefined) email.charts = readCharts(checker, fields, sections);
  const table = fields.node("table");
  if (table !== undefined) email.table = readTable(checker, table, fields.at("table"), queries);
  const text = fields.text("text");
  if (text !== undefined) email.text = text;
  const send = fields.node("send");
  if (send !== undefined) email.send = readSend(checker, send, fields.at("send"), labels, queries);
  return email;
}

function flag(checker: Checker, fields: Fields, key: string): boolean | undefined {
  const node = fields.node(key);
  if (node === undefined) return undefined;
  if (node.kind === "scalar" && typeof node.value === "boolean") return node.value;
  return checker.fail(node.pos, fields.at(key), `expected true or false, found ${describe(node)}`);
}

/** Each `{…}` of a subject must be a known placeholder or a KPI of the report. */
function checkSubject(
  checker: Checker,
  node: YNode,
  path: FieldPath,
  subject: string,
  labels: readonly string[],
): void {
  for (const match of subject.matchAll(/\{([^{}]*)\}/g)) {
    const name = match[1];
    if ((SUBJECT_PLACEHOLDERS as readonly string[]).includes(name)) continue;
    if (name.startsWith("kpi.")) {
      const label = name.slice(4).replace(/\.change$/, "");
      if (labels.includes(name.slice(4)) || labels.includes(label)) continue;
      // A KPI that failed to read is reported already; the rest of the subject still counts.
      if (checker.isBroken(kpiDependencies(label))) continue;
      checker.failReference(
        kpiDependencies(label),
        node.pos,
        path,
        `{${name}}: the report has no KPI labelled '${label}'${didYouMean(label, labels)}`,
        labels.length === 0
          ? "Add a kpis section, or use {title}, {date}, {rows} or {alerts}."
          : `KPIs: ${labels.join(", ")}.`,
      );
    }
    checker.fail(
      node.pos,
      path,
      `unknown placeholder {${name}}${didYouMean(name, SUBJECT_PLACEHOLDERS)}`,
      "Placeholders: {title}, {date}, {rows}, {alerts}, {kpi.<label>} and {kpi.<label>.change}.",
    );
  }
}

/** `charts:` names chart and histogram sections by title. */
function readCharts(checker: Checker, fields: Fields, sections: readonly SectionSpec[]): number[] {
  const titled = sections.flatMap((s, index) =>
    s.kind === "chart" || s.kind === "vega_lite" || s.kind === "histogram"
      ? [{ title: s.title, index }]
      : [],
  );
  const titles = titled.map((t) => t.title);
  return fields.textList("charts").map(({ text, path, node }) => {
    const found = titled.find((t) => t.title === text);
    if (found !== undefined) return found.index;
    return checker.failReference(
      chartDependencies(text),
      node.pos,
      path,
      `no chart titled ${quoted(node, text)}${didYouMean(text, titles)}`,
      titles.length === 0
        ? "The report has no chart or histogram sections."
        : `Charts: ${titles.join(", ")}.`,
    );
  });
}

function readTable(
  checker: Checker,
  node: YNode,
  path: FieldPath,
  queries: Record<string, QuerySpec>,
): { query: string; rows: number } {
  const fields = new Fields(
    checker,
    node,
    path,
    ["query", "rows"],
    "table: { query: top_products, rows: 5 }",
  );
  const query = fields.requiredText("query", "Name a query from `queries:`.");
  if (queries[query] === undefined) {
    const names = Object.keys(queries);
    checker.failReference(
      [`query:${query}`],
      fields.node("query")!.pos,
      fields.at("query"),
      `no query named ${quoted(fields.node("query")!, query)}${didYouMean(query, names)}`,
      names.length === 0 ? "Define it under `queries:`." : `Queries: ${names.join(", ")}.`,
    );
  }
  return { query, rows: fields.integer("rows", 1, 50) ?? DEFAULT_TABLE_ROWS };
}

function readSend(
  checker: Checker,
  node: YNode,
  path: FieldPath,
  labels: readonly string[],
  queries: Record<string, QuerySpec>,
): SendRule {
  if (node.kind === "scalar") {
    const text = scalarText(node)?.toLowerCase();
    if (text === "always") return { kind: "always" };
    if (text === "on_alert") return { kind: "on_alert" };
    if (text === "on_change")
      return { kind: "when", conditions: [], onAlert: false, onChange: [...CHANGE_KINDS] };
    return checker.fail(
      node.pos,
      path,
      `${describe(node)} is not a send rule${didYouMean(text ?? "", ["always", "on_alert", "on_change"])}`,
      SEND_HINT,
    );
  }
  if (node.kind !== "seq" || node.items.length === 0) {
    return checker.fail(node.pos, path, `expected a send rule, found ${describe(node)}`, SEND_HINT);
  }
  const rule: SendRule = { kind: "when", conditions: [], onAlert: false, onChange: [] };
  for (const [i, item] of node.items.entries()) {
    const at = [...path, i];
    if (item.kind === "scalar" && scalarText(item)?.toLowerCase() === "on_alert") {
      rule.onAlert = true;
      continue;
    }
    if (item.kind === "scalar" && scalarText(item)?.toLowerCase() === "on_change") {
      rule.onChange = [...CHANGE_KINDS];
      continue;
    }
    if (item.kind === "map" && item.entries.length === 1 && item.entries[0].key === "on_change") {
      rule.onChange = readChangeNames(checker, item.entries[0].value, [...at, "on_change"]);
      continue;
    }
    rule.conditions.push(readCondition(checker, item, at, labels, queries));
  }
  return rule;
}

/** Named changes: a change kind (docs/history.md) or `schema` (a column added, removed or retyped). */
function readChangeNames(checker: Checker, node: YNode, path: FieldPath): ChangeKind[] {
  const names = [...CHANGE_KINDS, "schema"];
  const items =
    node.kind === "seq"
      ? node.items.map((item, i) => ({ item, at: [...path, i] }))
      : [{ item: node, at: path }];
  const kinds = new Set<ChangeKind>();
  for (const { item, at } of items) {
    const text = scalarText(item)?.toLowerCase() ?? "";
    if (text === "schema") {
      for (const kind of ["column_added", "column_removed", "column_retyped"] as const)
        kinds.add(kind);
    } else if (isOneOf(CHANGE_KINDS, text)) {
      kinds.add(text);
    } else {
      checker.fail(
        item.pos,
        at,
        `${describe(item)} is not a change${didYouMean(text, names)}`,
        `Changes: ${names.join(", ")}.`,
      );
    }
  }
  return [...kinds];
}

/** A number, or a percentage written "10%" or "-2.5%" (read as 0.1, -0.025). */
function threshold(checker: Checker, node: YNode, path: FieldPath): number {
  if (node.kind === "scalar" && typeof node.value === "number") return node.value;
  const text = node.kind === "scalar" ? scalarText(node)?.trim() : undefined;
  const percent = text === undefined ? null : /^([+-]?\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent) return Number(percent[1]) / 100;
  return checker.fail(
    node.pos,
    path,
    `expected a number or a percentage such as -10%, found ${describe(node)}`,
  );
}

function readCondition(
  checker: Checker,
  node: YNode,
  path: FieldPath,
  labels: readonly string[],
  queries: Record<string, QuerySpec>,
): SendCondition {
  const fields = new Fields(checker, node, path, CONDITION_KEYS, SEND_HINT);
  const comparisons = fields.map.entries.filter((e) => e.key !== "kpi" && e.key !== "query");
  if (comparisons.length !== 1) {
    checker.fail(
      node.pos,
      path,
      comparisons.length === 0
        ? "a condition needs one comparison (above, below, equals, change_above, rows_equals, …)"
        : `one comparison per condition; found ${comparisons.map((e) => e.key).join(", ")}`,
      "Write two conditions to send when either holds.",
    );
  }
  const [{ key, value }] = comparisons;
  const [prefix, op] = key.includes("_") ? key.split("_") : ["", key];
  const kpi = fields.text("kpi");
  const query = fields.text("query");
  let subject: SendSubject;
  if (prefix === "rows") {
    if (kpi !== undefined) {
      checker.fail(
        fields.node("kpi")!.pos,
        fields.at("kpi"),
        `${key} compares row counts, not a KPI`,
        "Use above, below or equals with kpi:, or query: with rows_*.",
      );
    }
    if (query !== undefined && queries[query] === undefined) {
      const names = Object.keys(queries);
      checker.failReference(
        [`query:${query}`],
        fields.node("query")!.pos,
        fields.at("query"),
        `no query named ${quoted(fields.node("query")!, query)}${didYouMean(query, names)}`,
        names.length === 0 ? "Define it under `queries:`." : `Queries: ${names.join(", ")}.`,
      );
    }
    subject = query === undefined ? { kind: "rows" } : { kind: "rows", query };
  } else {
    if (kpi === undefined) {
      return fields.missing(
        "kpi",
        `${key} compares a KPI: name it, e.g. { kpi: Revenue, ${key}: 0 }`,
      );
    }
    if (!labels.includes(kpi)) {
      checker.failReference(
        kpiDependencies(kpi),
        fields.node("kpi")!.pos,
        fields.at("kpi"),
        `the report has no KPI labelled ${quoted(fields.node("kpi")!, kpi)}${didYouMean(kpi, labels)}`,
        labels.length === 0 ? "Add a kpis section first." : `KPIs: ${labels.join(", ")}.`,
      );
    }
    if (query !== undefined) {
      checker.fail(
        fields.node("query")!.pos,
        fields.at("query"),
        "a KPI condition takes no query",
        "Use rows_above, rows_below or rows_equals to test a query's row count.",
      );
    }
    subject = { kind: "kpi", label: kpi, of: prefix === "change" ? "change" : "value" };
  }
  const written = value.kind === "scalar" ? value.written : "";
  const what =
    subject.kind === "kpi"
      ? `${subject.label}${subject.of === "change" ? " change" : ""}`
      : `rows${subject.query === undefined ? "" : ` of ${subject.query}`}`;
  return {
    subject,
    op: op as SendOp,
    threshold: threshold(checker, value, [...path, key]),
    text: `${what} ${op} ${written}`,
    path,
  };
}
