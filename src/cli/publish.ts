// `connect-s3-report publish`: bundle the built report (or, with --rendered, a Quarto project
// that rebuilds it on every render) and deploy it to Posit Connect.
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { build } from "../build.ts";
import { type EnvReference, envReferences } from "../config/env.ts";
import { collectFiles, createBundle } from "../connect/bundle.ts";
import { connectUrls, createConnectClient } from "../connect/client.ts";
import { type EnvSetting, parseEnvFlag } from "../connect/content-env.ts";
import {
  DEFAULT_DEPLOY_TIMEOUT_MS,
  type DeployTarget,
  deployContent,
  formatDuration,
  normalizeVanity,
} from "../connect/deploy.ts";
import {
  readDeploymentRecord,
  recordPath,
  writeDeploymentRecord,
} from "../connect/deployment-record.ts";
import {
  type BundleFile,
  contentNameFromTitle,
  isValidContentName,
  type Manifest,
  quartoManifest,
  staticManifest,
} from "../connect/manifest.ts";
import { localTimeZone, planSchedule, type SchedulePlan } from "../connect/schedules.ts";
import { fetchWithTls } from "../connect/tls-fetch.ts";
import { type WiringRequest, wireAfterDeploy, wireBeforeDeploy } from "../connect/wire-content.ts";
import type { Effects } from "../effects.ts";
import { isReportError, ReportError } from "../errors.ts";
import { prepareRenderedProject } from "../rendered/prepare.ts";
import { assertFreshOutput } from "./output-freshness.ts";

/** Written to the manifest; Connect picks its closest installed Quarto. */
const DEFAULT_QUARTO_VERSION = "1.6.43";

const USAGE = `Usage: connect-s3-report publish [options]

Publish the report to Posit Connect. See docs/publishing.md for a first deployment.

By default the report is built into --dir and deployed as static HTML; re-run this (e.g.
from CI) to refresh it. With --rendered, a Quarto project is deployed instead that rebuilds
the report from S3 on every render, so Connect can schedule it and email subscribers.

Where: after a publish, <definition folder>/.connect/<server>.json records the content's
GUID (commit it); the next publish updates that content whatever its title.

Server:
  --server URL         Connect's address; default: CONNECT_SERVER
  --api-key KEY        a publisher's API key; default: CONNECT_API_KEY (prefer the variable:
                       a flag shows in the process list and shell history)
  --cacert FILE        trust this PEM certificate authority too (a private CA)
  --insecure           do not verify the server's TLS certificate (testing only)

Content:
  --new                create a new content item, even if the record names one
  --name NAME          content name (3-64 of A-Z a-z 0-9 _ -): publish to your content of
                       that name (created when missing) instead of the recorded one;
                       default for new content: from the title
  --title TITLE        content title; default: the report's title
  --description TEXT   content description
  --vanity PATH        also serve the content at this path, e.g. /sales-report/
  --definition FILE    report definition; default: report/report.yml
  --dir DIR            where the static report is built and published from; default: output
  --no-build           publish --dir as it is (refused when older than the definition, its
                       data or templates)
  --rendered           deploy a Quarto project that Connect renders on a schedule
  --quarto-version V   Quarto version written to the manifest (--rendered); default: 1.6.43
  --include-fallback   also upload the definition's fallback data (--rendered); without it,
                       a render on Connect with no bucket configured fails

Wiring (--rendered):
  --env NAME=VALUE     set a variable on the content (repeatable); --env NAME sends this
                       shell's value. Values are never printed. Variables the definition
                       reads (\${NAME}) that stay unset on the content are warned about.
  --integration NAME|GUID
                       associate this OAuth integration (the AWS one) with the content;
                       without it, the integrations that fit are listed
  --schedule WHEN      render on a schedule: "daily 07:30", "weekdays 07:30", "hourly",
                       "every 6 hours", "weekly mon,thu 07:30", or "30 7 * * 1-5"
  --timezone ZONE      the schedule's time zone, e.g. Europe/Berlin; default: this machine's
  --email-subscribers  with --schedule: Connect emails the report to its subscribers after
                       each scheduled render

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
  /** The `${VAR}` names the definition reads (rendered mode; empty for static). */
  definitionVars: EnvReference[];
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
  return {
    mode: "static",
    name,
    title,
    definitionVars: [],
    files,
    manifest,
    bytes: createBundle(files, manifest),
  };
}

/** The server and key: the flags, else CONNECT_SERVER and CONNECT_API_KEY. */
function connectSettings(
  flags: { server?: string; "api-key"?: string },
  env: Effects["env"],
): { server: string; apiKey: string } {
  const server = flags.server?.trim() || env.CONNECT_SERVER?.trim();
  const apiKey = flags["api-key"]?.trim() || env.CONNECT_API_KEY?.trim();
  if (!server || !apiKey) {
    const missing = [!server && "CONNECT_SERVER", !apiKey && "CONNECT_API_KEY"].filter(Boolean);
    throw new ReportError(`${missing.join(" and ")} not set`, {
      hint: "Set CONNECT_SERVER to the Connect address and CONNECT_API_KEY to a publisher's API key, or pass --server and --api-key (or use --dry-run).",
    });
  }
  return { server, apiKey };
}

const WIRING_FLAGS = [
  "env",
  "integration",
  "schedule",
  "timezone",
  "email-subscribers",
  "include-fallback",
] as const;

/** What --env, --schedule and the other wiring flags ask for, checked before any upload. */
function wiringFrom(
  flags: ReturnType<typeof parse>["values"],
  effects: Effects,
): { env: EnvSetting[]; schedule?: SchedulePlan } {
  if (!flags.rendered) {
    const used = WIRING_FLAGS.find((f) => flags[f] !== undefined && flags[f] !== false);
    if (used) {
      throw new ReportError(`--${used} applies to --rendered content only`, {
        hint: "Static HTML is served as is: it has no variables, integration or schedule on Connect. Publish with --rendered, or refresh static content from CI.",
      });
    }
    return { env: [] };
  }
  if (flags.timezone !== undefined && flags.schedule === undefined)
    throw new ReportError("--timezone needs --schedule", {
      hint: 'e.g. --schedule "daily 07:30" --timezone Europe/Berlin',
    });
  if (flags["email-subscribers"] && flags.schedule === undefined)
    throw new ReportError("--email-subscribers needs --schedule", {
      hint: 'Connect emails subscribers after scheduled renders: add e.g. --schedule "weekdays 07:00".',
    });
  const env = (flags.env ?? []).map((flag) => parseEnvFlag(flag, effects.env));
  const schedule =
    flags.schedule === undefined
      ? undefined
      : planSchedule(flags.schedule, flags.timezone ?? localTimeZone(), effects.now());
  return { env, schedule };
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
    const wiring = wiringFrom(flags, effects);
    const dir = flags.dir ?? "output";
    const definition = flags.definition ?? "report/report.yml";
    if (!flags.rendered) {
      if (flags["no-build"]) await assertFreshOutput(dir, definition, effects.env);
      else {
        log.info(`Building ${definition} into ${dir}`);
        await build({ definition, outDir: dir }, effects);
      }
    }
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
      const server = flags.server?.trim() || effects.env.CONNECT_SERVER?.trim();
      log.info(`Dry run: wrote ${out}; nothing was sent.`);
      log.info(`Would publish to ${server || "(CONNECT_SERVER not set)"}:`);
      const where =
        server && !flags.new && !flags.name
          ? recordPath(definition, connectUrls(server).serverUrl)
          : undefined;
      const record = where ? await readDeploymentRecord(where) : undefined;
      if (flags.new) log.info("  create a new content item");
      else if (record) log.info(`  update the content recorded in ${where} (${record.guid})`);
      else log.info(`  find your content named "${prepared.name}", or create it`);
      log.info(`  set its title to "${prepared.title}"`);
      log.info(`  upload the bundle (${size}), deploy it and follow the task`);
      if (vanity) log.info(`  serve it at ${vanity}`);
      if (wiring.env.length)
        log.info(`  set variables ${wiring.env.map((e) => e.name).join(", ")} (values not shown)`);
      if (flags.integration) log.info(`  associate the integration "${flags.integration}"`);
      if (wiring.schedule) log.info(`  schedule renders ${wiring.schedule.description}`);
      return 0;
    }

    const { server, apiKey } = connectSettings(flags, effects.env);
    if (flags.insecure)
      log.warn(
        "--insecure: the server's TLS certificate is not checked; use --cacert FILE instead when you can",
      );
    const tlsFetch = fetchWithTls({ cacert: flags.cacert, insecure: flags.insecure });
    const client = createConnectClient({
      server,
      apiKey,
      fetch: tlsFetch === globalThis.fetch ? effects.fetch : tlsFetch,
    });
    const where = recordPath(definition, client.serverUrl);
    const record = flags.new || flags.name ? undefined : await readDeploymentRecord(where);
    if (record && record.server !== client.serverUrl) {
      throw new ReportError(
        `The deployment record ${where} is for ${record.server}, not ${client.serverUrl}`,
        {
          hint: "Restore the record, or publish with --new (or --name) to choose the content again.",
        },
      );
    }
    const target: DeployTarget = flags.new
      ? { kind: "new" }
      : record
        ? { kind: "record", guid: record.guid, where }
        : { kind: "name" };
    if (record) log.info(`Updating the content recorded in ${where}`);
    const appMode = prepared.manifest.metadata.appmode;
    const wiringRequest: WiringRequest = {
      env: wiring.env,
      definitionVars: prepared.definitionVars,
      integration: flags.integration,
      schedule: wiring.schedule,
      emailSubscribers: flags["email-subscribers"] === true,
    };
    const failed: string[] = [];
    const result = await deployContent(
      client,
      {
        name: prepared.name,
        title: prepared.title,
        description: flags.description,
        bundle: prepared.bytes,
        appMode,
        vanity,
        target,
        // Recorded as soon as it exists, so a failed first deploy is found again.
        onContent: async (item) => {
          await writeDeploymentRecord(where, {
            server: client.serverUrl,
            guid: item.guid,
            name: client.quote(String(item.name), 100),
            app_mode: appMode,
            content_url: client.quote(String(item.content_url)),
            dashboard_url: client.quote(String(item.dashboard_url)),
            title: prepared.title,
            published_at: effects.now().toISOString(),
          });
          if (prepared.mode === "rendered")
            failed.push(...(await wireBeforeDeploy(client, item.guid, wiringRequest, log)));
        },
      },
      log,
      { now: effects.now, timeoutMs },
    );
    log.info(`Published "${prepared.title}" (bundle ${result.bundleId})`);
    log.info(`Content:   ${result.contentUrl}`);
    if (result.vanityUrl) log.info(`Vanity:    ${result.vanityUrl}`);
    log.info(`Dashboard: ${result.dashboardUrl}`);
    log.info(`Record:    ${where}`);
    if (prepared.mode === "rendered") {
      failed.push(...(await wireAfterDeploy(client, result.guid, wiringRequest, log)));
      if (failed.length) {
        throw new ReportError(
          `Published, but ${failed.join(", ")} could not be set up (see above); what succeeded stays in place`,
          {
            hint: "Fix the cause and publish again, or finish in the content's panels on Connect (docs/publishing.md).",
          },
        );
      }
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
      server: { type: "string" },
      "api-key": { type: "string" },
      cacert: { type: "string" },
      insecure: { type: "boolean" },
      new: { type: "boolean" },
      "no-build": { type: "boolean" },
      "include-fallback": { type: "boolean" },
      env: { type: "string", multiple: true },
      integration: { type: "string" },
      schedule: { type: "string" },
      timezone: { type: "string" },
      "email-subscribers": { type: "boolean" },
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
  flags: {
    name?: string;
    title?: string;
    definition?: string;
    "quarto-version"?: string;
    "include-fallback"?: boolean;
  },
  effects: Effects,
): Promise<PreparedBundle> {
  const project = await prepareRenderedProject({
    root: process.cwd(),
    definition: flags.definition ?? "report/report.yml",
    env: effects.env,
    includeFallback: flags["include-fallback"] === true,
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
    definitionVars: envReferences(project.definitionText),
    files: project.files,
    manifest,
    bytes: createBundle(project.files, manifest),
  };
}
