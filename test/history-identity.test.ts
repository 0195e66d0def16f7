// The run history's data identity of a local file: hashedWhileRead takes its SHA-256 while the
// reader streams the file, so dataIdentity does not read it again; a reader that stops early
// leaves no digest, and the file is then read once more. The expected digests come from
// hashing the whole file in one piece.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { dataIdentity, hashedWhileRead } from "../src/history/index.ts";
import { openLocalFile } from "../src/source/open.ts";
import { ROOT } from "./helpers/cli.ts";

const FILE = join(ROOT, "report/data/orders.csv");
const expected = createHash("sha256").update(readFileSync(FILE)).digest("hex");

/** The file as a DataSource that counts how often its body is opened. */
async function counting(): Promise<{
  source: ReturnType<typeof hashedWhileRead>;
  opened: () => number;
}> {
  const file = await openLocalFile(FILE);
  let opened = 0;
  const body = file.body;
  const source = hashedWhileRead({
    ...file,
    body: () => {
      opened++;
      return body();
    },
  });
  return { source, opened: () => opened };
}

test("a file read to its end once is identified by its SHA-256 without a second read", async () => {
  const { source, opened } = await counting();
  let bytes = 0;
  for await (const chunk of source.body()) bytes += chunk.length;
  assert.equal(bytes, readFileSync(FILE).length);
  const identity = await dataIdentity(source);
  assert.equal(identity.sha256, expected);
  assert.equal(opened(), 1);
});

test("a read that stopped early leaves no digest: the file is read again, and hashed right", async () => {
  const { source, opened } = await counting();
  for await (const _chunk of source.body()) break;
  const identity = await dataIdentity(source);
  assert.equal(identity.sha256, expected);
  assert.equal(opened(), 2);
});

test("S3 objects come back unchanged: their ETag is their identity", async () => {
  const object = {
    label: "s3://bucket/key.csv",
    name: "key.csv",
    etag: '"abc"',
    body: () => {
      throw new Error("not read");
    },
  };
  assert.equal(hashedWhileRead(object), object);
  assert.equal((await dataIdentity(object)).etag, '"abc"');
});
