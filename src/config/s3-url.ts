import type { S3Location } from "./spec.ts";

/**
 * `s3://bucket/key` → {bucket, key}; a trailing "/" (or no key) makes it a prefix.
 * Undefined when the text is not an s3:// URL.
 */
export function parseS3Url(
  text: string,
): Pick<S3Location, "bucket" | "key" | "prefix"> | undefined {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(text.trim());
  if (match === null) return undefined;
  const [, bucket, rest] = match;
  if (rest === "" || rest.endsWith("/")) return { bucket, prefix: rest };
  return { bucket, key: rest };
}
