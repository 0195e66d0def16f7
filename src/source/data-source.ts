// The contract between where bytes come from (a local file or folder, an S3 object or prefix)
// and the readers: a byte stream plus what the report footer says about it.
import type { TableCache } from "../cache/object-cache.ts";

/** An opened data source: a byte stream plus what the report footer says about it. */
export interface DataSource {
  /** For messages and the footer: a path or s3://bucket/key. */
  label: string;
  /** File name or key, used for format detection by extension. */
  name: string;
  size?: number;
  etag?: string;
  /** S3's VersionId, on a versioned bucket. */
  versionId?: string;
  lastModified?: Date;
  contentType?: string;
  /** Where credentials came from (S3 only), never the credentials themselves. */
  credentialSource?: string;
  /**
   * The parsed-table cache of these bytes (src/cache/), when the download cache is on: the
   * reader looks here before parsing and stores what it parsed.
   */
  tableCache?: TableCache;
  /**
   * Told how many rows the reader has parsed so far, for the live progress line; present
   * only where there is one (src/source/progress.ts).
   */
  countRows?(rows: number): void;
  /** The bytes; may be consumed once. */
  body(): AsyncIterable<Uint8Array>;
  /**
   * For an S3 prefix (a partitioned dataset): one source per object, in key order. The
   * listing is exposed here; reading them as one table is another stage's job.
   */
  parts?: DataSource[];
}
