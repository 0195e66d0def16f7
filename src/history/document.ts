// The summary.json document: a build's Summary plus what identifies the run (schema version,
// build time, the report and the data it read). It is what output/summary.json holds and
// what the history keeps, one per run, so other tools can read either with one schema
// (schema/summary.schema.json; docs/history.md describes it).
import type { Summary } from "../summarize/summary.ts";

/** The schema document summary.json names in `$schema` (resolvable through the package's exports). */
export const SUMMARY_SCHEMA = "connect-s3-report/schema/summary.schema.json";
/** Bumped when a field changes meaning or goes away; new optional fields keep the version. */
export const SUMMARY_VERSION = 1;

/** Which data a run read: enough to tell "the same file again" from "new data". */
export interface DataIdentity {
  /** A path or s3://bucket/key (or prefix). */
  label: string;
  size?: number;
  /** S3's ETag (quoted, as S3 sends it). */
  etag?: string;
  /** S3's VersionId on a versioned bucket. */
  versionId?: string;
  /** SHA-256 of the bytes (hex), for local files and folders. */
  sha256?: string;
  /** ISO 8601. */
  lastModified?: string;
}

export interface SummaryDocument extends Summary {
  $schema: typeof SUMMARY_SCHEMA;
  version: typeof SUMMARY_VERSION;
  /** ISO 8601 time of the build. */
  builtAt: string;
  report: { title: string };
  data: DataIdentity;
}

/** The document for one build, fields in the order summary.json shows them. */
export function summaryDocument(
  summary: Summary,
  run: { builtAt: Date; title: string; data: DataIdentity },
): SummaryDocument {
  return {
    $schema: SUMMARY_SCHEMA,
    version: SUMMARY_VERSION,
    builtAt: run.builtAt.toISOString(),
    report: { title: run.title },
    data: run.data,
    ...summary,
  };
}

/** True when two runs read the same bytes, as far as their identities tell. */
export function sameData(a: DataIdentity, b: DataIdentity): boolean {
  if (a.sha256 !== undefined && b.sha256 !== undefined) return a.sha256 === b.sha256;
  if (a.versionId !== undefined && b.versionId !== undefined) return a.versionId === b.versionId;
  if (a.etag !== undefined && b.etag !== undefined) return a.label === b.label && a.etag === b.etag;
  return false;
}
