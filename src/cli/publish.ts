// `connect-s3-report publish`: bundle the built report (or, with --rendered, a Quarto project
// that rebuilds it on every render) and deploy it to Posit Connect.
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { collectFiles, createBundle } from "../connect/bundle.ts";
import { createConnectClient } from "../connect/client.ts";
import {
  DEFAULT_DEPLOY_TIMEOUT_MS,
  deployContent,
  formatDuration,
  normalizeVanity,
} from "../connect/deploy.ts";
import {
  type BundleFile,
  contentNameFromTitle,
  isValidContentName,
  type Manifest,
  quartoManifest,
  staticManifest,
} from "../connect/manifest.ts";
import type { Effects } from "../effects.ts";
import { isReportError, ReportError } from "../errors.ts";
import { prepareRenderedProject } from "../rendered/prepare.ts";

/** Written to the manifest; Connect picks its closest installed Quarto. */
const DEFAULT_QUARTO_VERSION = "1.6.43";

const USAGE = `Usage: connect-s3-report publish [options]

Publish the report to Posit Connect (CONNECT_SERVER, CONNECT_API_KEY).

By default the built report in --dir is deployed as static HTML; re-run this (e.g. from CI)
to refresh it. With --rendered, a Quarto project is deployed instead that rebuilds the
report from S3 on every render, so Connect can schedule it and email subscribers.

Options:
  --name NAME          content name (3-64 of A-Z a-z 0-9 _ -); default: from the title
  --title TITLE        content title; default: the report's title
  --description TEXT   content description
  --vanity PATH        also serve the content at this path, e.g. /sales-report/
  --dir DIR            built report to publish (static mode); default: output
  --rendered           deploy a Quarto project that Connect renders on a schedule
  --definition FILE    report definition for --rendered; default: report/report.yml
  --quarto-version V   Quarto version written to the manifest (--rendered); default: 1.6.43
  --bundle-out FILE    where --dry-run writes the bundle; default: <dir>.tar.gz
  --deploy-timeout S   stop following the deploy after S seconds (or CONNECT_DEPLOY_TIMEOUT);
                       default: 1800
  --dry-run            write the bundle and show what would happen; contact no server
  --verbose            more detail
  -h, --help           show this help`;

/** The bundle that publishing would upload, and what to call it. */
export interface PreparedBundle {
  mode: "static" | "rendered";
  title: string;
  name: string;
  files: BundleFile[];
  manifest: Manifest;
  bytes: Uint8Array;
}

function formatSize(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(1)} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function titleFromHtml(html: string): string | undefined {
  const match = /<title[^>]*>([^<]*)<\/title>/i.exec(html);
  // Handlebars escapes ' = ` as numeric references (&#x27; &#x3D; &#x60;), so decode those
  // generally, and &amp; last so "&amp;lt;" stays "&lt;".
  const text = match?.[1]
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) =>
      String.fromCodePoint(Number.parseInt(hex, 16)),
    )
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .trim();
  return text || undefined;
}

/** Name and title from the flags, else from the report. */
export function chooseNames(
  flags: { name?: string; title?: string },
  reportTitle: string | undefined,
): { name: string; title: string } {
  const title = flags.title ?? reportTitle ?? "Report";
  const name = flags.name ?? contentNameFromTitle(title);
  if (!isValidContentName(name)) {
    throw new ReportError(`Invalid content name "${name}"`, {
      hint: "Use 3 to 64 letters, digits, '_' or '-', e.g. --name sales-report",
    });
  }
  return { name, title };
}

/** Bundle a built static report folder. */
export async function prepareStatic(
  dir: string,
  flags: { name?: string; title?: string },
): Promise<PreparedBundle> {
  const files = await collectFiles(dir);
  const index = files.find((file) => file.path === "index.html");
  if (!index) {
    throw new ReportError(`No index.html in ${dir}`, {
      hint: "Build the report first (npm run build), or pass --dir with the built output.",
    });
  }
  const { name, title } = chooseNames(flags, titleFromHtml(new TextDecoder().decode(index.data)));
  const manifest = staticManifest(files, "index.html");
  return { mode: "static", name, title, files, manifest, bytes: createBundle(files, manifest) };
}

function connectSettings(env: Effects["env"]): { server: string; apiKey: string } {
  const server = env.CONNECT_SERVER?.trim();
  const apiKey = env.CONNECT_API_KEY?.trim();
  if (!server || !apiKey) {
    const missing = [!server && "CONNECT_SERVER", !apiKey && "CONNECT_API_KEY"].filter(Boolean);
    throw new ReportError(`${missing.join(" and ")} not set`, {
      hint: "Set CONNECT_SERVER to the Connect address and CONNECT_API_KEY to a publisher's API key (or use --dry-run).",
    });
  }
  return { server, apiKey };
}

/**
 * How long to follow the deploy task: --deploy-timeout, else CONNECT_DEPLOY_TIMEOUT (seconds),
 * else 30 minutes. The value is not repeated in the error (it came from the environment).
 */
export function deployTimeoutMs(flag: string | undefined, env: Effects["env"]): number {
  const [source, text] =
    flag !== undefined
      ? ["--deploy-timeout", flag]
      : ["CONNECT_DEPLOY_TIMEOUT", env.CONNECT_DEPLOY_TIMEOUT?.trim() || undefined];
  if (text === undefined) return DEFAULT_DEPLOY_TIMEOUT_MS;
  const seconds = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(seconds >= 1) || seconds > 7 * 24 * 3600) {
    throw new ReportError(`${source} must be a number of seconds from 1 to 604800`, {
      hint: `e.g. ${source === "--deploy-timeout" ? "--deploy-timeout 3600" : "CONNECT_DEPLOY_TIMEOUT=3600"} to follow the deploy for up to an hour; the default is ${formatDuration(DEFAULT_DEPLOY_TIMEOUT_MS)}.`,
    });
  }
  return seconds * 1000;
}

/** Run `publish` with its arguments; returns the exit code. */
export async function runPublish(args: string[], effects: Effects): Promise<number> {
  const { log } = effects;
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (error) {
      throw new ReportError((error as Error).message, {
        hint: "See connect-s3-report publish --help",
      });
    }
    const flags = parsed.values;
    if (flags.help) {
      log.info(USAGE);
      return 0;
    }
    if (parsed.positionals.length) {
      throw new ReportError(`Unexpected argument "${parsed.positionals[0]}"`, {
        hint: "See connect-s3-report publish --help",
      });
    }
    const vanity = flags.vanity === undefined ? undefined : normalizeVanity(flags.vanity);
    const timeoutMs = deployTimeoutMs(flags["deploy-timeout"], effects.env);
    const dir = flags.dir ?? "output";
    const prepared = flags.rendered
      ? await prepareRendered(flags, effects)
      : await prepareStatic(dir, flags);
    const size = formatSize(prepared.bytes.length);
    log.info(
      `Bundle: ${prepared.files.length} files, ${size} (${prepared.manifest.metadata.appmode})`,
    );
    for (const file of prepared.files) log.verbose(`  ${file.path}`);

    if (flags["dry-run"]) {
      const out =
        flags["bundle-out"] ?? `${flags.rendered ? "rendered" : dir.replace(/\/+$/, "")}.tar.gz`;
      await writeFile(out, prepared.bytes);
      const server = effects.env.CONNECT_SERVER?.trim() || "(CONNECT_SERVER not set)";
      log.info(`Dry run: wrote ${out}; nothing was sent.`);
      log.info(`Would publish to ${server}:`);
      log.info(`  find your content named "${prepared.name}", or create it`);
      log.info(`  set its title to "${prepared.title}"`);
      log.info(`  upload the bundle (${size}), deploy it and follow the task`);
      if (vanity) log.info(`  serve it at ${vanity}`);
      return 0;
    }

    const { server, apiKey } = connectSettings(effects.env);
    const client = createConnectClient({ server, apiKey, fetch: effects.fetch });
    const result = await deployContent(
      client,
      {
        name: prepared.name,
        title: prepared.title,
        description: flags.description,
        bundle: prepared.bytes,
        vanity,
      },
      log,
      { now: effects.now, timeoutMs },
    );
    log.info(`Published "${prepared.title}" (bundle ${result.bundleId})`);
    log.info(`Content:   ${result.contentUrl}`);
    if (result.vanityUrl) log.info(`Vanity:    ${result.vanityUrl}`);
    log.info(`Dashboard: ${result.dashboardUrl}`);
    if (prepared.mode === "rendered") {
      // Until these are set, each render uses the bundled fallback data.
      log.info("Next, in the content's panels on Connect (see docs/publishing.md):");
      log.info(
        "  Access: add the AWS integration;  Vars: AWS_BUCKET_NAME, AWS_S3_FILEPATH, AWS_REGION",
      );
      log.info("  Schedule: choose when to render, and tick 'Send email after update'");
    }
    return 0;
  } catch (error) {
    if (!isReportError(error)) throw error;
    log.info(`error: ${error.message}`);
    if (error.hint) log.info(`hint: ${error.hint}`);
    return error.exitCode;
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      title: { type: "string" },
      description: { type: "string" },
      vanity: { type: "string" },
      dir: { type: "string" },
      rendered: { type: "boolean" },
      definition: { type: "string" },
      "quarto-version": { type: "string" },
      "bundle-out": { type: "string" },
      "deploy-timeout": { type: "string" },
      "dry-run": { type: "boolean" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** Bundle a Quarto project that rebuilds the report on every render on Connect. */
export async function prepareRendered(
  flags: { name?: string; title?: string; definition?: string; "quarto-version"?: string },
  effects: Effects,
): Promise<PreparedBundle> {
  const project = await prepareRenderedProject({
    root: process.cwd(),
    definition: flags.definition ?? "report/report.yml",
    env: effects.env,
  });
  effects.log.verbose(`post-render script: ${formatSize(project.scriptBytes)}`);
  const { name, title } = chooseNames(flags, project.title);
  const manifest = quartoManifest(project.files, {
    quartoVersion: flags["quarto-version"] ?? DEFAULT_QUARTO_VERSION,
  });
  return {
    mode: "rendered",
    name,
    title,
    files: project.files,
    manifest,
    bytes: createBundle(project.files, manifest),
  };
}
