// The options of `connect-s3-report publish`: its help text, the parsing of its flags, and
// the checks that run before anything is built or sent (server and key, the deploy deadline,
// the wiring flags that only rendered content takes).
import { parseArgs } from "node:util";
import { type EnvSetting, parseEnvFlag } from "../connect/content-env.ts";
import { DEFAULT_DEPLOY_TIMEOUT_MS, formatDuration } from "../connect/deploy.ts";
import { localTimeZone, planSchedule, type SchedulePlan } from "../connect/schedules.ts";
import type { Effects } from "../effects.ts";
import { ReportError } from "../errors.ts";

export const USAGE = `Usage: connect-s3-report publish [options]

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

/** Parse the arguments of `publish` (throws on an unknown flag). */
export function parse(args: string[]) {
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

/** The parsed flags. */
export type PublishFlags = ReturnType<typeof parse>["values"];

/** The server and key: the flags, else CONNECT_SERVER and CONNECT_API_KEY. */
export function connectSettings(
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
export function wiringFrom(
  flags: PublishFlags,
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
