// The identity of the data a build read (src/history/document.ts): S3's ETag and VersionId
// when the data came from S3 (no second download), else a SHA-256 of the bytes: taken as the
// reader streams a local file past (hashedWhileRead), or else by reading the file or folder
// once more.
import { createHash } from "node:crypto";
import type { DataSource } from "../source/data-source.ts";
import type { DataIdentity } from "./document.ts";

/** SHA-256 digests of bodies read to their end, by the source hashedWhileRead returned. */
const digests = new WeakMap<DataSource, string>();

/**
 * A local file whose body, once read to its end, leaves its SHA-256 for dataIdentity, so the
 * file is not read a second time; S3 objects and folders come back unchanged.
 */
export function hashedWhileRead(source: DataSource): DataSource {
  if (source.parts !== undefined || source.label.startsWith("s3://")) return source;
  const body = source.body;
  const hashed: DataSource = {
    ...source,
    async *body() {
      digests.delete(hashed);
      const hash = createHash("sha256");
      for await (const chunk of body()) {
        hash.update(chunk);
        yield chunk;
      }
      // Only a body read to its end gets here: a reader that stopped early leaves no digest.
      digests.set(hashed, hash.digest("hex"));
    },
  };
  return hashed;
}

/** ETag/VersionId for S3 data; a SHA-256 of the bytes for anything else. */
export async function dataIdentity(source: DataSource): Promise<DataIdentity> {
  const identity: DataIdentity = { label: source.label };
  if (source.size !== undefined) identity.size = source.size;
  if (source.lastModified !== undefined) identity.lastModified = source.lastModified.toISOString();
  const parts = source.parts ?? [source];
  const fromS3 = source.label.startsWith("s3://");
  if (fromS3) {
    // One object: its ETag. A prefix: a hash of the parts' keys and ETags, so any change shows.
    if (parts.length === 1 && parts[0].etag !== undefined) {
      identity.etag = parts[0].etag;
      if (parts[0].versionId !== undefined) identity.versionId = parts[0].versionId;
    } else {
      const hash = createHash("sha256");
      for (const part of parts) hash.update(`${part.label}\n${part.etag ?? ""}\n`);
      identity.etag = `"${hash.digest("hex")}"`;
    }
    return identity;
  }
  const digest = digests.get(source);
  if (digest !== undefined) {
    identity.sha256 = digest;
    return identity;
  }
  const hash = createHash("sha256");
  for (const part of parts) {
    // A folder's files each add their name, so a renamed file changes the identity too.
    if (source.parts !== undefined) hash.update(`${part.label}\n`);
    for await (const chunk of part.body()) hash.update(chunk);
  }
  identity.sha256 = hash.digest("hex");
  return identity;
}
