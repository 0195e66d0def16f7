// Where runs are kept: one JSON document per build, named by its build time and a random
// suffix, so names sort by time and two builds in the same millisecond still get two runs.
// A store only adds and removes whole runs; it never rewrites one (local-store.ts and
// s3-store.ts refuse to replace an existing name).
import { randomBytes } from "node:crypto";

/** One place runs are kept: a local folder or an S3 prefix. */
export interface HistoryStore {
  /** For messages: the folder or s3://bucket/prefix/. */
  label: string;
  /** Run names (see runName), oldest first; other files are ignored. */
  list(): Promise<string[]>;
  /** The text of one run. */
  read(name: string): Promise<string>;
  /** Add a run (its UTF-8 JSON); false (and nothing written) when the name is taken. */
  create(name: string, content: string | Uint8Array): Promise<boolean>;
  remove(name: string): Promise<void>;
}

const RUN_NAME = /^run-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]{8}\.json$/;

/** `run-20260115T080000123Z-1a2b3c4d.json`: the build time (sortable) and 32 random bits. */
export function runName(builtAt: Date): string {
  const stamp = builtAt.toISOString().replace(/[-:.]/g, "");
  return `run-${stamp}-${randomBytes(4).toString("hex")}.json`;
}

/** True for names runName makes. */
export function isRunName(name: string): boolean {
  return RUN_NAME.test(name);
}

/** The build time a run name carries. */
export function runTime(name: string): Date {
  const m = RUN_NAME.exec(name);
  if (m === null) throw new Error(`not a run name: ${name}`);
  const [, y, mo, d, h, mi, s, ms] = m.map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
}

/** Add `content` as a new run built at `builtAt`; a taken name (a concurrent build) gets another. */
export async function appendRun(
  store: HistoryStore,
  builtAt: Date,
  content: string | Uint8Array,
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const name = runName(builtAt);
    if (await store.create(name, content)) return name;
  }
  throw new Error(`${store.label}: five run names in a row were taken`);
}

/** Which runs retention removes: beyond the newest `keepRuns`, and older than `keepDays`. */
export function expiredRuns(
  names: readonly string[],
  keep: { runs: number; days?: number; now: Date; current: string },
): string[] {
  const sorted = [...names].sort();
  const others = sorted.filter((name) => name !== keep.current);
  // The current run counts towards the limit and is never removed.
  const over = Math.max(0, sorted.length - keep.runs);
  const expired = new Set(others.slice(0, over));
  if (keep.days !== undefined) {
    const cutoff = keep.now.getTime() - keep.days * 86_400_000;
    for (const name of others) if (runTime(name).getTime() < cutoff) expired.add(name);
  }
  return sorted.filter((name) => expired.has(name));
}
