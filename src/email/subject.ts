// The email's subject line: the definition's template with {title}, {date}, {rows}, {alerts},
// {kpi.<label>} and {kpi.<label>.change} filled in, figures formatted as the KPI tiles show
// them. src/config/email.ts has already checked every placeholder.

import {
  type FormatLocale,
  formatChange,
  formatDate,
  formatInteger,
  formatKpi,
  MISSING,
} from "../format.ts";
import { kpiHeadline } from "../summarize/kpi-headline.ts";
import type { Summary } from "../summarize/summary.ts";

export interface SubjectValues {
  title: string;
  now: Date;
  summary: Summary;
  loc: FormatLocale;
}

/** Fill the placeholders of `template`; one line, at most 200 characters. */
export function fillSubject(template: string, values: SubjectValues): string {
  const { summary, loc } = values;
  const filled = template.replace(/\{([^{}]*)\}/g, (whole, name: string) => {
    switch (name) {
      case "title":
        return values.title;
      case "date":
        return formatDate(values.now.toISOString().slice(0, 10), loc);
      case "rows":
        return formatInteger(summary.rows, loc);
      case "alerts":
        return formatInteger(summary.alerts.length, loc);
    }
    if (!name.startsWith("kpi.")) return whole;
    const label = name.slice(4);
    const kpi = summary.kpis.find((k) => k.label === label);
    if (kpi !== undefined) return formatKpi(kpiHeadline(kpi), kpi.format, loc);
    const changed = summary.kpis.find((k) => `${k.label}.change` === label);
    if (changed !== undefined) return formatChange(changed.comparison?.change, loc);
    return MISSING;
  });
  const line = filled.replace(/\s+/g, " ").trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
