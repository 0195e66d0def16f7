// The Athena engine: the report's summaries computed where the data lies. It opens a session
// (client.ts), finds the table (a Glue table, or a temporary one over source.s3: table.ts),
// runs the definition's queries and KPI tiles (queries.ts) and the column profile
// (profile.ts) as Trino statements, and returns the same plain-JSON Summary as the local
// engine, with the estimated figures marked. A temporary table is dropped however it ends.
import type { AthenaSpec, ReportSpec } from "../../config/spec.ts";
import type { Effects } from "../../effects.ts";
import type { DataSource } from "../../source/data-source.ts";
import { findAlerts } from "../../summarize/alerts.ts";
import { findColumn } from "../../summarize/spec-error.ts";
import type { KpiValue, QueryResult, Summary } from "../../summarize/summary.ts";
import { type AthenaSession, openAthenaSession, type SessionOptions } from "./client.ts";
import { emptyColumns, withDerivedColumns } from "./columns.ts";
import { profileInAthena } from "./profile.ts";
import { kpiInAthena, queryInAthena } from "./queries.ts";
import { type AthenaTable, glueTable, temporaryTable } from "./table.ts";

export interface AthenaRun {
  summary: Summary;
  /** What the footer and summary.json name as the data: the S3 source, or the Glue table. */
  source: DataSource;
  /** Every statement sent, in order. */
  statements: readonly string[];
  /** Bytes Athena scanned for this build. */
  scannedBytes: number;
}

export interface AthenaOptions extends SessionOptions {
  now: Date;
}

/** Computes the report's Summary in Amazon Athena (`engine: athena`). */
export async function summarizeInAthena(
  spec: ReportSpec & { athena: AthenaSpec },
  effects: Effects,
  options: AthenaOptions,
): Promise<AthenaRun> {
  const session = await openAthenaSession(spec, spec.athena, effects, options);
  const { athena } = spec;
  const table =
    athena.table === undefined
      ? await temporaryTable(session, spec, athena, effects)
      : await glueTable(session, { ...athena, table: athena.table });
  let summary: Summary;
  try {
    summary = await summarizeTable(session, table, spec, options.now);
  } finally {
    await table.release().catch((error: unknown) => {
      effects.log.warn(
        `athena: the temporary table could not be dropped (${(error as Error).message}); drop it in the Athena console.`,
      );
    });
  }
  return {
    summary,
    source: table.source,
    statements: session.statements,
    scannedBytes: session.scannedBytes,
  };
}

async function summarizeTable(
  session: AthenaSession,
  table: AthenaTable,
  spec: ReportSpec,
  now: Date,
): Promise<Summary> {
  const { from } = table;
  const columns = withDerivedColumns(spec, table.columns);
  // The sections' column names first, as the local engine checks them (src/summarize/index.ts).
  const empty = emptyColumns(columns);
  spec.sections.forEach((section) => {
    if (section.kind === "profile" && section.columns !== "all") {
      section.columns.forEach((name, i) => {
        findColumn(empty, name, spec, [...section.path, "profile", i]);
      });
    }
    if (section.kind === "histogram")
      findColumn(empty, section.column, spec, [...section.path, "histogram", "column"]);
  });
  const queries: Record<string, QueryResult> = {};
  for (const [name, query] of Object.entries(spec.queries))
    queries[name] = await queryInAthena(session, from, columns, query, spec);
  const kpis: KpiValue[] = [];
  for (const [index, section] of spec.sections.entries()) {
    if (section.kind !== "kpis") continue;
    for (const kpi of section.kpis)
      kpis.push(await kpiInAthena(session, from, columns, kpi, index, spec, now));
  }
  const profile = await profileInAthena(session, from, columns, spec);
  const summary: Summary = {
    rows: profile.rows,
    columns: profile.stats.map((s) => s.profile),
    queries,
    kpis,
    alerts: findAlerts(profile.stats, profile.rows, profile.duplicates),
  };
  if (Object.keys(profile.histograms).length > 0) {
    summary.histograms = profile.histograms;
    summary.histogramShapes = profile.shapes;
  }
  return summary;
}
