// The pipeline: definition → source → Arrow table → summaries → charts → HTML → output/.
// Each stage is a pure module; this file wires them to the world through `effects` and
// prints one line per stage with its time and size.
import { join } from "node:path";
import type { Table } from "apache-arrow";
import { loadReportSpec, profileSpec } from "./config/index.ts";
import type { AthenaSpec, ReportSpec } from "./config/spec.ts";
import type { Effects, Logger } from "./effects.ts";
import type { EmailMessage } from "./email/compose.ts";
import type { EmailImage } from "./email/images.ts";
import { summarizeLocally } from "./engine/local/index.ts";
import { ReportError } from "./errors.ts";
import { type FormatLocale, formatBytes } from "./format.ts";
import {
  type ChangeSummary,
  computeChanges,
  dataIdentity,
  type HistoryStore,
  hashedWhileRead,
  kpiTrends,
  loadRuns,
  openHistoryStore,
  recordRun,
  type SummaryDocument,
  summaryDocument,
} from "./history/index.ts";
import { packagePath } from "./package-root.ts";
import { concatBytes } from "./read/bytes/stream.ts";
import { tableNotices } from "./read/columns/read-notices.ts";
import { readTable as readSourceTable } from "./read/index.ts";
import type { HistoryInput } from "./render/model.ts";
import { writeSite } from "./site/write.ts";
import type { DataSource } from "./source/data-source.ts";
import { displayLabel, labelBase } from "./source/display-label.ts";
import { openDataSource } from "./source/open.ts";
import type { Summary } from "./summarize/summary.ts";
import { jsonPieces } from "./summarize/summary-json.ts";
import { columnPicker } from "./summarize/used-columns.ts";

/** The package's default templates (templates/ at the package root). */
export function defaultTemplatesDir(): string {
  return packagePath("templates");
}

export interface BuildOptions {
  /** Path of a report definition (report/*.yml). */
  definition?: string;
  /** A file or s3://bucket/key: replaces the definition's source, or alone builds a profile-only report. */
  source?: string;
  /** Output folder; default "output". */
  outDir: string;
  /** Folder of the default templates; default the bundled templates/. */
  defaultTemplates?: string;
  /** Run every stage but write nothing (`connect-s3-report check`). */
  check?: boolean;
  /** Add this build to the run history (default true); preview reads the history only. */
  recordRun?: boolean;
  /** The history folder when the definition names none; default beside `outDir`. */
  historyFolder?: string;
  /** Stops the build (Ctrl-C): a running Athena query is cancelled. */
  signal?: AbortSignal;
  /**
   * Also render the whole report as one page for printing (`build --pdf`), when it has
   * `pages:`; kept in the result, not written.
   */
  forPrint?: boolean;
}

export interface BuildResult {
  outDir: string;
  spec: ReportSpec;
  source: DataSource;
  summary: Summary;
  /** What summary.json holds: the summary with the run's identity. */
  document: SummaryDocument;
  /** Against the previous run in the history; absent on the first run or without a history. */
  changes?: ChangeSummary;
  /** The name this run was kept under in the history; absent without one, or with --check. */
  historyRun?: string;
  /** The HTML files written: index.html, then any other pages (`pages:`). */
  pages: string[];
  /** Bytes of index.html. */
  htmlBytes: number;
  /** With `forPrint` and `pages:`, every page's sections in one HTML document, to print. */
  printHtml?: string;
  /** The email's chart PNGs, for composing it again with other links (Connect, notify). */
  emailImages: EmailImage[];
  /** The email as output/email.html and email.txt show it (linking to index.html). */
  email: EmailMessage;
}

/** The preview's link to the full report: the page beside output/email.html. */
export const PREVIEW_REPORT_LINK = "index.html";

/** The build log is in English whatever the report's locale. */
const LOG_LOCALE: FormatLocale = { locale: "en-US", currency: "USD" };

/** Milliseconds for the log: 12 → "12 ms", 1530 → "1.53 s". */
function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Run a timed stage and log `name  detail  time` when it ends. */
async function stage<T>(
  effects: Effects,
  name: string,
  run: () => Promise<T> | T,
  detail: (value: T) => string,
): Promise<T> {
  const start = performance.now();
  const value = await run();
  const ms = performance.now() - start;
  effects.log.info(
    `${name.padEnd(10)}${detail(value).padEnd(58)}${formatDuration(ms).padStart(9)}`,
  );
  return value;
}

/**
 * The definition's `page_budget`: past it, a warning, or with `exceed: fail` an error before
 * anything is written (the last good report stays in place).
 */
function checkPageBudget(spec: ReportSpec, page: string, bytes: number, effects: Effects): void {
  const budget = spec.pageBudget;
  if (budget === undefined || bytes <= budget.maxKb * 1000) return;
  const message = `${page} is ${formatBytes(bytes, LOG_LOCALE)}, over the page budget of ${budget.maxKb.toLocaleString("en-US")} kB.`;
  const hint =
    "Profile fewer columns (profile: [a, b]), lower limits.max_profile_charts, or raise page_budget.max_kb.";
  if (budget.exceed === "fail") throw new ReportError(message, { hint });
  effects.log.warn(`${message} ${hint}`);
}

/** The footer's facts about the source, without its body or credentials. */
function sourceInfo(source: DataSource): {
  label: string;
  size?: number;
  etag?: string;
  lastModified?: Date;
} {
  const { label, size, etag, lastModified } = source;
  return { label, size, etag, lastModified };
}

/** Resolve the report definition: a file, a --source override, or a profile-only spec. */
function loadSpec(options: BuildOptions, effects: Effects): Promise<ReportSpec> | ReportSpec {
  if (options.definition) {
    return loadReportSpec(options.definition, effects.env).then((spec) =>
      options.source ? withSource(spec, options.source, effects) : spec,
    );
  }
  if (options.source) return profileSpec(options.source, effects.env);
  throw new ReportError("Nothing to build: give a report definition or --source", {
    hint: "Run `connect-s3-report build report/report.yml` or `connect-s3-report build --source data.csv`.",
  });
}

/** Point a definition at another source, keeping its CSV options and audience. */
function withSource(spec: ReportSpec, source: string, effects: Effects): ReportSpec {
  const fromArg = profileSpec(source, effects.env).source;
  return {
    ...spec,
    source: { ...spec.source, s3: fromArg.s3, file: fromArg.file, fallback: undefined },
  };
}

/** summary.json as UTF-8, encoded piece by piece: never one string, however large. */
function summaryJson(summary: SummaryDocument): Uint8Array {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let length = 0;
  jsonPieces(summary, (piece) => {
    const bytes = encoder.encode(piece);
    chunks.push(bytes);
    length += bytes.length;
  });
  return concatBytes(chunks, length);
}

/** Read the source's bytes (any supported format, or every part of a dataset) into an Arrow table. */
function readTable(source: DataSource, spec: ReportSpec, log: Logger): Promise<Table> {
  return readSourceTable(source, {
    format: spec.source.format,
    csv: spec.source.csv,
    log,
    limits: spec.limits,
    columns: spec.source.columns,
    pickColumns: columnPicker(spec),
  });
}

/** Why a history step failed, for a warning: the build goes on without it. */
function failure(error: unknown): string {
  if (error instanceof ReportError)
    return `${error.message}${error.hint ? ` (${error.hint})` : ""}`;
  return error instanceof Error ? error.message : String(error);
}

interface HistoryRead {
  store?: HistoryStore;
  input?: HistoryInput;
  runs: number;
}

/** Read the runs before this one and compare; a history that cannot be read is a warning. */
async function readHistory(
  spec: ReportSpec,
  document: SummaryDocument,
  options: BuildOptions,
  effects: Effects,
): Promise<HistoryRead> {
  const history = spec.history;
  if (history === undefined) return { runs: 0 };
  const store = openHistoryStore(
    history.s3 === undefined && history.folder === undefined && options.historyFolder
      ? { ...history, folder: options.historyFolder }
      : history,
    { outDir: options.outDir, source: spec.source, effects },
  );
  try {
    const runs = await loadRuns(store, {
      before: new Date(document.builtAt),
      count: Math.max(1, history.trend - 1),
      log: effects.log,
    });
    const previous = runs.at(-1);
    const input: HistoryInput = {
      trends: history.trend >= 2 ? kpiTrends([...runs, document].slice(-history.trend)) : new Map(),
      autoSection: history.autoSection,
    };
    if (previous !== undefined)
      input.changes = computeChanges(previous, document, history.thresholds);
    return { store, input, runs: runs.length };
  } catch (error) {
    effects.log.warn(`history: could not read ${store.label}: ${failure(error)}`);
    return { runs: 0 };
  }
}

/** What an engine hands the rest of the build. */
interface EngineResult {
  source: DataSource;
  summary: Summary;
  now: Date;
  /** What the readers said about columns (recognized date formats, say), as logged. */
  notices: string[];
}

/** The local engine: read the whole source into an Arrow table and summarize it here. */
async function localSummary(spec: ReportSpec, effects: Effects): Promise<EngineResult> {
  const source = await stage(
    effects,
    "source",
    async () =>
      // A local file is hashed for the run history as it is parsed, not read again after.
      hashedWhileRead(
        await openDataSource(spec.source, effects, {
          downloadTimeoutSeconds: spec.limits.download_timeout_seconds,
        }),
      ),
    (s) => `${s.label}${s.size === undefined ? "" : ` (${formatBytes(s.size, LOG_LOCALE)})`}`,
  );
  const table = await stage(
    effects,
    "read",
    () => readTable(source, spec, effects.log),
    (t) => `${t.numRows.toLocaleString("en-US")} rows × ${t.numCols} columns`,
  );
  if (table.numRows === 0) {
    throw new ReportError(`${source.label}: the data has a header but no rows`, {
      hint: "Check that the export that writes this file ran and produced data.",
    });
  }
  const now = effects.now();
  const summary = await stage(
    effects,
    "summarize",
    () => summarizeLocally(table, spec, { now }),
    (s) =>
      `${s.columns.length} profiles, ${Object.keys(s.queries).length} queries, ${s.kpis.length} KPIs, ${s.alerts.length} alerts`,
  );
  return { source, summary, now, notices: tableNotices(table) };
}

/** The Athena engine (docs/athena.md): the queries and the profile run where the data lies. */
async function athenaSummary(
  spec: ReportSpec & { athena: AthenaSpec },
  options: BuildOptions,
  effects: Effects,
): Promise<EngineResult> {
  const now = effects.now();
  // The Athena client loads only for `engine: athena` (start-up, src/cli/main.ts).
  const { summarizeInAthena } = await import("./engine/athena/index.ts");
  // Ctrl-C stops the running Athena query before the build ends (a second one kills at once).
  const interrupt = new AbortController();
  const onInterrupt = () => interrupt.abort();
  if (options.signal === undefined) process.once("SIGINT", onInterrupt);
  const run = await stage(
    effects,
    "athena",
    () => summarizeInAthena(spec, effects, { now, signal: options.signal ?? interrupt.signal }),
    (r) => `${r.statements.length} statements, ${formatBytes(r.scannedBytes, LOG_LOCALE)} scanned`,
  ).finally(() => process.off("SIGINT", onInterrupt));
  return { source: run.source, summary: run.summary, now, notices: [] };
}

/** Build the report: the whole pipeline, ending in an atomic replace of `outDir`. */
export async function build(options: BuildOptions, effects: Effects): Promise<BuildResult> {
  const started = performance.now();
  const spec = await stage(
    effects,
    "config",
    () => loadSpec(options, effects),
    (s) => (s.file ? `${s.file} (${s.sections.length} sections)` : "profile of --source"),
  );
  const { source, summary, now, notices } =
    spec.engine === "athena" && spec.athena !== undefined
      ? await athenaSummary({ ...spec, athena: spec.athena }, options, effects)
      : await localSummary(spec, effects);
  const document = summaryDocument(summary, {
    builtAt: now,
    title: spec.title,
    data: await dataIdentity(source),
  });
  const history = await stage(
    effects,
    "history",
    () => readHistory(spec, document, options, effects),
    (h) =>
      h.store === undefined
        ? "none"
        : `${h.store.label} (${h.runs} earlier runs read${h.input?.changes ? `, ${h.input.changes.notable.length} notable changes` : ""})`,
  );
  // The page's modules (vega, Handlebars) load only now that the table is summarized, so
  // their code does not add to the memory the read and summarize stages peak at.
  const [
    { renderCharts },
    { assembleModel },
    { renderPages },
    { composeEmail, inlineImages },
    { emailImages },
  ] = await Promise.all([
    import("./chart/index.ts"),
    import("./render/model.ts"),
    import("./render/pages.ts"),
    import("./email/compose.ts"),
    import("./email/images.ts"),
  ]);
  const defaultsDir = options.defaultTemplates ?? defaultTemplatesDir();
  const shownLabel = displayLabel(source.label, labelBase(spec.file, process.cwd()));
  const charts = await stage(
    effects,
    "charts",
    // Explicit, so a bundled build (Deno on Connect) finds the fonts it carries.
    () => renderCharts(spec, summary, { fontsDir: join(defaultsDir, "fonts") }),
    (c) => `${c.charts.size} charts, ${c.histograms.size} column histograms`,
  );
  for (const notice of charts.notices) effects.log.warn(notice);
  const model = assembleModel({
    spec,
    summary,
    // A published report never shows the building machine's absolute paths.
    source: { ...sourceInfo(source), label: shownLabel },
    charts,
    now,
    history: history.input,
    // What the readers said about columns (recognized date formats, say), as logged.
    notices: notices.map((line) => line.split(source.label).join(shownLabel)),
  });
  const renderOptions = {
    defaultsDir,
    templatesDir: spec.templates,
    locale: spec.locale,
    currency: spec.currency,
  };
  const pages = await stage(
    effects,
    "render",
    () => renderPages(model, spec.pages, renderOptions),
    (list) =>
      list.length === 1
        ? `index.html ${formatBytes(Buffer.byteLength(list[0].html), LOG_LOCALE)}`
        : `${list.length} pages, ${formatBytes(
            list.reduce((n, page) => n + Buffer.byteLength(page.html), 0),
            LOG_LOCALE,
          )} (index.html ${formatBytes(Buffer.byteLength(list[0].html), LOG_LOCALE)})`,
  );
  // A paged report prints as one document: every page's sections, in page order.
  const printHtml =
    options.forPrint && pages.length > 1
      ? (await renderPages(model, undefined, renderOptions))[0].html
      : undefined;
  for (const page of pages) checkPageBudget(spec, page.path, Buffer.byteLength(page.html), effects);
  const images = await stage(
    effects,
    "email",
    () => emailImages(spec, summary, { fontsDir: join(defaultsDir, "fonts") }),
    (list) =>
      `${list.length} chart PNGs, ${formatBytes(
        list.reduce((n, i) => n + i.png.byteLength, 0),
        LOG_LOCALE,
      )}`,
  );
  const email = composeEmail({
    spec,
    summary,
    now,
    images,
    link: PREVIEW_REPORT_LINK,
    source: shownLabel,
    ...(history.input?.changes === undefined ? {} : { changes: history.input.changes }),
  });
  const summaryBytes = summaryJson(document);
  const result: BuildResult = {
    outDir: options.outDir,
    spec,
    source,
    summary,
    document,
    pages: pages.map((page) => page.path),
    htmlBytes: Buffer.byteLength(pages[0].html),
    emailImages: images,
    email,
  };
  if (printHtml !== undefined) result.printHtml = printHtml;
  if (history.input?.changes !== undefined) result.changes = history.input.changes;
  if (options.check) {
    effects.log.info(`checked in ${formatDuration(performance.now() - started)}: nothing written`);
    return result;
  }
  await stage(
    effects,
    "write",
    () =>
      writeSite(options.outDir, [
        ...pages.map((page) => ({ path: page.path, content: page.html })),
        { path: "summary.json", content: summaryBytes },
        { path: "email.html", content: inlineImages(email.html, images) },
        { path: "email.txt", content: email.text },
      ]),
    () =>
      `${options.outDir}/ (${pages.length === 1 ? "index.html" : `${pages.length} pages`}, summary.json, email.html, email.txt)`,
  );
  const store = history.store;
  if (store !== undefined && spec.history !== undefined && options.recordRun !== false) {
    const kept = spec.history;
    await stage(
      effects,
      "record",
      () =>
        recordRun(
          store,
          { builtAt: document.builtAt, content: summaryBytes },
          kept,
          effects.now(),
        ).then(
          (run) => {
            result.historyRun = run.name;
            return `${store.label}${run.name} (${run.kept} runs kept${run.removed.length ? `, ${run.removed.length} removed` : ""})`;
          },
          (error) => {
            effects.log.warn(
              `history: this run was not recorded in ${store.label}: ${failure(error)}`,
            );
            return "not recorded";
          },
        ),
      (line) => line,
    );
  }
  effects.log.info(`built in ${formatDuration(performance.now() - started)}`);
  return result;
}
