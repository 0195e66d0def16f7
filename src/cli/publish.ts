// `connect-s3-report publish`: bundle the built report (or, with --rendered, a Quarto project
// that rebuilds it on every render) and deploy it to Posit Connect.
import { writeFile } from "node:fs/promises";
import { type EnvReference, envReferences } from "../config/env.ts";
import { collectFiles, createBundle } from "../connect/bundle.ts";
import { connectUrls, createConnectClient } from "../connect/client.ts";
import { type DeployTarget, deployContent, normalizeVanity } from "../connect/deploy.ts";
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
import { fetchWithTls } from "../connect/tls-fetch.ts";
import { type WiringRequest, wireAfterDeploy, wireBeforeDeploy } from "../connect/wire-content.ts";
import type { Effects } from "../effects.ts";
import { isReportError, ReportError } from "../errors.ts";
import { assertFreshOutput } from "./output-freshness.ts";
import { connectSettings, deployTimeoutMs, parse, USAGE, wiringFrom } from "./publish-options.ts";

/** Written to the manifest; Connect picks its closest installed Quarto. */
const DEFAULT_QUARTO_VERSION = "1.6.43";

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
        // The build (vega, Arrow) loads only now, so `publish --help` answers at once.
        const { build } = await import("../build.ts");
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
  const { prepareRenderedProject } = await import("../rendered/prepare.ts");
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
