// An S3 object, or every object under a prefix, as a DataSource: metadata from HeadObject or
// ListObjectsV2 now, the body (src/aws/s3.ts) when a reader asks for it.
import {
  headS3Object,
  listS3Objects,
  nearbyKeys,
  type S3Access,
  type S3ObjectInfo,
  s3Url,
} from "../aws/s3.ts";
import { s3ObjectBody } from "../aws/s3-download.ts";
import type { ObjectCache } from "../cache/object-cache.ts";
import type { S3Location } from "../config/spec.ts";
import { ReportError } from "../errors.ts";
import type { DataSource } from "./data-source.ts";

/** A DataSource for one object (HeadObject now, the body when read: from `cache` if it holds it). */
export async function openS3Object(
  access: S3Access,
  key: string,
  cache?: ObjectCache,
): Promise<DataSource> {
  const info = await headS3Object(access, key);
  return s3DataSource(access, info, cache);
}

function s3DataSource(access: S3Access, info: S3ObjectInfo, cache?: ObjectCache): DataSource {
  return {
    label: s3Url(info.bucket, info.key),
    name: info.key,
    size: info.size,
    etag: info.etag,
    ...(info.versionId === undefined ? {} : { versionId: info.versionId }),
    lastModified: info.lastModified,
    contentType: info.contentType,
    credentialSource: access.credentials.describe(),
    tableCache: cache?.tables({
      bucket: info.bucket,
      key: info.key,
      etag: info.etag,
      size: info.size,
    }),
    body: () =>
      cache
        ? cache.body({ bucket: info.bucket, key: info.key, etag: info.etag, size: info.size }, () =>
            s3ObjectBody(access, info),
          )
        : s3ObjectBody(access, info),
  };
}

/**
 * Open `location`: one object by key, or every object under a prefix (`parts`, one
 * DataSource per object, in key order). With a `cache`, unchanged objects are read from disk.
 */
export async function openS3Location(
  access: S3Access,
  location: S3Location,
  cache?: ObjectCache,
): Promise<DataSource> {
  if (location.key !== undefined && location.key !== "") {
    const source = await openS3Object(access, location.key, cache);
    access.log?.info(
      `Data: ${source.label} (${source.size} bytes, ETag ${source.etag ?? "none"}), credentials from ${source.credentialSource}`,
    );
    return source;
  }
  const prefix = location.prefix ?? "";
  const objects = (await listS3Objects(access, prefix)).filter((o) => !o.key.endsWith("/"));
  if (objects.length === 0) {
    const near = await nearbyKeys(access, prefix);
    throw new ReportError(`No objects under ${s3Url(access.bucket, prefix)}`, {
      hint: `${near.length ? `Nearby keys: ${near.map((k) => `"${k}"`).join(", ")}. ` : ""}Check source.s3.prefix.`,
    });
  }
  access.log?.info(
    `Data: ${objects.length} object(s) under ${s3Url(access.bucket, prefix)}, credentials from ${access.credentials.describe()}`,
  );
  const parts = objects.map((o) => s3DataSource(access, o, cache));
  if (parts.length === 1) return { ...parts[0], parts };
  const total = objects.reduce((sum, o) => sum + o.size, 0);
  return {
    label: s3Url(access.bucket, prefix),
    name: objects[0].key,
    size: total,
    lastModified: new Date(Math.max(...objects.map((o) => o.lastModified?.getTime() ?? 0))),
    credentialSource: access.credentials.describe(),
    parts,
    body: () => {
      throw new ReportError(
        `${s3Url(access.bucket, prefix)} holds ${parts.length} objects; read them through DataSource.parts`,
        { hint: "Set source.s3.key to one object until multi-file datasets are supported." },
      );
    },
  };
}
