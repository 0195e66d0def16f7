// One build at a time replaces an output folder: a lock file beside it, created with O_EXCL
// and holding the owner's pid and host. A second build waits for it; a lock whose owner
// died (a killed build) is taken over, so a crash never blocks the next build.
import { randomUUID } from "node:crypto";
import { link, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { ReportError } from "../errors.ts";

/** What a lock file holds. */
interface LockOwner {
  pid: number;
  host: string;
  /** Tells two holders with the same pid apart (e.g. two writes in one process). */
  token: string;
}

/** A held lock; `release` removes it only if it is still this holder's. */
export interface OutputLock {
  path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for another build to finish writing; default 30 s. */
  timeoutMs?: number;
  /** Pause between attempts; default 50 ms. */
  pollMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_POLL_MS = 50;

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** The lock's owner; "gone" when there is no lock; "unreadable" when not (yet) a whole record. */
async function readOwner(path: string): Promise<LockOwner | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return "gone";
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (typeof owner.pid === "number" && typeof owner.host === "string") {
      return { pid: owner.pid, host: owner.host, token: String(owner.token) };
    }
  } catch {
    // Half-written (its writer is between open and write) or not ours: judged by age below.
  }
  return "unreadable";
}

/** True when `owner` is a process on this machine that no longer runs. */
function isDead(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // ESRCH: no such process. (Deno 1.46 reports ESRCH as ERR_OUT_OF_RANGE, so anything
    // but EPERM, "exists but is not yours", means gone.)
    return errnoCode(error) !== "EPERM";
  }
}

/**
 * Remove a dead owner's lock without removing a live one that replaced it meanwhile: move
 * it aside under a unique name, and put it back if what was moved is not the dead one.
 */
async function breakStaleLock(path: string, dead: LockOwner): Promise<void> {
  const aside = `${path}-stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return; // another waiter broke it first
    throw error;
  }
  const moved = await readOwner(aside);
  if (typeof moved === "object" && moved.token !== dead.token) {
    // A live lock, taken between our read and our rename: give it back (link: never over
    // a newer one).
    await link(aside, path).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}

/** Take the lock at `path`, waiting while a live build holds it. */
export async function acquireOutputLock(
  path: string,
  what: string,
  options: LockOptions = {},
): Promise<OutputLock> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const me: LockOwner = { pid: process.pid, host: hostname(), token: randomUUID() };
  const deadline = Date.now() + timeoutMs;
  let unreadableSince: number | undefined;
  for (;;) {
    try {
      await writeFile(path, JSON.stringify(me), { flag: "wx" });
      return {
        path,
        release: async () => {
          const owner = await readOwner(path);
          if (typeof owner === "object" && owner.token === me.token) await unlink(path);
        },
      };
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") throw error;
    }
    const found = await readOwner(path);
    if (found === "gone") continue;
    const owner = typeof found === "object" ? found : undefined;
    if (owner && isDead(owner)) {
      await breakStaleLock(path, owner);
      continue;
    }
    if (!owner) {
      // A writer killed between creating and filling the file leaves it empty forever, so
      // one that stays unreadable for a while is stale.
      unreadableSince ??= Date.now();
      if (Date.now() - unreadableSince > 2_000) {
        await unlink(path).catch(() => {});
        unreadableSince = undefined;
        continue;
      }
    } else {
      unreadableSince = undefined;
    }
    if (Date.now() >= deadline) {
      throw new ReportError(
        `Another build${owner ? ` (process ${owner.pid}${owner.host === me.host ? "" : ` on ${owner.host}`})` : ""} is writing ${what}; waited ${Math.round(timeoutMs / 1000)} s for it.`,
        {
          hint: `Wait for it to finish and build again. If no build is running, delete ${path}.`,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
