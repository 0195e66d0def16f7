// The live progress line of reading a source: bytes so far, rate and time left, redrawn at
// most every PROGRESS_INTERVAL_MS on a terminal (Logger.progress). Readers parse as the bytes
// arrive, so the line also tracks parsing; where there is no terminal the body passes through
// untouched.
import type { Logger } from "../effects.ts";
import { formatBytes } from "../format.ts";
import type { DataSource } from "./data-source.ts";

const PROGRESS_INTERVAL_MS = 100;
const LOCALE = { locale: "en-US", currency: "USD" } as const;

/** `s3://b/k  12.3 MB of 64 MB  5.1 MB/s  10 s left`: one progress line. */
export function progressLine(
  label: string,
  received: number,
  size: number | undefined,
  ms: number,
): string {
  const seconds = ms / 1000;
  const rate = seconds > 0 ? received / seconds : 0;
  const parts = [
    label,
    size === undefined
      ? formatBytes(received, LOCALE)
      : `${formatBytes(received, LOCALE)} of ${formatBytes(size, LOCALE)}`,
  ];
  if (rate > 0) parts.push(`${formatBytes(rate, LOCALE)}/s`);
  if (size !== undefined && rate > 0 && received < size) {
    parts.push(`${Math.ceil((size - received) / rate)} s left`);
  }
  return parts.join("  ");
}

/** `source` whose body reports progress on `log` (unchanged when the log has no live line). */
export function withProgress(source: DataSource, log: Logger): DataSource {
  const progress = log.progress;
  if (!progress || source.parts) return source;
  const body = source.body;
  return {
    ...source,
    body: () => reporting(body(), source.label, source.size, progress),
  };
}

async function* reporting(
  body: AsyncIterable<Uint8Array>,
  label: string,
  size: number | undefined,
  progress: (text?: string) => void,
): AsyncGenerator<Uint8Array> {
  const started = performance.now();
  let received = 0;
  let drawn = Number.NEGATIVE_INFINITY;
  try {
    for await (const chunk of body) {
      received += chunk.length;
      const now = performance.now();
      if (now - drawn >= PROGRESS_INTERVAL_MS) {
        drawn = now;
        progress(progressLine(label, received, size, now - started));
      }
      yield chunk;
    }
    progress(progressLine(label, received, size, performance.now() - started));
  } finally {
    progress();
  }
}
