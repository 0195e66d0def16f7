// The live progress line of reading a source: bytes so far, rate, time left and the rows the
// reader has parsed (DataSource.countRows), redrawn at most every PROGRESS_INTERVAL_MS on a
// terminal (Logger.progress). Readers parse as the bytes arrive, so the line tracks parsing
// too; where there is no terminal the body passes through untouched and nothing counts rows.
import type { Logger } from "../effects.ts";
import { formatBytes } from "../format.ts";
import type { DataSource } from "./data-source.ts";

const PROGRESS_INTERVAL_MS = 100;
const LOCALE = { locale: "en-US", currency: "USD" } as const;

/** `s3://b/k  12.3 MB of 64 MB  250,000 rows  5.1 MB/s  10 s left`: one progress line. */
export function progressLine(
  label: string,
  received: number,
  size: number | undefined,
  ms: number,
  rows?: number,
): string {
  const seconds = ms / 1000;
  const rate = seconds > 0 ? received / seconds : 0;
  const parts = [
    label,
    size === undefined
      ? formatBytes(received, LOCALE)
      : `${formatBytes(received, LOCALE)} of ${formatBytes(size, LOCALE)}`,
  ];
  // Rows before the rate: a narrow terminal cuts the line's end.
  if (rows !== undefined) parts.push(`${rows.toLocaleString("en-US")} row${rows === 1 ? "" : "s"}`);
  if (rate > 0) parts.push(`${formatBytes(rate, LOCALE)}/s`);
  if (size !== undefined && rate > 0 && received < size) {
    parts.push(`${Math.ceil((size - received) / rate)} s left`);
  }
  return parts.join("  ");
}

/** `source` whose body and row count report progress on `log` (unchanged without a live line). */
export function withProgress(source: DataSource, log: Logger): DataSource {
  const progress = log.progress;
  if (!progress || source.parts) return source;
  const show: (text?: string) => void = progress;
  const body = source.body;
  let started = performance.now();
  let received = 0;
  let rows: number | undefined;
  let drawn = Number.NEGATIVE_INFINITY;
  /** Redraws the line, at most every PROGRESS_INTERVAL_MS unless forced. */
  const draw = (force: boolean) => {
    const now = performance.now();
    if (!force && now - drawn < PROGRESS_INTERVAL_MS) return;
    drawn = now;
    show(progressLine(source.label, received, source.size, now - started, rows));
  };
  async function* reporting(): AsyncGenerator<Uint8Array> {
    started = performance.now();
    received = 0;
    rows = undefined;
    try {
      for await (const chunk of body()) {
        received += chunk.length;
        draw(false);
        yield chunk;
      }
      draw(true);
    } finally {
      show();
    }
  }
  return {
    ...source,
    body: reporting,
    countRows: (count) => {
      rows = count;
      draw(false);
    },
  };
}
