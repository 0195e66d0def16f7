// Effects that record the log instead of printing it.
import type { Effects } from "../../src/effects.ts";

export interface RecordingEffects extends Effects {
  lines: string[];
}

/** Real env/fetch/clock (unless given), with every log line kept in `lines`. */
export function recordingEffects(overrides: Partial<Effects> = {}): RecordingEffects {
  const lines: string[] = [];
  return {
    env: { ...process.env, AWS_BUCKET_NAME: "" },
    fetch: globalThis.fetch,
    now: () => new Date("2026-01-15T08:00:00Z"),
    log: {
      info: (m) => lines.push(m),
      warn: (m) => lines.push(`warning: ${m}`),
      verbose: (m) => lines.push(`verbose: ${m}`),
    },
    ...overrides,
    lines,
  };
}
