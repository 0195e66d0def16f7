// Local files are read in recycled chunks (src/file-chunks.ts): a chunk is reused
// only once its consumer hands it back, so a consumer that keeps chunks still sees its bytes,
// and the CSV reader, which hands each back after copying it, reads the same table as from
// one buffer, even when the header line spans several chunks.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { mulberry32 } from "../scripts/seeded-random.ts";
import { readFileChunks, releaseChunk } from "../src/file-chunks.ts";
import { readCsv } from "../src/read/csv/read-csv.ts";

/** Small chunks, so small files span several. */
const CHUNK = 1 << 16;
const dir = mkdtempSync(join(tmpdir(), "file-chunks-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Random bytes, several chunks long and not a multiple of the chunk size. */
function randomFile(name: string): { path: string; bytes: Uint8Array } {
  const random = mulberry32(7);
  const bytes = new Uint8Array(3 * CHUNK + 1234);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

describe("readFileChunks", () => {
  it("leaves chunks that are not handed back untouched", async () => {
    const { path, bytes } = randomFile("kept.bin");
    const kept: Uint8Array[] = [];
    for await (const chunk of readFileChunks(path, CHUNK)) kept.push(chunk);
    assert.ok(kept.length >= 4, `expected several chunks, got ${kept.length}`);
    assert.equal(new Set(kept.map((chunk) => chunk.buffer)).size, kept.length);
    assert.deepEqual(concat(kept), bytes);
  });

  it("reuses a chunk once it is handed back, and still yields the file's bytes", async () => {
    const { path, bytes } = randomFile("released.bin");
    const copies: Uint8Array[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const chunk of readFileChunks(path, CHUNK)) {
      copies.push(chunk.slice());
      buffers.add(chunk.buffer);
      releaseChunk(chunk);
    }
    assert.ok(copies.length >= 4);
    // One chunk with the caller, the next being read: two buffers serve every read.
    assert.equal(buffers.size, 2);
    assert.deepEqual(concat(copies), bytes);
  });

  it("ignores a chunk it did not hand out", async () => {
    const { path } = randomFile("foreign.bin");
    const foreign = new Uint8Array(CHUNK).fill(0xaa);
    releaseChunk(foreign);
    for await (const chunk of readFileChunks(path, CHUNK)) {
      assert.notEqual(chunk.buffer, foreign.buffer);
      releaseChunk(chunk);
    }
    assert.ok(foreign.every((byte) => byte === 0xaa));
  });
});

describe("readCsv over recycled chunks", () => {
  it("reads a header line longer than a chunk and rows across chunks", async () => {
    const random = mulberry32(11);
    const width = 40;
    // Names of ~2 KiB each: the header line spans two chunks.
    const names = Array.from({ length: width }, (_, c) => `c${c}_${"n".repeat(2000)}`);
    const rows = Array.from({ length: 2000 }, (_, r) =>
      Array.from({ length: width }, (_, c) =>
        c % 2 === 0 ? String(Math.floor(random() * 1000)) : `"t,${r % 7}"`,
      ),
    );
    const text = `${names.join(",")}\n${rows.map((row) => row.join(",")).join("\n")}\n`;
    const path = join(dir, "wide-header.csv");
    writeFileSync(path, text);
    assert.ok(names.join(",").length > CHUNK);
    assert.ok(text.length > 3 * CHUNK);

    const table = await readCsv(readFileChunks(path, CHUNK), { name: path });
    assert.deepEqual(
      table.schema.fields.map((field) => field.name),
      names,
    );
    assert.equal(table.numRows, rows.length);
    for (const c of [0, 1, width - 2, width - 1]) {
      const column = [...table.getChild(names[c])!];
      const expected = rows.map((row) => (c % 2 === 0 ? Number(row[c]) : row[c].slice(1, -1)));
      assert.deepEqual(column, expected, `column ${c}`);
    }
  });
});
