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

/** The real world: process.env, global fetch, the clock and stderr. */
export function defaultEffects(options: { verbose?: boolean; quiet?: boolean } = {}): Effects {
  const stream = process.stderr;
  const live = stream.isTTY === true && !process.env.CI && !options.quiet;
  let shown = false;
  const erase = () => {
    if (shown) stream.write(REDRAW);
    shown = false;
  };
  const write = (line: string) => {
    erase();
    stream.write(`${line}\n`);
  };
  return {
    env: process.env,
    fetch: globalThis.fetch,
    now: () => new Date(),
    log: {
      info: options.quiet ? () => {} : write,
      warn: (message) => write(`warning: ${message}`),
      verbose: options.verbose ? write : () => {},
      progress: live
        ? (text) => {
            if (text === undefined) return erase();
            const width = Math.max(20, (stream.columns || 80) - 1);
            stream.write(`${REDRAW}${text.slice(0, width)}`);
            shown = true;
          }
        : undefined,
    },
  };
}
