// A child process that writes the output folder through the real writeSite, again and
// again, so a test can SIGKILL it at any point of a write, or run it as another user.
// Usage: node --import tsx test/helpers/site-writer.ts <outDir> <tag> <count>
// Every file of write number i carries the tag `<tag>.<i>`, so a reader can tell whether
// the folder is one write's whole output. Prints "ready" before the first write (whose
// first step cleans what an earlier, killed writer left), "wrote <tag>" after each, and
// "error <json>" (message, hint, whether a ReportError) on failure.

import { isReportError } from "../../src/errors.ts";
import { writeSite } from "../../src/site/write.ts";

/** The files of one write: each names `tag`; the padding makes a write take a while. */
export function taggedFiles(tag: string): { path: string; content: string }[] {
  const padding = `<!-- ${"x".repeat(64 * 1024)} -->`;
  return [
    { path: "index.html", content: `<title>${tag}</title>${padding}` },
    { path: "summary.json", content: JSON.stringify({ tag }) },
    ...Array.from({ length: 8 }, (_, i) => ({
      path: `charts/${i}.svg`,
      content: `<svg data-tag="${tag}">${padding}</svg>`,
    })),
  ];
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [outDir, tag, count] = process.argv.slice(2);
  try {
    process.stdout.write("ready\n");
    for (let i = 0; i < Number(count); i++) {
      await writeSite(outDir, taggedFiles(`${tag}.${i}`));
      process.stdout.write(`wrote ${tag}.${i}\n`);
    }
  } catch (error) {
    const report = isReportError(error);
    const { message, hint } = error as { message: string; hint?: string };
    process.stdout.write(`error ${JSON.stringify({ report, message, hint })}\n`);
    process.exitCode = 1;
  }
}
