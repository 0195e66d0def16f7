// `build` and `check`: parse the options and run the pipeline (src/build.ts, imported only
// once there is something to build, so `build --help` stays instant).
import { parseArgs } from "node:util";
import type { Effects } from "../effects.ts";

export const BUILD_HELP = `Usage: connect-s3-report build [report.yml] [options]

Build the report into a self-contained output/index.html and output/summary.json.

Arguments:
  report.yml            report definition (see docs/report-definition.md)

Options:
  --source <path|url>   data file or s3://bucket/key; without a definition, builds a
                        profile of every column of that file
  --out <dir>           output folder (default: output)
  --verbose             more detail in the log, and stack traces on errors
  -h, --help            show this help
`;

export const CHECK_HELP = `Usage: connect-s3-report check [report.yml] [options]

Run the whole build (definition, credentials, data, summaries, charts, templates) and
report problems, writing nothing: for CI before a publish, or after editing a definition.

Options:
  --source <path|url>   data file or s3://bucket/key
  --verbose             more detail in the log, and stack traces on errors
  -h, --help            show this help
`;

/** `connect-s3-report build`: returns the exit code. */
export function runBuild(args: string[], effects: Effects): Promise<number> {
  return buildCommand(args, effects, false);
}

/** `connect-s3-report check`: the build without writing; returns the exit code. */
export function runCheck(args: string[], effects: Effects): Promise<number> {
  return buildCommand(args, effects, true);
}

/** The options `build`, `check` and `preview` share (parseArgs form). */
export const BUILD_FLAGS = {
  source: { type: "string" },
  out: { type: "string", default: "output" },
  verbose: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

async function buildCommand(args: string[], effects: Effects, check: boolean): Promise<number> {
  const help = check ? CHECK_HELP : BUILD_HELP;
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: BUILD_FLAGS });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length > 1) {
    process.stderr.write(`expected one report definition, got ${positionals.length}\n\n${help}`);
    return 2;
  }
  const { build } = await import("../build.ts");
  await build(
    { definition: positionals[0], source: values.source, outDir: values.out, check },
    effects,
  );
  return 0;
}
