// connect-s3-report: the command line. Parses the command, runs it, and turns errors the
// user can fix into two lines (message, hint) and exit code 1; anything else is a bug and
// prints its stack.
import { pathToFileURL } from "node:url";
import { defaultEffects } from "../effects.ts";
import { isReportError } from "../errors.ts";
import { osErrorToReportError } from "../os-errors.ts";
import { BUILD_HELP, runBuild, runCheck } from "./build.ts";
import { runPreview } from "./preview.ts";
import { runPublish } from "./publish.ts";

const HELP = `Usage: connect-s3-report <command> [options]

Commands:
  build [report.yml]    build the report into output/ (--source <file|s3://…> for a quick profile)
  check [report.yml]    run the whole build and report problems, writing nothing
  preview [report.yml]  build, serve on 127.0.0.1 and rebuild on change
  publish               publish output/ to Posit Connect (see publish --help)
  help                  show this help

Run \`connect-s3-report <command> --help\` for a command's options.
`;

type Command = (args: string[], effects: ReturnType<typeof defaultEffects>) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  build: runBuild,
  check: runCheck,
  preview: runPreview,
  publish: runPublish,
};

/** Run the CLI with `argv` (without node and script) and return the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const verbose = args.includes("--verbose");
  const effects = defaultEffects({ verbose });
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
    return 2;
  }
  try {
    return await run(args, effects);
  } catch (caught) {
    // A full or read-only disk, or missing permissions, is the user's to fix: not a bug.
    const error = osErrorToReportError(caught) ?? caught;
    if (isReportError(error)) {
      process.stderr.write(`error: ${error.message}\n`);
      if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
      if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    if (
      error instanceof TypeError &&
      (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      process.stderr.write(`error: ${error.message}\n\n${command === "build" ? BUILD_HELP : HELP}`);
      return 2;
    }
    process.stderr.write(
      `internal error (a bug: please report it):\n${(error as Error).stack ?? error}\n`,
    );
    return 70;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
