// The history stage: open the store the definition names (an S3 prefix with the build's
// credentials, a folder, or by default a folder beside the output), read the last runs
// before this build, and after a successful write add this run and apply retention.
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { HistorySpec, SourceSpec } from "../config/spec.ts";
import type { Effects, Logger } from "../effects.ts";
import { ReportError } from "../errors.ts";
import { SUMMARY_VERSION, type SummaryDocument } from "./document.ts";
import { localHistoryStore } from "./local-store.ts";
import { appendRun, expiredRuns, type HistoryStore, runTime } from "./store.ts";

export {
  type Change,
  type ChangeSummary,
  computeChanges,
  type KpiDelta,
  kpiKey,
  kpiTrends,
} from "./changes.ts";
export { type DataIdentity, type SummaryDocument, summaryDocument } from "./document.ts";
export { dataIdentity, hashedWhileRead } from "./identity.ts";
export type { HistoryStore } from "./store.ts";

/** The folder every local build keeps its history in by default, beside the output folder. */
export const DEFAULT_HISTORY_FOLDER = ".connect-s3-report-history";

/** The default history folder of an output folder: `<parent>/.connect-s3-report-history/<name>`. */
export function defaultHistoryFolder(outDir: string): string {
  const out = resolve(outDir);
  return join(dirname(out), DEFAULT_HISTORY_FOLDER, basename(out));
}

/** The store `spec` names; S3 is reached with the same credentials as the data. */
export function openHistoryStore(
  spec: HistorySpec,
  context: { outDir: string; source: SourceSpec; effects: Effects },
): HistoryStore {
  if (spec.s3 !== undefined) {
    const { effects } = context;
    const { bucket, prefix } = spec.s3;
    const location = {
      bucket,
      region: spec.s3.region ?? context.source.s3?.region,
      endpoint: spec.s3.endpoint ?? context.source.s3?.endpoint,
    };
    // The AWS SDK loads only when the history is first used (start-up, src/cli/main.ts).
    let opened: Promise<HistoryStore> | undefined;
    const open = () => {
      opened ??= Promise.all([
        import("../aws/credentials.ts"),
        import("../aws/s3.ts"),
        import("./s3-store.ts"),
      ]).then(([{ selectCredentials }, { createS3Access, downloadOptionsFromEnv }, store]) => {
        const credentials = selectCredentials(effects, { audience: context.source.audience });
        const access = createS3Access(location, credentials, effects.env, {
          ...downloadOptionsFromEnv(effects.env),
          log: effects.log,
        });
        return store.s3HistoryStore(access, prefix);
      });
      return opened;
    };
    return {
      label: `s3://${bucket}/${prefix ?? ""}`,
      list: async () => (await open()).list(),
      read: async (name) => (await open()).read(name),
      create: async (name, content) => (await open()).create(name, content),
      remove: async (name) => (await open()).remove(name),
    };
  }
  const folder = spec.folder ?? defaultHistoryFolder(context.outDir);
  const inside = relative(resolve(context.outDir), folder);
  if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))) {
    throw new ReportError(
      `history folder ${folder} is inside the output folder ${context.outDir}, which every build replaces`,
      { hint: "Put history.location beside the output folder, or leave it out for the default." },
    );
  }
  return localHistoryStore(folder);
}

/** Parse a stored run; undefined (with a warning) for one this version cannot read. */
function parseRun(
  text: string,
  name: string,
  store: HistoryStore,
  log: Logger,
): SummaryDocument | undefined {
  try {
    const doc = JSON.parse(text) as Partial<SummaryDocument>;
    if (
      typeof doc.version !== "number" ||
      doc.version > SUMMARY_VERSION ||
      !Array.isArray(doc.columns)
    ) {
      log.warn(
        `history: ${store.label}${name} has summary version ${String(doc.version)}; skipped`,
      );
      return undefined;
    }
    return doc as SummaryDocument;
  } catch {
    log.warn(`history: ${store.label}${name} is not valid JSON; skipped`);
    return undefined;
  }
}

/** The last `count` runs built before `before`, oldest first (unreadable ones skipped). */
export async function loadRuns(
  store: HistoryStore,
  options: { before: Date; count: number; log: Logger },
): Promise<SummaryDocument[]> {
  const names = (await store.list()).filter(
    (n) => runTime(n).getTime() <= options.before.getTime(),
  );
  const wanted = names.slice(Math.max(0, names.length - options.count));
  const texts = await Promise.all(wanted.map((name) => store.read(name)));
  const runs: SummaryDocument[] = [];
  for (const [i, text] of texts.entries()) {
    const doc = parseRun(text, wanted[i], store, options.log);
    if (doc !== undefined) runs.push(doc);
  }
  return runs;
}

/**
 * Add this build's run (`content`: its summary.json, as written to the output), then remove
 * what retention allows; returns the run's name and what was removed.
 */
export async function recordRun(
  store: HistoryStore,
  run: { builtAt: string; content: string | Uint8Array },
  spec: HistorySpec,
  now: Date,
): Promise<{ name: string; removed: string[]; kept: number }> {
  const name = await appendRun(store, new Date(run.builtAt), run.content);
  const names = await store.list();
  const removed = expiredRuns(names, {
    runs: spec.keepRuns,
    days: spec.keepDays,
    now,
    current: name,
  });
  for (const old of removed) await store.remove(old);
  return { name, removed, kept: names.length - removed.length };
}

/** The run kept just before `document` (the run it was built as is skipped), if any. */
export async function runBefore(
  store: HistoryStore,
  document: SummaryDocument,
  log: Logger,
): Promise<SummaryDocument | undefined> {
  const runs = await loadRuns(store, { before: new Date(document.builtAt), count: 2, log });
  return runs.filter((run) => run.builtAt !== document.builtAt).at(-1);
}
