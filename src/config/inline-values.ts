// Inline values in Markdown text: `{{ kpi.Revenue }}`, `{{ kpi.Revenue.change }}` and
// `{{ query.by_region[0].region }}`. This file reads the placeholders out of a text and checks
// their names against the KPIs and queries the definition has, with the placeholder's own
// file:line:column; src/render/inline-values.ts fills them in from the summaries.
import { didYouMean } from "./closest.ts";
import { type Checker, kpiDependencies } from "./fields.ts";
import type { FieldPath, KpiSpec, QuerySpec, ReportSpec } from "./spec.ts";
import { nodeAt, type Position, positionWithin, type YNode } from "./yaml-tree.ts";

/** What a placeholder names. */
export type InlineRef =
  | { kind: "kpi"; label: string; change: boolean }
  | { kind: "query"; query: string; row: number; column: string };

/** One `{{ ... }}` of a text: where it is, as written, and what it names (undefined: unreadable). */
export interface Placeholder {
  /** The whole placeholder, braces included. */
  text: string;
  /** Its offset in the value, and how many identical placeholders come before it. */
  start: number;
  nth: number;
  /** Between the braces, trimmed. */
  inner: string;
}

/** A `{{` that a backslash does not escape, up to the next `}}` on the same line. */
const PLACEHOLDER = /(?<!\\)\{\{([^{}\n]*)\}\}/g;

const QUERY_REF = /^query\.([^[\]]+)\[\s*(\d+)\s*\]\.(.+)$/;

export const INLINE_HINT =
  "Write {{ kpi.<label> }}, {{ kpi.<label>.change }} or {{ query.<name>[<row>].<column> }} (rows count from 0); \\{{ keeps braces as text.";

/** The placeholders of `text`, in order. */
export function placeholders(text: string): Placeholder[] {
  const seen = new Map<string, number>();
  return [...text.matchAll(PLACEHOLDER)].map((match) => {
    const nth = seen.get(match[0]) ?? 0;
    seen.set(match[0], nth + 1);
    return { text: match[0], start: match.index, nth, inner: match[1].trim() };
  });
}

/**
 * What `inner` names. `kpi.X.change` is the change of KPI `X` unless a KPI is labelled
 * `X.change` itself; labels are matched against `labels` for that.
 */
export function parseRef(inner: string, labels: readonly string[]): InlineRef | undefined {
  if (inner.startsWith("kpi.")) {
    const label = inner.slice(4).trim();
    if (label === "") return undefined;
    if (!labels.includes(label) && label.endsWith(".change")) {
      return { kind: "kpi", label: label.slice(0, -".change".length).trim(), change: true };
    }
    return { kind: "kpi", label, change: false };
  }
  const query = QUERY_REF.exec(inner);
  if (query === null) return undefined;
  return { kind: "query", query: query[1].trim(), row: Number(query[2]), column: query[3].trim() };
}

/** Where a placeholder sits: its own line and column when the file holds it verbatim. */
export function placeholderPosition(
  start: Position,
  raw: string | undefined,
  placeholder: Placeholder,
): Position {
  return positionWithin(start, raw, placeholder.text, placeholder.nth);
}

/** The KPIs of every `kpis` section, in order. */
export function definedKpis(sections: ReportSpec["sections"]): KpiSpec[] {
  return sections.flatMap((section) => (section.kind === "kpis" ? section.kpis : []));
}

/** A query's output columns: its group keys, then its measures. */
function columnsOf(query: QuerySpec): string[] {
  return [...query.groupBy.map((g) => g.name), ...query.measures.map((m) => m.name)];
}

/** Rows a query can have at most, when its `limit` says (its "Other" row included). */
function maxRows(query: QuerySpec): number | undefined {
  if (query.limit !== undefined) return query.limit + (query.other === undefined ? 0 : 1);
  return query.groupBy.length === 0 ? 1 : undefined;
}

/** Check every placeholder of the text at `path` against the KPIs and queries defined. */
export function checkInlineValues(
  checker: Checker,
  path: FieldPath,
  text: string,
  scope: { queries: Record<string, QuerySpec>; kpis: readonly KpiSpec[] },
): void {
  const node = nodeAt(checker.root, path);
  if (node === undefined || node.kind !== "scalar") return;
  const labels = scope.kpis.map((k) => k.label);
  for (const placeholder of placeholders(text)) {
    // Each placeholder on its own: one run reports every bad one (Checker.attempt).
    checker.attempt(() => checkPlaceholder(checker, path, node, placeholder, scope, labels));
  }
}

function checkPlaceholder(
  checker: Checker,
  path: FieldPath,
  node: YNode & { kind: "scalar" },
  placeholder: Placeholder,
  scope: { queries: Record<string, QuerySpec>; kpis: readonly KpiSpec[] },
  labels: readonly string[],
): void {
  const pos = placeholderPosition(node.pos, node.raw, placeholder);
  /** A wrong name, unless what it names failed to read (that problem is reported already). */
  const fail = (dependsOn: string[], message: string, hint: string = INLINE_HINT): never =>
    checker.failReference(dependsOn, pos, path, `${placeholder.text}: ${message}`, hint);
  const ref = parseRef(placeholder.inner, labels);
  if (ref === undefined) {
    fail([], "not an inline value");
    return;
  }
  if (ref.kind === "kpi") {
    const kpi = scope.kpis.find((k) => k.label === ref.label);
    if (kpi === undefined) {
      fail(
        kpiDependencies(ref.label),
        `no KPI labelled '${ref.label}'${didYouMean(ref.label, labels)}`,
        labels.length === 0
          ? "Define it in a kpis section: - kpis: [{ label: Revenue, value: sum(revenue) }]"
          : `KPIs: ${labels.join(", ")}.`,
      );
    } else if (ref.change && kpi.compare === undefined) {
      fail(
        [],
        `KPI '${ref.label}' has no change: it compares no periods`,
        "Give the KPI compare: { column: order_date, period: month }, or write {{ kpi.<label> }}.",
      );
    }
    return;
  }
  const names = Object.keys(scope.queries);
  const query = scope.queries[ref.query];
  if (query === undefined) {
    fail(
      [`query:${ref.query}`],
      `no query named '${ref.query}'${didYouMean(ref.query, names)}`,
      names.length === 0 ? "Define it under `queries:`." : `Queries: ${names.join(", ")}.`,
    );
    return;
  }
  const columns = columnsOf(query);
  if (!columns.includes(ref.column)) {
    fail(
      [],
      `'${ref.column}' is not a column of query '${ref.query}'${didYouMean(ref.column, columns)}`,
      `Its columns are ${columns.join(", ")}.`,
    );
  }
  const most = maxRows(query);
  if (most !== undefined && ref.row >= most) {
    fail(
      [],
      `query '${ref.query}' has at most ${most} row${most === 1 ? "" : "s"}, so row ${ref.row} does not exist`,
      `Rows count from 0: the first is ${ref.query}[0], the last at most ${ref.query}[${most - 1}].`,
    );
  }
}

/**
 * The definition's Markdown texts with their paths: the report's description, text sections,
 * chart and histogram descriptions, and the email's text.
 */
export function markdownTexts(
  spec: Pick<ReportSpec, "description" | "sections" | "email">,
): { path: FieldPath; text: string }[] {
  const texts: { path: FieldPath; text: string }[] = [];
  if (spec.description !== undefined) texts.push({ path: ["description"], text: spec.description });
  for (const section of spec.sections) {
    if (section.kind === "text")
      texts.push({ path: [...section.path, "text"], text: section.text });
    else if (
      (section.kind === "chart" || section.kind === "histogram") &&
      section.description !== undefined
    )
      texts.push({
        path: [...section.path, section.kind, "description"],
        text: section.description,
      });
  }
  if (spec.email?.text !== undefined)
    texts.push({ path: ["email", "text"], text: spec.email.text });
  return texts;
}

/** Check the placeholders of every Markdown text of the definition. */
export function checkMarkdownTexts(
  checker: Checker,
  spec: Pick<ReportSpec, "description" | "sections" | "email" | "queries">,
): void {
  const scope = { queries: spec.queries, kpis: definedKpis(spec.sections) };
  for (const { path, text } of markdownTexts(spec)) checkInlineValues(checker, path, text, scope);
}
