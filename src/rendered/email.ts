// The email Connect sends subscribers after a render, as `.output_metadata.json` (the v1 keys
// that Quarto's email format and blastula write; docs/design/connect-api.md §3.5). v1 is read by
// every Connect version that renders Quarto; v2 needs Connect 2026.03 or later.
import { escapeMarkup } from "../markup.ts";

/** The v1 `.output_metadata.json` fields this report writes. */
export interface OutputMetadata {
  rsc_email_subject: string;
  rsc_email_body_html: string;
  rsc_email_body_text: string;
  rsc_email_attachments: string[];
  rsc_email_suppress_report_attachment: boolean;
  rsc_email_suppress_scheduled: boolean;
}

export interface EmailInput {
  title: string;
  /** When the data was rendered. */
  renderedAt: Date;
  /** A few plain-text lines about this rendering, e.g. row counts; optional. */
  highlights?: string[];
  /** The render's environment: RSC_REPORT_URL, RSC_REPORT_RENDERING_URL, … */
  env: Readonly<Record<string, string | undefined>>;
}

/** Subject and short HTML and text bodies linking to the report. */
export function outputMetadata(input: EmailInput): OutputMetadata {
  const date = input.renderedAt.toISOString().slice(0, 10);
  const latest = input.env.RSC_REPORT_URL;
  const thisVersion = input.env.RSC_REPORT_RENDERING_URL;
  const unsubscribe = input.env.RSC_REPORT_SUBSCRIPTION_URL;
  const link = thisVersion || latest;
  const highlights = input.highlights ?? [];

  const html: string[] = [
    `<p>The report <strong>${escapeMarkup(input.title)}</strong> was updated on ${date}.</p>`,
  ];
  if (highlights.length) {
    html.push(`<ul>${highlights.map((h) => `<li>${escapeMarkup(h)}</li>`).join("")}</ul>`);
  }
  if (link) html.push(`<p><a href="${escapeMarkup(link)}">Open the report</a></p>`);
  if (latest && thisVersion && latest !== thisVersion) {
    html.push(
      `<p>Latest version: <a href="${escapeMarkup(latest)}">${escapeMarkup(latest)}</a></p>`,
    );
  }
  if (unsubscribe) {
    html.push(
      `<p style="color:#777;font-size:12px">To stop these emails, <a href="${escapeMarkup(unsubscribe)}">unsubscribe here</a>.</p>`,
    );
  }

  const text: string[] = [`The report "${input.title}" was updated on ${date}.`, ""];
  for (const h of highlights) text.push(`- ${h}`);
  if (highlights.length) text.push("");
  if (link) text.push(`Open the report: ${link}`);
  if (latest && thisVersion && latest !== thisVersion) text.push(`Latest version: ${latest}`);
  if (unsubscribe) text.push("", `Unsubscribe: ${unsubscribe}`);

  return {
    rsc_email_subject: `${input.title} (${date})`,
    rsc_email_body_html: `<!DOCTYPE html><html><body style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#222">${html.join("\n")}</body></html>`,
    rsc_email_body_text: `${text.join("\n").trim()}\n`,
    rsc_email_attachments: [],
    // The report is a full web page; a link reads better in mail clients than an attachment.
    rsc_email_suppress_report_attachment: true,
    rsc_email_suppress_scheduled: false,
  };
}
