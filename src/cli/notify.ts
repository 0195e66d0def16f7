// `connect-s3-report notify`: after a static publish, mail the report's email (the same
// message a rendered deploy hands Connect) over SMTP, linking to the published content,
// when the definition's send rule says so. Composed from the built output's summary.json, so
// the numbers are those of the report just published; its changes come from the run history
// the build kept (the same store, compared with the run before it), so `on_change` decides
// here as it does on Connect.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { emailOf } from "../config/email.ts";
import { loadReportSpec } from "../config/index.ts";
import type { ReportSpec } from "../config/spec.ts";
import type { Effects } from "../effects.ts";
import { decideSend } from "../email/send-rule.ts";
import { mimeMessage, sendMail, smtpSettings } from "../email/smtp.ts";
import { ReportError } from "../errors.ts";
import type { SummaryDocument } from "../history/document.ts";
import {
  type ChangeSummary,
  computeChanges,
  openHistoryStore,
  runBefore,
} from "../history/index.ts";
import type { CommandIo } from "./io.ts";

export const NOTIFY_HELP = `Usage: connect-s3-report notify [report.yml] --to ADDRESS... [options]

Email the report (KPIs, alerts, charts, link) after a publish, over SMTP, when the
definition's send rule (email.send) says so; otherwise print "not sent: <reason>".

Arguments:
  report.yml            report definition (default: report/report.yml)

Options:
  --to ADDRESS          recipient; repeat or separate with commas
  --url URL             the published report, e.g. the Content URL publish printed
                        (default: REPORT_URL)
  --dir DIR             the built report whose summary.json is mailed (default: output)
  --dry-run             write the message to --eml instead of sending it
  --eml FILE            where --dry-run writes the message (default: email.eml)
  --force               send even when the send rule would not
  --verbose             more detail in the log, and stack traces on errors
  -h, --help            show this help

Environment:
  SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_FROM,
  SMTP_SECURE (tls | starttls | none; default starttls),
  SMTP_CA_FILE (PEM of a private CA that signed the server's certificate)
`;

const FLAGS = {
  to: { type: "string", multiple: true },
  url: { type: "string" },
  dir: { type: "string", default: "output" },
  "dry-run": { type: "boolean", default: false },
  eml: { type: "string", default: "email.eml" },
  force: { type: "boolean", default: false },
  verbose: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** summary.json: the summary with the build's time and data (older outputs may lack them). */
async function readSummary(dir: string): Promise<SummaryDocument> {
  const path = join(dir, "summary.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new ReportError(`No summary.json in ${dir}`, {
      hint: "Build the report first (connect-s3-report build), or pass --dir with the built output.",
    });
  }
  return JSON.parse(text) as SummaryDocument;
}

/** The changes of `summary` against the run before it in the definition's history, if any. */
async function changesSinceLastRun(
  spec: ReportSpec,
  summary: SummaryDocument,
  outDir: string,
  effects: Effects,
): Promise<ChangeSummary | undefined> {
  const history = spec.history;
  if (history === undefined || typeof summary.builtAt !== "string") return undefined;
  const store = openHistoryStore(history, { outDir, source: spec.source, effects });
  try {
    const previous = await runBefore(store, summary, effects.log);
    if (previous === undefined) {
      effects.log.verbose(`history: no run before this one in ${store.label}`);
      return undefined;
    }
    return computeChanges(previous, summary, history.thresholds);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    effects.log.warn(`history: could not read ${store.label}: ${why}`);
    return undefined;
  }
}

/** `connect-s3-report notify`: returns the exit code. */
export async function runNotify(args: string[], effects: Effects, io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: FLAGS });
  if (values.help) {
    io.stdout(NOTIFY_HELP);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr(`expected one report definition, got ${positionals.length}\n\n${NOTIFY_HELP}`);
    return 2;
  }
  const to = (values.to ?? [])
    .flatMap((list) => list.split(","))
    .map((a) => a.trim())
    .filter(Boolean);
  if (to.length === 0) {
    throw new ReportError("No recipients: give --to ADDRESS", {
      hint: "e.g. connect-s3-report notify --to team@example.com --url https://connect.example.com/content/…",
    });
  }
  const link = values.url ?? effects.env.REPORT_URL?.trim();
  if (!link) {
    throw new ReportError("No link to the report: give --url (or set REPORT_URL)", {
      hint: "Use the Content URL that `connect-s3-report publish` printed.",
    });
  }
  const dryRun = values["dry-run"];
  const settings = await smtpSettings(effects.env, { dryRun });
  const spec = await loadReportSpec(positionals[0] ?? "report/report.yml", effects.env);
  const summary = await readSummary(values.dir);
  // The build's time and data source, as in the mail the build wrote to output/email.html.
  const built = summary.builtAt ? new Date(summary.builtAt) : undefined;
  const now = built && !Number.isNaN(built.getTime()) ? built : effects.now();
  const changes = await changesSinceLastRun(spec, summary, values.dir, effects);
  // Decided before the charts are drawn, so a mail that is not sent costs no PNG rendering;
  // composeEmail makes the same decision from the same rule, summary and changes.
  const decision = decideSend(emailOf(spec).send, summary, changes);
  if (!decision.send && !values.force) {
    effects.log.info(`not sent: ${decision.reason}`);
    return 0;
  }
  // The chart stack (vega) loads only when a mail is made, not for --help.
  const [{ defaultFontsDir }, { emailImages }, { composeEmail }] = await Promise.all([
    import("../chart/index.ts"),
    import("../email/images.ts"),
    import("../email/compose.ts"),
  ]);
  const images = await emailImages(spec, summary, { fontsDir: defaultFontsDir() });
  effects.log.verbose(`rendered ${images.length} chart image(s) for the mail`);
  const message = composeEmail({
    spec,
    summary,
    now,
    images,
    link,
    source: summary.data?.label,
    ...(changes === undefined ? {} : { changes }),
  });
  const bytes = await mimeMessage(message, settings.from, to);
  const size = `${(bytes.byteLength / 1024).toFixed(1)} kB`;
  if (dryRun) {
    await writeFile(values.eml, bytes);
    effects.log.info(
      `dry run: wrote ${values.eml} (${size}, "${message.subject}"); nothing was sent.`,
    );
    return 0;
  }
  const answer = await sendMail(message, to, settings);
  effects.log.info(
    `sent "${message.subject}" (${size}) to ${to.join(", ")} via ${settings.host}:${settings.port}: ${message.decision.reason}`,
  );
  effects.log.verbose(`server: ${answer}`);
  return 0;
}
