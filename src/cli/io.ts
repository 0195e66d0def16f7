// The streams a CLI command writes to besides its log, passed in so tests can run commands
// in-process and read what they printed.
import type { Write } from "../effects.ts";

/** Where a command writes besides its log: help text to stdout, usage errors to stderr. */
export interface CommandIo {
  stdout: Write;
  stderr: Write;
  /** Ends a long-running command (preview) when aborted; Ctrl-C when absent. */
  signal?: AbortSignal;
}
