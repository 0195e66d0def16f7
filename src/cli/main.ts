// connect-s3-report: the command line. Parses the command, runs it, and turns errors the
// user can fix into two lines (message, hint) and exit code 1; anything else is a bug and
// prints its stack. Each command's module is imported only when that command runs, so
// `--help` and `--version` load no AWS SDK, vega, parquet-wasm or esbuild. `main` takes its
// streams and effects as parameters (the real ones by default), so tests run it in-process.
import { pathToFileURL } from "node:url";
import { didYouMean } from "../closest.ts";
import { defaultEffects, type Effects } from "../effects.ts";
import { isReportError } from "../errors.ts";
import { osErrorToReportError } from "../os-errors.ts";
import { packageVersion } from "../package-root.ts";
import type { CommandIo } from "./io.ts";

const HELP = `Usage: connect-s3-report <command> [options]

Commands:
  build [report.yml]    build the report into output/ (--source <file|s3://…> for a quick profile)
  check [report.yml]    run the whole build and report problems, writing nothing
  preview [report.yml]  build, serve on 127.0.0.1 and rebuild on change
  publish               publish output/ to Posit Connect (see publish --help)
  notify [report.yml]   email the report over SMTP after a publish (see notify --help)
  help                  show this help
  --version             print the version

Run \`connect-s3-report <command> --help\` for a command's options.
`;

/** What `main` runs with: its output streams and the effects' environment, fetch and clock. */
export type CliIo = CommandIo & Omit<Effects, "log">;

type Command = (args: string[], effects: Effects, io: CommandIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  build: async (args, effects, io) => (await import("./build.ts")).runBuild(args, effects, io),
  check: async (args, effects, io) => (await import("./build.ts")).runCheck(args, effects, io),
  preview: async (args, effects, io) =>
    (await import("./preview.ts")).runPreview(args, effects, io),
  publish: async (args, effects) => (await import("./publish.ts")).runPublish(args, effects),
  notify: async (args, effects, io) => (await import("./notify.ts")).runNotify(args, effects, io),
};

/** Run the CLI with `argv` (without node and script) and return the exit code. */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const [command, ...args] = argv;
  const verbose = args.includes("--verbose");
  const stdout = io.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => process.stderr.write(text));
  // The log writes to io.stderr when given (plain lines), else to the terminal itself.
  const effects = defaultEffects({
    ...io,
    verbose,
    quiet: args.includes("--quiet") || args.includes("-q"),
  });
  if (!command || command === "help" || command === "--help" || command === "-h") {
    stdout(HELP);
    return command ? 0 : 2;
  }
  if (command === "--version" || command === "-v" || command === "version") {
    stdout(`${packageVersion()}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    // A definition given without a command is the likeliest slip: say what would build it.
    const guess = /\.ya?ml$/i.test(command)
      ? `; to build that definition, run \`connect-s3-report build ${command}\``
      : didYouMean(command, Object.keys(COMMANDS));
    stderr(`Unknown command "${command}"${guess || "."}\n\n${HELP}`);
    return 2;
  }
  try {
    return await run(args, effects, { stdout, stderr });
  } catch (caught) {
    effects.log.progress?.();
    // A full or read-only disk, or missing permissions, is the user's to fix: not a bug.
    const error = osErrorToReportError(caught) ?? caught;
    if (isReportError(error)) {
      stderr(`error: ${error.message}\n`);
      if (error.hint) stderr(`hint: ${error.hint}\n`);
      if (verbose && error.stack) stderr(`${error.stack}\n`);
      return error.exitCode;
    }
    if (
      error instanceof TypeError &&
      (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      const usage = command === "build" ? (await import("./build.ts")).BUILD_HELP : HELP;
      stderr(`error: ${error.message}\n\n${usage}`);
      return 2;
    }
    stderr(`internal error (a bug: please report it):\n${(error as Error).stack ?? error}\n`);
    return 70;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
