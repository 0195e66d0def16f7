// `build --pdf`: print the built page to output/report.pdf with a Chromium installed on the
// machine (Debian's chromium, Chrome, or CHROMIUM_PATH). The page's print rules (theme.css)
// keep charts and tables whole; the paper size is set here, A4 or Letter. No Chromium means
// a clear message, not a missing file: the HTML report is built either way.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { ReportError } from "../errors.ts";

/** Paper sizes `--paper` accepts, as CSS @page sizes. */
export const PAPER_SIZES = ["a4", "letter"] as const;
export type PaperSize = (typeof PAPER_SIZES)[number];

const BROWSERS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** The Chromium to print with: CHROMIUM_PATH, else the first of BROWSERS on PATH. */
export function findChromium(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    for (const name of BROWSERS) {
      const path = join(dir, name);
      if (dir !== "" && existsSync(path)) return path;
    }
  }
  return undefined;
}

/**
 * Prints `outDir`/index.html (or `html`, the whole of a paged report as one document) to
 * `outDir`/report.pdf on `paper`; returns the PDF's path.
 */
export async function printPdf(
  outDir: string,
  paper: PaperSize,
  env: Readonly<Record<string, string | undefined>>,
  html?: string,
): Promise<string> {
  const chromium = findChromium(env);
  if (chromium === undefined) {
    throw new ReportError("--pdf needs Chromium, and none was found; the HTML report was built.", {
      hint: "Install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to a Chrome or Chromium binary.",
    });
  }
  const work = await mkdtemp(join(tmpdir(), "csr-pdf-"));
  try {
    // The paper size goes in a copy of the page: Chromium's command line has no flag for it.
    const document = html ?? (await readFile(join(outDir, "index.html"), "utf8"));
    const page = join(work, "index.html");
    await writeFile(
      page,
      document.replace("</head>", `<style>@page { size: ${paper}; }</style></head>`),
    );
    const pdf = join(work, "report.pdf");
    await promisify(execFile)(
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        `--user-data-dir=${join(work, "profile")}`,
        "--no-pdf-header-footer",
        `--print-to-pdf=${pdf}`,
        pathToFileURL(page).href,
      ],
      { timeout: 120_000 },
    );
    if (!existsSync(pdf)) throw new ReportError(`Chromium (${chromium}) wrote no PDF.`);
    const target = join(outDir, "report.pdf");
    await copyFile(pdf, target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
