/**
 * One error type for "the user can fix this". The CLI prints `message` and `hint` as two
 * lines without a stack trace and exits with `exitCode`; any other error is a bug and keeps
 * its stack.
 */
export class ReportError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(
    message: string,
    options: { hint?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ReportError";
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** True for errors the user can act on (printed without a stack). */
export function isReportError(error: unknown): error is ReportError {
  return error instanceof ReportError;
}
