// Where the report's bytes come from: a local file or folder, or S3 (through src/aws).
// Readers take the byte stream; the footer shows `label`, `size` and, for S3, `etag` and
// `lastModified`.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { S3DownloadOptions } from "../aws/s3.ts";
import { cacheSettings } from "../cache/cache-dir.ts";
import { ObjectCache } from "../cache/object-cache.ts";
import type { SourceSpec } from "../config/spec.ts";
import type { Effects } from "../effects.ts";
import { ReportError } from "../errors.ts";
import { readFileChunks } from "../file-chunks.ts";
import { isHidden, listFiles } from "../list-files.ts";
import type { DataSource } from "./data-source.ts";
import { withProgress } from "./progress.ts";

/** Open a local file (or a folder of files) as a DataSource, with an actionable error when it is missing. */
export async function openLocalFile(path: string): Promise<DataSource> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new ReportError(`Data file not found: ${path}`, {
      hint: "Check the path in the report definition (source.file or source.fallback) or --source.",
      cause: error,
    });
  }
  if (info.isDirectory()) return openLocalFolder(path);
  if (!info.isFile()) throw new ReportError(`Data source is not a file or folder: ${path}`);
  return {
    label: path,
    name: path,
    size: info.size,
    lastModified: info.mtime,
    // Recycled chunks: the CSV reader hands each back once copied (file-chunks.ts).
    body: () => readFileChunks(path),
  };
}

/**
 * Open the report's data: the local file, else S3 when a bucket is configured (credentials
 * from Connect's exchange on Connect, else the AWS default chain), else the fallback.
 * `options` (the build passes its download_timeout_seconds limit) win over the environment's.
 */
export async function openDataSource(
  spec: SourceSpec,
  effects: Effects,
  options: S3DownloadOptions = {},
): Promise<DataSource> {
  return withProgress(await openSource(spec, effects, options), effects.log);
}

/** openDataSource without the progress line. */
async function openSource(
  spec: SourceSpec,
  effects: Effects,
  options: S3DownloadOptions,
): Promise<DataSource> {
  if (spec.file) return openLocalFile(spec.file);
  if (spec.s3) {
    // The AWS SDK loads only when S3 is read (start-up, src/cli/main.ts).
    const [{ selectCredentials }, { createS3Access, downloadOptionsFromEnv }, { openS3Location }] =
      await Promise.all([
        import("../aws/credentials.ts"),
        import("../aws/s3.ts"),
        import("./s3.ts"),
      ]);
    const credentials = selectCredentials(effects, { audience: spec.audience });
    const access = createS3Access(spec.s3, credentials, effects.env, {
      ...downloadOptionsFromEnv(effects.env),
      ...options,
      log: effects.log,
    });
    return openS3Location(access, spec.s3, objectCache(effects));
  }
  if (spec.fallback) {
    effects.log.warn(
      `no S3 bucket configured (AWS_BUCKET_NAME is empty): using the bundled ${spec.fallback}`,
    );
    return openLocalFile(spec.fallback);
  }
  throw new ReportError("The report definition names no data source", {
    hint: "Set source.s3 (bucket and key), source.file, or pass --source <file or s3://bucket/key>.",
  });
}

/** The download cache the environment asks for (src/cache/cache-dir.ts), logging how each object was served. */
function objectCache(effects: Effects): ObjectCache | undefined {
  const settings = cacheSettings(effects.env);
  if (!settings) return undefined;
  return new ObjectCache(settings, (outcome, object) => {
    const url = `s3://${object.bucket}/${object.key}`;
    if (outcome === "hit")
      effects.log.info(
        `${url}: unchanged (ETag ${object.etag}), read from the cache in ${settings.dir}`,
      );
    else if (outcome === "corrupt")
      effects.log.warn(
        `${url}: the cached copy in ${settings.dir} was damaged; downloading it again`,
      );
    else effects.log.verbose(`${url}: not in the cache (${outcome}), downloading`);
  });
}

/** A local folder as a DataSource whose parts are its data files (recursively, sorted). */
async function openLocalFolder(path: string): Promise<DataSource> {
  const files = (await listFiles(path)).filter((file) => !file.split("/").some(isHidden));
  if (files.length === 0) {
    throw new ReportError(`The folder ${path} holds no data files.`, {
      hint: "Point the report at a file, or at a folder of .parquet/.csv/… files (names starting with _ or . are skipped).",
    });
  }
  const parts = await Promise.all(files.map((file) => openLocalFile(join(path, file))));
  const info = await stat(path);
  return {
    label: path,
    name: path,
    size: parts.reduce((sum, part) => sum + (part.size ?? 0), 0),
    lastModified: new Date(
      Math.max(info.mtime.getTime(), ...parts.map((p) => p.lastModified?.getTime() ?? 0)),
    ),
    parts,
    body: () => {
      throw new ReportError(`${path} is a folder; its files are read one by one`);
    },
  };
}
