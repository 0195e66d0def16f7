// A full disk, a read-only disk, missing permissions or a file where a folder should be
// are the user's to fix, not bugs: this turns such operating-system errors into
// ReportErrors that say what could not be done to which path, and what to do about it.
// Used where the output is written (src/site/write.ts) and by the CLI for any that escape.
import { dirname } from "node:path";
import { ReportError } from "./errors.ts";

/** The errno codes that mean "the user's machine said no", each with its own wording. */
export const OS_ERROR_CODES = [
  "ENOSPC",
  "EDQUOT",
  "EROFS",
  "EACCES",
  "EPERM",
  "ENOTDIR",
  "EISDIR",
  "EMFILE",
  "ENFILE",
  "ENOENT",
  "EEXIST",
  "ENAMETOOLONG",
  "ELOOP",
] as const;

export type OsErrorCode = (typeof OS_ERROR_CODES)[number];

interface Wording {
  /** What went wrong, completing "Cannot <do> <path>: …". */
  reason: string;
  /** What to do, given the path the system refused (when it named one). */
  hint: (path: string | undefined) => string;
}

const WORDING: Record<OsErrorCode, Wording> = {
  ENOSPC: {
    reason: "the disk is full",
    hint: () => "Free some space on that disk and run again.",
  },
  EDQUOT: {
    reason: "your disk quota is used up",
    hint: () => "Free some space within your quota and run again.",
  },
  EROFS: {
    reason: "the disk is read-only",
    hint: () => "Use a folder on a writable disk.",
  },
  EACCES: {
    reason: "permission denied",
    hint: (path) =>
      path
        ? `Check the owner and permissions of ${dirname(path)} (ls -ld ${dirname(path)}).`
        : "Check the owner and permissions of the folders involved (ls -ld).",
  },
  EPERM: {
    reason: "the operation is not permitted",
    hint: (path) =>
      `Check the owner, permissions and attributes of ${path ? `${path} and its folder` : "the folders involved"} (ls -ld, lsattr -d), and that no other program holds them.`,
  },
  ENOTDIR: {
    reason: "a part of that path is a file, not a folder",
    hint: () => "Remove or rename the file in the way, or choose another path.",
  },
  EISDIR: {
    reason: "it is a folder where a file was expected",
    hint: () => "Remove or rename that folder, or choose another path.",
  },
  EMFILE: {
    reason: "this process has too many files open",
    hint: () => "Raise the limit of open files (e.g. ulimit -n 4096) and run again.",
  },
  ENFILE: {
    reason: "the system has too many files open",
    hint: () => "Close some programs, or raise the system's limit of open files, and run again.",
  },
  ENOENT: {
    reason: "it does not exist (was a folder removed while this ran?)",
    hint: () => "Check that the path and its folders exist, and run again.",
  },
  EEXIST: {
    reason: "something is already there",
    hint: () =>
      "If it is a file where a folder is needed, remove or rename it, or choose another path.",
  },
  ENAMETOOLONG: {
    reason: "the path is too long",
    hint: () => "Choose a shorter path.",
  },
  ELOOP: {
    reason: "the path has too many symbolic links (or a link that points to itself)",
    hint: (path) => `Check the links along ${path ?? "the path"} (ls -l).`,
  },
};

/** How each system call reads in a sentence; others read as "use". */
const DOING: Readonly<Record<string, string>> = {
  open: "open",
  read: "read",
  write: "write",
  mkdir: "create the folder",
  mkdtemp: "create a folder in",
  rename: "rename",
  unlink: "remove",
  rmdir: "remove",
  rm: "remove",
  scandir: "read the folder",
  opendir: "read the folder",
  symlink: "create the link",
  readlink: "read the link",
  copyfile: "copy to",
  chmod: "change the permissions of",
  stat: "look at",
  lstat: "look at",
  access: "look at",
};

/** An errno error as Node and Deno's node:fs raise them. */
interface SystemError extends Error {
  code: OsErrorCode;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** True for an operating-system error this module has words for. */
export function isOsError(error: unknown): error is SystemError {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof Error &&
    typeof code === "string" &&
    (OS_ERROR_CODES as readonly string[]).includes(code)
  );
}

/** Where the error happened, in the user's terms: `task` replaces "<do> <path>". */
export interface OsErrorContext {
  /** e.g. "write the report to output": what the user asked for. */
  task?: string;
  /** A sentence appended to the hint, e.g. "Or pass --out a folder on another disk." */
  alternative?: string;
}

/**
 * The ReportError an operating-system error means to the user, or undefined for any other
 * error (which stays a bug). Some calls (write(2) on a full disk) name no path: then the
 * context's task says what could not be done.
 */
export function osErrorToReportError(
  error: unknown,
  context: OsErrorContext = {},
): ReportError | undefined {
  if (!isOsError(error)) return undefined;
  const wording = WORDING[error.code];
  const verb = DOING[error.syscall ?? ""] ?? (error.syscall ? "use" : "go on");
  const doing = error.path ? `${verb} ${error.path}` : verb;
  const message = context.task
    ? `Cannot ${context.task}: ${wording.reason}${error.path ? ` (could not ${doing})` : ""}.`
    : `Cannot ${doing}: ${wording.reason}.`;
  const hint = [wording.hint(error.path), context.alternative].filter(Boolean).join(" ");
  const report = new ReportError(message, { hint, cause: error });
  // With --verbose the CLI prints the stack: show where the system call failed.
  report.stack = `${report.stack}\ncaused by: ${error.stack ?? error.message}`;
  return report;
}
