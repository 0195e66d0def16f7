// The figure a KPI leads with, in the mail as on the page: with `compare`, the current
// period's value (the change beside it is that period's against the one before), else the
// measure over the whole table. Leading with the whole-table total beside a one-month change
// reads as that total's change.
import type { KpiValue } from "./summary.ts";

/** The value a KPI tile or a subject placeholder shows for `kpi`. */
export function kpiHeadline(kpi: KpiValue): KpiValue["value"] {
  return kpi.comparison ? kpi.comparison.currentValue : kpi.value;
}
