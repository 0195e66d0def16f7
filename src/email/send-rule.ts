// The send rule of the `email:` block, decided on the Summary: the same answer whether the
// message goes out through Connect (rsc_email_suppress_scheduled) or through `notify`.
import type { SendCondition, SendRule } from "../config/spec.ts";
import type { ChangeSummary } from "../history/changes.ts";
import type { Summary } from "../summarize/summary.ts";

export interface SendDecision {
  send: boolean;
  /** Why, in a few words: "Revenue change below -10%", "no data quality alerts". */
  reason: string;
}

function alertsReason(count: number): string {
  return count === 0
    ? "no data quality alerts"
    : `${count} data quality alert${count === 1 ? "" : "s"}`;
}

/** The figure a condition compares, or undefined when the summary has none (no period yet). */
function figure(condition: SendCondition, summary: Summary): number | undefined {
  const subject = condition.subject;
  if (subject.kind === "rows") {
    return subject.query === undefined ? summary.rows : summary.queries[subject.query]?.rows.length;
  }
  const kpi = summary.kpis.find((k) => k.label === subject.label);
  const value = subject.of === "change" ? kpi?.comparison?.change : kpi?.value;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** True when the condition holds for this summary. */
export function conditionHolds(condition: SendCondition, summary: Summary): boolean {
  const value = figure(condition, summary);
  if (value === undefined) return false;
  switch (condition.op) {
    case "above":
      return value > condition.threshold;
    case "below":
      return value < condition.threshold;
    case "equals":
      return value === condition.threshold;
  }
}

/** Whether this rendering's email goes out, and why. */
export function decideSend(
  rule: SendRule,
  summary: Summary,
  changes?: ChangeSummary,
): SendDecision {
  const alerts = summary.alerts.length;
  switch (rule.kind) {
    case "always":
      return { send: true, reason: "the send rule is always" };
    case "on_alert":
      return { send: alerts > 0, reason: alertsReason(alerts) };
    case "when": {
      const held = rule.conditions.filter((c) => conditionHolds(c, summary)).map((c) => c.text);
      if (rule.onAlert && alerts > 0) held.push(alertsReason(alerts));
      const changed = (changes?.notable ?? []).filter((c) => rule.onChange.includes(c.kind));
      if (changed.length > 0) {
        const kinds = [...new Set(changed.map((c) => c.kind))];
        held.push(`changed since the last run: ${kinds.join(", ")}`);
      }
      if (held.length > 0) return { send: true, reason: held.join("; ") };
      const checked = rule.conditions.map((c) => c.text);
      if (rule.onAlert) checked.push("on_alert");
      if (rule.onChange.length > 0) checked.push(`on_change: ${rule.onChange.join(", ")}`);
      return { send: false, reason: `no condition holds (${checked.join("; ")})` };
    }
  }
}
