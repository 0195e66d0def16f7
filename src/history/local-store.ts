// Runs kept in a local folder. A run is written to a hidden temporary file and then hard-
// linked to its name: the link fails when the name exists, so nothing is ever replaced, and
// a reader never sees a half-written run.
import { link, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { HistoryStore } from "./store.ts";
import { isRunName } from "./store.ts";

/** A store in `folder` (created on the first write). */
export function localHistoryStore(folder: string): HistoryStore {
  return {
    label: `${folder}/`,
    async list() {
      try {
        return (await readdir(folder)).filter(isRunName).sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
    },
    read: (name) => readFile(join(folder, name), "utf8"),
    async create(name, content) {
      await mkdir(folder, { recursive: true });
      const temporary = join(folder, `.${name}.${process.pid}.tmp`);
      await writeFile(temporary, content);
      try {
        await link(temporary, join(folder, name));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw error;
      } finally {
        await rm(temporary, { force: true });
      }
    },
    remove: (name) => rm(join(folder, name), { force: true }),
  };
}
