// A small pool of worker threads for CSV chunks (csv-worker.ts, found beside this module).
// Workers start on first use and stay, unreferenced while idle so they never keep the process
// alive. When worker_threads or the worker file is missing (a bundle, e.g. under Deno on
// Connect) or a worker fails to start, `shared` returns undefined or jobs come back with
// `ok: false, started: false`, and the caller parses in-process.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import type { ChunkJob, ChunkResult } from "./csv-reader.ts";
import type { WorkerReply, WorkerRequest } from "./csv-worker.ts";

/** Most worker threads a pool uses, whatever the core count. */
const MAX_THREADS = 4;

/** A chunk's outcome: its columns, or its untouched bytes back for an in-process re-read. */
export type PoolReply =
  | { ok: true; result: ChunkResult }
  | { ok: false; bytes: Uint8Array; message: string; started: boolean };

interface Slot {
  worker: Worker;
  ready: boolean;
  busy: boolean;
}

interface Pending {
  bytes: Uint8Array;
  job: ChunkJob;
  resolve: (reply: PoolReply) => void;
}

/**
 * Workers worth starting: one per core beside the main thread (which splits the input and
 * appends the chunks), capped. On 2 cores that is 1, i.e. no pool: measured on this 2-core
 * VM, 2 workers cost 40% more CPU than one thread and finished later (bench/run.ts).
 */
export function defaultThreads(): number {
  return Math.min(MAX_THREADS, availableParallelism() - 1);
}

/** The worker file beside this module (source or bundle), if there is one. */
function workerFile(): URL | undefined {
  // A prebuilt worker (plain JS) starts several times faster than the source through tsx.
  for (const name of ["csv-worker.mjs", "csv-worker.js", "csv-worker.ts"]) {
    const url = new URL(`./${name}`, import.meta.url);
    if (url.protocol === "file:" && existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

export class CsvWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<number, Pending & { slot: Slot }>();
  private nextId = 0;
  /** Set when a worker could not start: no more workers, queued jobs come back unparsed. */
  private broken = false;

  private constructor(
    private readonly WorkerClass: typeof Worker,
    private readonly file: URL,
    private readonly threads: number,
  ) {}

  private static pools = new Map<number, Promise<CsvWorkerPool | undefined>>();

  /** The process-wide pool of `threads` workers, or undefined where threads are unavailable. */
  static shared(threads: number): Promise<CsvWorkerPool | undefined> {
    let pool = CsvWorkerPool.pools.get(threads);
    if (!pool) {
      pool = CsvWorkerPool.create(threads);
      CsvWorkerPool.pools.set(threads, pool);
    }
    return pool;
  }

  private static async create(threads: number): Promise<CsvWorkerPool | undefined> {
    const file = workerFile();
    if (!file || threads < 1) return undefined;
    try {
      const { Worker } = await import("node:worker_threads");
      if (typeof Worker !== "function") return undefined;
      return new CsvWorkerPool(Worker, file, threads);
    } catch {
      return undefined;
    }
  }

  /** True once a worker can take jobs; until then a caller may better parse in-process. */
  get ready(): boolean {
    return this.slots.some((slot) => slot.ready);
  }

  /** Starts the workers (they take a while: a caller parses in-process meanwhile). */
  warm(): void {
    if (this.broken) return;
    while (this.slots.length < this.threads) this.spawn();
  }

  /** Parses a chunk on a worker; the bytes are moved to it (and moved back on a failure). */
  run(bytes: Uint8Array, job: ChunkJob): Promise<PoolReply> {
    return new Promise((resolve) => {
      this.queue.push({ bytes, job, resolve });
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.broken) {
      for (const pending of this.queue.splice(0)) {
        pending.resolve({
          ok: false,
          bytes: pending.bytes,
          message: "CSV worker threads did not start",
          started: false,
        });
      }
      return;
    }
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.ready && !s.busy);
      if (!slot) {
        const wanted = Math.min(this.threads, this.inFlight.size + this.queue.length);
        while (this.slots.length < wanted) this.spawn();
        break;
      }
      const pending = this.queue.shift()!;
      const id = this.nextId++;
      slot.busy = true;
      this.inFlight.set(id, { ...pending, slot });
      const request: WorkerRequest = { id, bytes: pending.bytes, job: pending.job };
      slot.worker.postMessage(request, [pending.bytes.buffer as ArrayBuffer]);
    }
    this.updateRefs();
  }

  /** Workers keep the process alive only while there is work queued or running. */
  private updateRefs(): void {
    const waiting = this.queue.length > 0;
    for (const slot of this.slots) {
      if (slot.busy || waiting) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  private spawn(): void {
    const worker = this.file.pathname.endsWith(".ts")
      ? // Node 20 applies no --import loader to a worker's entry, so the worker registers tsx
        // itself (the CLI registers it in code, which workers do not inherit either).
        new this.WorkerClass(
          `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(this.file.href)}); })`,
          { eval: true, execArgv: [] },
        )
      : new this.WorkerClass(this.file, { execArgv: [] });
    const slot: Slot = { worker, ready: false, busy: false };
    this.slots.push(slot);
    worker.unref();
    worker.on("message", (message: WorkerReply | "ready") => {
      if (message === "ready") {
        slot.ready = true;
        this.dispatch();
        return;
      }
      const pending = this.inFlight.get(message.id);
      if (!pending) return;
      this.inFlight.delete(message.id);
      slot.busy = false;
      pending.resolve(
        message.ok
          ? { ok: true, result: message.result }
          : { ok: false, bytes: message.bytes, message: message.message, started: true },
      );
      this.dispatch();
    });
    worker.on("error", (error) => this.fail(slot, error));
    worker.on("exit", () => this.fail(slot, new Error("a CSV worker thread exited")));
  }

  /** A worker died: before it was ready, threads are unusable here; after, it is a bug. */
  private fail(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    if (!slot.ready) this.broken = this.slots.length === 0;
    for (const [id, pending] of this.inFlight) {
      if (pending.slot !== slot) continue;
      this.inFlight.delete(id);
      // The bytes went to the dead worker: nothing to re-read, so this is an error.
      pending.resolve({
        ok: false,
        bytes: new Uint8Array(0),
        message: `a CSV worker thread failed: ${error.message}`,
        started: true,
      });
    }
    this.dispatch();
  }
}
