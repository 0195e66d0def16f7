// Runs kept under an S3 prefix, read and written with the build's own credentials. A run is
// one PutObject with `If-None-Match: *`, so S3 refuses to replace an existing key (a
// concurrent build that drew the same name gets 412 and picks another); retention deletes
// whole objects and nothing is rewritten.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { explainS3Error, listS3Objects, type S3Access, s3Url } from "../aws/s3.ts";
import type { HistoryStore } from "./store.ts";
import { isRunName } from "./store.ts";

const errorName = (error: unknown) =>
  error && typeof error === "object" && "name" in error ? String(error.name) : "";

/** A store under `prefix` ("" or ending in "/") of the access's bucket. */
export function s3HistoryStore(access: S3Access, prefix: string): HistoryStore {
  const key = (name: string) => `${prefix}${name}`;
  return {
    label: s3Url(access.bucket, prefix),
    async list() {
      const objects = await listS3Objects(access, prefix);
      return objects
        .map((o) => o.key.slice(prefix.length))
        .filter(isRunName)
        .sort();
    },
    async read(name) {
      const answer = await access.send<{ Body?: { transformToString(): Promise<string> } }>(
        () => new GetObjectCommand({ Bucket: access.bucket, Key: key(name) }),
        { action: "s3:GetObject", name: "GetObject", key: key(name) },
      );
      return (await answer.Body?.transformToString()) ?? "";
    },
    async create(name, content) {
      const what = { action: "s3:PutObject", name: "PutObject", key: key(name) } as const;
      try {
        await access.send(
          () =>
            new PutObjectCommand({
              Bucket: access.bucket,
              Key: key(name),
              Body: content,
              ContentType: "application/json",
              IfNoneMatch: "*",
            }),
          what,
          { raw: true },
        );
        return true;
      } catch (error) {
        if (errorName(error) === "PreconditionFailed") return false;
        throw await explainS3Error(error, access, what);
      }
    },
    async remove(name) {
      await access.send(() => new DeleteObjectCommand({ Bucket: access.bucket, Key: key(name) }), {
        action: "s3:DeleteObject",
        name: "DeleteObject",
        key: key(name),
      });
    },
  };
}
