// Where a report was published: report/.connect/<server-host>.json beside the definition,
// as rsconnect and `quarto publish` keep one. The next publish updates the content it names
// (found by GUID, so a new title or name does not orphan it); `--new` starts another. The
// file is meant to be committed, so it holds addresses and identifiers only, never a key.
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ReportError } from "../errors.ts";

/** What a publish leaves behind for the next one. */
export interface DeploymentRecord {
  /** The server root, as CONNECT_SERVER normalised (no /__api__). */
  server: string;
  guid: string;
  /** The content name on Connect (its URL-safe name; the GUID is what is looked up). */
  name: string;
  app_mode: string;
  content_url: string;
  dashboard_url: string;
  /** The title at the last publish. */
  title: string;
  /** ISO time of the last publish. */
  published_at: string;
}

const FIELDS = [
  "server",
  "guid",
  "name",
  "app_mode",
  "content_url",
  "dashboard_url",
  "title",
  "published_at",
] as const satisfies readonly (keyof DeploymentRecord)[];

/** The folder of records, beside the definition. */
export const RECORD_DIR = ".connect";

/** `<definition folder>/.connect/<host>.json`; the port is kept, as `host_port`. */
export function recordPath(definition: string, serverUrl: string): string {
  const host = new URL(serverUrl).host.replace(/[^A-Za-z0-9.-]/g, "_");
  return join(dirname(definition), RECORD_DIR, `${host}.json`);
}

/** The record at `path`, or undefined when there is none; a damaged file is an error. */
export async function readDeploymentRecord(path: string): Promise<DeploymentRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ReportError(`Cannot read the deployment record ${path}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const record = value as Partial<Record<(typeof FIELDS)[number], unknown>> | undefined;
  const bad = FIELDS.find((field) => typeof record?.[field] !== "string");
  if (!record || bad || !/^[0-9a-fA-F-]{36}$/.test(String(record.guid))) {
    throw new ReportError(
      `The deployment record ${path} is damaged${bad ? ` (field "${bad}")` : ""}`,
      {
        hint: "Restore it from version control, or delete it and publish with --new (or --name) to choose the content again.",
      },
    );
  }
  return Object.fromEntries(FIELDS.map((f) => [f, record[f]])) as unknown as DeploymentRecord;
}

/** Write the record atomically: a sibling temporary file renamed over it. */
export async function writeDeploymentRecord(path: string, record: DeploymentRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const ordered = Object.fromEntries(FIELDS.map((f) => [f, record[f]]));
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(ordered, null, 2)}\n`);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new ReportError(`Cannot write the deployment record ${path}`, {
      hint: "The content was published; check that the folder is writable so the next publish finds it.",
      cause: error,
    });
  }
}
