// Everything a build does to the world, passed in so each stage can be tested without it.
// The log is plain lines; on a terminal (stderr a TTY, CI unset, not --quiet) long work also
// shows one live progress line, redrawn in place with a carriage return and clear-line, and
// erased before the next plain line. NO_COLOR is honoured trivially: nothing here is coloured.

/** A line-oriented build log; `verbose` lines show only with --verbose. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  verbose(message: string): void;
  /**
   * The live progress line (terminals only; absent elsewhere, where plain lines suffice).
   * Called with no text, it erases the line.
   */
  progress?(text?: string): void;
}

export interface Effects {
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof globalThis.fetch;
  now: () => Date;
  log: Logger;
}

/** Carriage return and ANSI "erase the whole line": redraws the line the cursor is on. */
export const REDRAW = "\r\x1b[2K";

/** Where text goes, a chunk at a time (as `process.stderr.write` takes it). */
export type Write = (text: string) => void;

/**
 * The real world (process.env, global fetch, the clock, stderr), any part of it replaceable:
 * a given `stderr` writer is not a terminal, so it gets plain lines and no progress line.
 */
export function defaultEffects(
  options: { verbose?: boolean; quiet?: boolean; stderr?: Write } & Partial<
    Omit<Effects, "log">
  > = {},
): Effects {
  const stream = process.stderr;
  const env = options.env ?? process.env;
  const out: Write = options.stderr ?? ((text) => stream.write(text));
  const live = options.stderr === undefined && stream.isTTY === true && !env.CI && !options.quiet;
  let shown = false;
  const erase = () => {
    if (shown) out(REDRAW);
    shown = false;
  };
  const write = (line: string) => {
    erase();
    out(`${line}\n`);
  };
  return {
    env,
    fetch: options.fetch ?? globalThis.fetch,
    now: options.now ?? (() => new Date()),
    log: {
      info: options.quiet ? () => {} : write,
      warn: (message) => write(`warning: ${message}`),
      verbose: options.verbose ? write : () => {},
      progress: live
        ? (text) => {
            if (text === undefined) return erase();
            const width = Math.max(20, (stream.columns || 80) - 1);
            out(`${REDRAW}${text.slice(0, width)}`);
            shown = true;
          }
        : undefined,
    },
  };
}
