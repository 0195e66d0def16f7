// Effects and loggers that record what they are told instead of printing it.
import type { Effects, Logger } from "../../src/effects.ts";

export interface RecordingLog extends Logger {
  /** Every line: info and verbose as told, warnings as "warning: …". */
  lines: string[];
  /** The warnings alone, as told. */
  warnings: string[];
}

/** A logger that keeps every line, verbose included. */
export function recordingLog(): RecordingLog {
  const lines: string[] = [];
  const warnings: string[] = [];
  return {
    lines,
    warnings,
    info: (m) => lines.push(m),
    warn: (m) => {
      warnings.push(m);
      lines.push(`warning: ${m}`);
    },
    verbose: (m) => lines.push(m),
  };
}

export interface RecordingEffects extends Effects {
  lines: string[];
}

/** Real env/fetch and a fixed clock (unless given), with every log line kept in `lines`. */
export function recordingEffects(overrides: Partial<Effects> = {}): RecordingEffects {
  const log = recordingLog();
  return {
    env: { ...process.env, AWS_BUCKET_NAME: "" },
    fetch: globalThis.fetch,
    now: () => new Date("2026-01-15T08:00:00Z"),
    log,
    ...overrides,
    lines: log.lines,
  };
}
