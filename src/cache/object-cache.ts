// Downloaded S3 objects kept on disk, so a build of an unchanged object costs one HeadObject
// and no GetObject. An entry is keyed on what identifies the bytes (bucket, key, ETag or
// VersionId, size); its file name is the SHA-256 of that key. Each entry is two files:
// `<name>.bin` (the bytes) and `<name>.json` (the key, length and SHA-256 of the bytes).
// Entries are verified (length, then hash) before a byte is handed out, and a bad one is
// deleted and downloaded again. Writes go to a temporary file renamed into place only once
// every byte arrived, so a killed build leaves no half entry. Least recently used entries
// (file times, touched on every hit) are evicted past the size limit. Deleting the folder
// at any time is safe.
import { createHash, randomBytes } from "node:crypto";
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { type Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { readFileChunks, releaseChunk } from "../file-chunks.ts";
import type { CacheSettings } from "./cache-dir.ts";

/** What identifies an object's bytes. */
export interface ObjectIdentity {
  bucket: string;
  key: string;
  etag?: string;
  versionId?: string;
  size: number;
}

interface EntryMeta {
  identity: ObjectIdentity;
  length: number;
  sha256: string;
}

/** How a read was served, for the log. */
export type CacheOutcome = "hit" | "miss" | "corrupt" | "uncacheable";

const OBJECTS = "objects";
const TABLES = "tables";

/** The entry's file name: a hash of the identity, so any key is a safe file name. */
export function entryName(identity: ObjectIdentity): string {
  const { bucket, key, etag, versionId, size } = identity;
  return createHash("sha256")
    .update(JSON.stringify([bucket, key, etag ?? null, versionId ?? null, size]))
    .digest("hex");
}

/** SHA-256 and length of a file, read once. */
async function hashFile(path: string): Promise<{ sha256: string; length: number }> {
  const hash = createHash("sha256");
  let length = 0;
  for await (const chunk of readFileChunks(path)) {
    hash.update(chunk);
    length += chunk.length;
    releaseChunk(chunk);
  }
  return { sha256: hash.digest("hex"), length };
}

/** What a source offers the reader: its parsed table, kept as an Arrow IPC file per reader options. */
export interface TableCache {
  /** The table cached for these reader options (a string key), if a verified entry exists. */
  load(options: string): Promise<Table | undefined>;
  /** Keep the table for these reader options. */
  store(options: string, table: Table): Promise<void>;
}

export class ObjectCache {
  private readonly folder: string;

  constructor(
    private readonly settings: CacheSettings,
    private readonly onOutcome: (
      outcome: CacheOutcome,
      identity: ObjectIdentity,
    ) => void = () => {},
  ) {
    this.folder = join(settings.dir, OBJECTS);
  }

  /**
   * The object's bytes: from the cache when a verified entry exists, else from `download`,
   * written to the cache as they pass through. An object without an ETag or VersionId is
   * not cached (nothing says whether it changed).
   */
  async *body(
    identity: ObjectIdentity,
    download: () => AsyncIterable<Uint8Array>,
  ): AsyncGenerator<Uint8Array> {
    if (identity.etag === undefined && identity.versionId === undefined) {
      this.onOutcome("uncacheable", identity);
      yield* download();
      return;
    }
    const name = entryName(identity);
    const verified = await this.verified(name, identity);
    if (verified === "ok") {
      this.onOutcome("hit", identity);
      const path = join(this.folder, `${name}.bin`);
      const now = new Date();
      await utimes(path, now, now).catch(() => {});
      yield* readFileChunks(path);
      return;
    }
    this.onOutcome(verified === "corrupt" ? "corrupt" : "miss", identity);
    if (verified === "corrupt") await this.remove(name);
    yield* this.downloadInto(name, identity, download);
  }

  /** The parsed-table cache of one object (entries under tables/, keyed on object and options). */
  tables(identity: ObjectIdentity): TableCache | undefined {
    if (identity.etag === undefined && identity.versionId === undefined) return undefined;
    const folder = join(this.settings.dir, TABLES);
    const nameOf = (options: string) =>
      createHash("sha256").update(entryName(identity)).update(options).digest("hex");
    return {
      load: async (options) => {
        const path = join(folder, `${nameOf(options)}.arrow`);
        let bytes: Buffer;
        let meta: { length: number; sha256: string };
        try {
          bytes = await readFile(path);
          meta = JSON.parse(await readFile(`${path}.json`, "utf8"));
        } catch {
          return undefined;
        }
        const sha256 = createHash("sha256").update(bytes).digest("hex");
        if (bytes.length !== meta.length || sha256 !== meta.sha256) {
          this.onOutcome("corrupt", identity);
          await rm(path, { force: true });
          return undefined;
        }
        try {
          const table = tableFromIPC(bytes);
          const now = new Date();
          await utimes(path, now, now).catch(() => {});
          return table;
        } catch {
          await rm(path, { force: true });
          return undefined;
        }
      },
      store: async (options, table) => {
        const path = join(folder, `${nameOf(options)}.arrow`);
        const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
        try {
          await mkdir(folder, { recursive: true });
          const bytes = tableToIPC(table, "file");
          const sha256 = createHash("sha256").update(bytes).digest("hex");
          await writeFile(`${temp}.json`, JSON.stringify({ length: bytes.length, sha256 }));
          await writeFile(temp, bytes);
          await rename(`${temp}.json`, `${path}.json`);
          await rename(temp, path);
          await this.evict();
        } catch {
          // A cache that cannot be written must not fail the build.
          await rm(temp, { force: true }).catch(() => {});
          await rm(`${temp}.json`, { force: true }).catch(() => {});
        }
      },
    };
  }

  /** "ok" for an entry whose length and hash match its record, "corrupt" for one that does not. */
  private async verified(
    name: string,
    identity: ObjectIdentity,
  ): Promise<"ok" | "missing" | "corrupt"> {
    let meta: EntryMeta;
    try {
      meta = JSON.parse(await readFile(join(this.folder, `${name}.json`), "utf8")) as EntryMeta;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "corrupt";
    }
    const path = join(this.folder, `${name}.bin`);
    try {
      if (
        meta.identity?.key !== identity.key ||
        meta.length !== identity.size ||
        (await stat(path)).size !== meta.length
      ) {
        return "corrupt";
      }
      const actual = await hashFile(path);
      return actual.sha256 === meta.sha256 && actual.length === meta.length ? "ok" : "corrupt";
    } catch {
      return "corrupt";
    }
  }

  /** Pass the download through, writing a temporary file that becomes the entry once complete. */
  private async *downloadInto(
    name: string,
    identity: ObjectIdentity,
    download: () => AsyncIterable<Uint8Array>,
  ): AsyncGenerator<Uint8Array> {
    let file: Awaited<ReturnType<typeof open>> | undefined;
    const temp = join(this.folder, `.${name}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    try {
      await mkdir(this.folder, { recursive: true });
      file = await open(temp, "wx");
    } catch {
      // An unwritable cache folder must not fail the build: download without caching.
      file = undefined;
    }
    const hash = createHash("sha256");
    let length = 0;
    let complete = false;
    try {
      for await (const chunk of download()) {
        if (file) {
          try {
            await file.write(chunk);
            hash.update(chunk);
          } catch {
            await file.close().catch(() => {});
            file = undefined;
          }
        }
        length += chunk.length;
        yield chunk;
      }
      complete = true;
    } finally {
      if (file) {
        await file.close().catch(() => {});
        if (complete && length === identity.size) {
          await this.commit(name, temp, { identity, length, sha256: hash.digest("hex") });
        } else {
          await rm(temp, { force: true });
        }
      }
    }
  }

  /** Rename the finished file into place, record it, and evict past the limit. */
  private async commit(name: string, temp: string, meta: EntryMeta): Promise<void> {
    try {
      const metaTemp = `${temp}.json`;
      await writeFile(metaTemp, JSON.stringify(meta));
      await rename(temp, join(this.folder, `${name}.bin`));
      await rename(metaTemp, join(this.folder, `${name}.json`));
      await this.evict();
    } catch {
      await rm(temp, { force: true }).catch(() => {});
    }
  }

  /** Delete an entry (both files). */
  private async remove(name: string): Promise<void> {
    await rm(join(this.folder, `${name}.json`), { force: true });
    await rm(join(this.folder, `${name}.bin`), { force: true });
  }

  /** Remove least recently used entries (objects and tables alike) until the cache fits its limit. */
  async evict(): Promise<void> {
    const entries: { files: string[]; size: number; used: number }[] = [];
    const kinds = [
      { folder: this.folder, data: ".bin", meta: (name: string) => `${name.slice(0, -4)}.json` },
      {
        folder: join(this.settings.dir, TABLES),
        data: ".arrow",
        meta: (name: string) => `${name}.json`,
      },
    ];
    for (const kind of kinds) {
      const files = await readdir(kind.folder).catch(() => [] as string[]);
      for (const file of files) {
        if (!file.endsWith(kind.data) || file.startsWith(".")) continue;
        try {
          const info = await stat(join(kind.folder, file));
          entries.push({
            files: [join(kind.folder, kind.meta(file)), join(kind.folder, file)],
            size: info.size,
            used: info.mtimeMs,
          });
        } catch {
          // Removed meanwhile by another build.
        }
      }
    }
    let total = entries.reduce((sum, entry) => sum + entry.size, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const entry of entries) {
      if (total <= this.settings.maxBytes) break;
      for (const file of entry.files) await rm(file, { force: true });
      total -= entry.size;
    }
  }
}
