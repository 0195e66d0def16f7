// Effects and loggers that record what they are told instead of printing it, and a fetch that
// reaches only servers a test started on this machine: tests see no real environment and no
// real network.
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

const LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"] as const;

/** The URL a fetch call asks for, whichever form it was given in. */
function requestedUrl(input: Parameters<typeof globalThis.fetch>[0]): URL {
  if (input instanceof Request) return new URL(input.url);
  return new URL(input instanceof URL ? input.href : input);
}

/** `fetch` for tests: only http(s)://127.0.0.1 or localhost; anything else fails loudly. */
export const localFetch: typeof globalThis.fetch = async (input, init) => {
  const url = requestedUrl(input);
  if (!(LOCAL_HOSTS as readonly string[]).includes(url.hostname)) {
    throw new Error(
      `test fetch refused ${url.origin}: tests reach only servers they start on 127.0.0.1 (see test/servers/)`,
    );
  }
  return globalThis.fetch(input, init);
};

export interface RecordingEffects extends Effects {
  lines: string[];
}

/**
 * An empty environment, the local-only fetch and a fixed clock (each unless given), with every
 * log line kept in `lines`.
 */
export function recordingEffects(overrides: Partial<Effects> = {}): RecordingEffects {
  const log = recordingLog();
  return {
    env: {},
    fetch: localFetch,
    now: () => new Date("2026-01-15T08:00:00Z"),
    log,
    ...overrides,
    lines: log.lines,
  };
}
