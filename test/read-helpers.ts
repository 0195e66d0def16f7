// Shared by the read-*.test.ts files: sources from memory or fixtures, a recording log.
import { join } from "node:path";
import type { Table } from "apache-arrow";
import { readTable } from "../src/read/index.ts";
import type { DataSource } from "../src/source/data-source.ts";
import { openLocalFile } from "../src/source/open.ts";
import { recordingLog } from "./helpers/effects.ts";

export { recordingLog };

export const FIXTURES = join(import.meta.dirname, "input", "read", "generated");

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** An in-memory source whose body arrives in chunks of `chunkSize` bytes. */
export function memorySource(
  name: string,
  bytes: Uint8Array | string,
  options: { chunkSize?: number; contentType?: string } = {},
): DataSource {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const size = options.chunkSize ?? (data.length || 1);
  return {
    label: name,
    name,
    size: data.length,
    contentType: options.contentType,
    async *body() {
      for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
    },
  };
}

/** Reads a fixture file with default options. */
export async function readFixture(
  name: string,
  log = recordingLog(),
): Promise<{ table: Table; log: ReturnType<typeof recordingLog> }> {
  const table = await readTable(await openLocalFile(fixture(name)), { csv: {}, log });
  return { table, log };
}

/** Column values through Arrow's accessor, as an array. */
export function column(table: Table, name: string): unknown[] {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`no column ${name}`);
  return Array.from({ length: vector.length }, (_, i) => vector.get(i));
}
