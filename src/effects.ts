// Everything a build does to the world, passed in so each stage can be tested without it.

/** A line-oriented build log; `verbose` lines show only with --verbose. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  verbose(message: string): void;
}

export interface Effects {
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof globalThis.fetch;
  now: () => Date;
  log: Logger;
}

/** The real world: process.env, global fetch, the clock and stderr. */
export function defaultEffects(options: { verbose?: boolean } = {}): Effects {
  const write = (line: string) => process.stderr.write(`${line}\n`);
  return {
    env: process.env,
    fetch: globalThis.fetch,
    now: () => new Date(),
    log: {
      info: write,
      warn: (message) => write(`warning: ${message}`),
      verbose: options.verbose ? write : () => {},
    },
  };
}
