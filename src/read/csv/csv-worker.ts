// A worker thread of the CSV pool (csv-pool.ts): parses chunks that start past the header and
// sends their columns back as transferable typed arrays. It loads no apache-arrow.
import { parentPort } from "node:worker_threads";
import { stateBuffers } from "../columns/builders.ts";
import { type ChunkJob, parseChunk } from "./csv-reader.ts";

/** A chunk to parse: `bytes` stays untouched, so the caller can re-read it on a failure. */
export interface WorkerRequest {
  id: number;
  bytes: Uint8Array;
  job: ChunkJob;
}

export type WorkerReply =
  | { id: number; ok: true; result: import("./csv-reader.ts").ChunkResult }
  | { id: number; ok: false; bytes: Uint8Array; message: string };

const port = parentPort;
if (port) {
  port.on("message", (request: WorkerRequest) => {
    try {
      const result = parseChunk(request.bytes, request.job);
      const reply: WorkerReply = { id: request.id, ok: true, result };
      port.postMessage(reply, result.columns.flatMap(stateBuffers));
    } catch (error) {
      // The main thread re-reads the chunk where it knows the chunk's first line, which gives
      // the user's error its line in the file (or rethrows a bug there).
      const message = error instanceof Error ? error.message : String(error);
      const reply: WorkerReply = { id: request.id, ok: false, bytes: request.bytes, message };
      port.postMessage(reply, [request.bytes.buffer as ArrayBuffer]);
    }
  });
  port.postMessage("ready");
}
