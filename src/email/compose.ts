// The email itself: an HTML body that mail clients render (one 600 px table column, inline
// styles only, no <style>, no script, no SVG, no web fonts; light colours set on every block
// so a client that forces dark mode inverts them consistently; charts as PNG on white) and a
// plain-text part with the same numbers, both linking to the full report.

import { emailOf } from "../config/email.ts";
import type { EmailSpec, ReportSpec } from "../config/spec.ts";
import {
  type FormatLocale,
  formatChange,
  formatDate,
  formatDateTime,
  formatInteger,
  formatKpi,
} from "../format.ts";
import type { ChangeSummary } from "../history/changes.ts";
import { changesHeadline, describeChange } from "../history/describe.ts";
import { escapeMarkup } from "../markup.ts";
import { fillText } from "../render/markdown.ts";
import { inlineFill, markdownOf, tableBlock } from "../render/model.ts";
import { kpiHeadline } from "../summarize/kpi-headline.ts";
import type { KpiValue, Summary } from "../summarize/summary.ts";
import { EMAIL_PADDING, EMAIL_WIDTH, type EmailImage } from "./images.ts";
import { decideSend, type SendDecision } from "./send-rule.ts";
import { fillSubject } from "./subject.ts";

export interface ComposeInput {
  spec: ReportSpec;
  summary: Summary;
  /** When the data was summarised: the {date} and the footer. */
  now: Date;
  images: readonly EmailImage[];
  /** The full report: this rendering on Connect, the content URL after a publish. */
  link?: string;
  /** The latest version, when it differs from `link` (Connect's RSC_REPORT_URL). */
  latest?: string;
  /** Where a subscriber stops these emails (Connect's RSC_REPORT_SUBSCRIPTION_URL). */
  unsubscribe?: string;
  /** Where the data came from, for the footer. */
  source?: string;
  /** Against the previous run (src/history): its notable changes lead the message. */
  changes?: ChangeSummary;
}

export interface EmailMessage {
  subject: string;
  /** The HTML body; images as `cid:` references. */
  html: string;
  text: string;
  images: readonly EmailImage[];
  decision: SendDecision;
}

/** Most alerts listed before "and N more". */
const MAX_ALERTS = 8;

const INK = "#1f2933";
const MUTED = "#52606d";
const LINE = "#d9dee4";
const PAGE = "#f1f3f5";
const CARD = "#ffffff";
const ACCENT = "#1d4ed8";
const UP = "#047857";
const DOWN = "#b91c1c";
const FONT = "Helvetica,Arial,sans-serif";

const esc = escapeMarkup;

/** Markdown in the mail (the description, the email's text): the page's, styled inline. */
const MARKDOWN_STYLES = {
  p: `margin:0 0 10px;font-family:${FONT};font-size:14px;line-height:1.5;color:${INK}`,
  h2: `margin:14px 0 8px;font-family:${FONT};font-size:17px;line-height:1.3;font-weight:bold;color:${INK}`,
  h3: `margin:12px 0 6px;font-family:${FONT};font-size:15px;line-height:1.3;font-weight:bold;color:${INK}`,
  h4: `margin:10px 0 6px;font-family:${FONT};font-size:14px;font-weight:bold;color:${INK}`,
  ul: `margin:0 0 10px;padding-left:20px;font-family:${FONT};font-size:14px;line-height:1.5;color:${INK}`,
  ol: `margin:0 0 10px;padding-left:20px;font-family:${FONT};font-size:14px;line-height:1.5;color:${INK}`,
  blockquote: `margin:0 0 10px;padding:2px 0 2px 12px;border-left:3px solid ${LINE};color:${MUTED}`,
  a: `color:${ACCENT}`,
  code: `font-family:Menlo,Consolas,monospace;font-size:13px;background-color:${PAGE}`,
  pre: `margin:0 0 10px;padding:8px 10px;background-color:${PAGE};overflow-x:auto`,
  table: `border-collapse:collapse;margin:0 0 10px;font-family:${FONT};font-size:13px;color:${INK}`,
  th: `padding:4px 8px 4px 0;border-bottom:1px solid ${LINE};text-align:left;font-weight:bold`,
  td: `padding:4px 8px 4px 0;border-bottom:1px solid ${LINE};text-align:left`,
} as const;

function kpiChange(kpi: KpiValue, loc: FormatLocale): { text: string; color: string } | undefined {
  const c = kpi.comparison;
  if (c === undefined) return undefined;
  const period = `${formatDate(c.current, loc, c.unit)}${c.partial ? " (so far)" : ""} vs ${formatDate(c.previous, loc, c.unit)}: ${formatKpi(c.previousValue, kpi.format, loc)}`;
  if (c.change === null) return { text: `– ${period}`, color: MUTED };
  const arrow = c.change > 0 ? "▲" : c.change < 0 ? "▼" : "■";
  const color = c.change > 0 ? UP : c.change < 0 ? DOWN : MUTED;
  return { text: `${arrow} ${formatChange(c.change, loc)} ${period}`, color };
}

/** A full-width row of the column holding `inner`. */
function row(inner: string, padding = `16px ${EMAIL_PADDING}px`): string {
  return `<tr><td style="padding:${padding};background-color:${CARD};color:${INK};font-family:${FONT}">${inner}</td></tr>`;
}

function heading(text: string): string {
  return `<h2 style="margin:0 0 10px;font-family:${FONT};font-size:17px;line-height:1.3;font-weight:bold;color:${INK}">${esc(text)}</h2>`;
}

function button(link: string): string {
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>` +
    `<td style="background-color:${ACCENT};border-radius:6px">` +
    `<a href="${esc(link)}" style="display:inline-block;padding:11px 20px;font-family:${FONT};font-size:15px;font-weight:bold;color:#ffffff;text-decoration:none">Open the full report</a>` +
    `</td></tr></table>`
  );
}

function kpiTiles(kpis: readonly KpiValue[], loc: FormatLocale): string {
  const cells = kpis.map((kpi) => {
    const change = kpiChange(kpi, loc);
    return (
      `<td width="50%" valign="top" style="width:50%;padding:10px 12px;border:1px solid ${LINE};background-color:${CARD}">` +
      `<div style="font-family:${FONT};font-size:13px;color:${MUTED}">${esc(kpi.label)}</div>` +
      `<div style="font-family:${FONT};font-size:24px;line-height:1.25;font-weight:bold;color:${INK}">${esc(formatKpi(kpiHeadline(kpi), kpi.format, loc))}</div>` +
      (change
        ? `<div style="font-family:${FONT};font-size:12px;color:${change.color}">${esc(change.text)}</div>`
        : "") +
      `</td>`
    );
  });
  const rows: string[] = [];
  for (let i = 0; i < cells.length; i += 2) {
    const pair = cells.slice(i, i + 2);
    if (pair.length === 1) pair.push(`<td width="50%" style="width:50%"></td>`);
    rows.push(`<tr>${pair.join("")}</tr>`);
  }
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse">${rows.join("")}</table>`;
}

function alertList(summary: Summary): string {
  const items = summary.alerts
    .slice(0, MAX_ALERTS)
    .map((a) => `<li style="margin:0 0 4px">${esc(a.message)}</li>`);
  const more = summary.alerts.length - MAX_ALERTS;
  if (more > 0) items.push(`<li style="margin:0">and ${more} more in the full report</li>`);
  return (
    `<div style="padding:10px 14px;background-color:#fff7ed;border-left:4px solid #c2410c;color:${INK};font-family:${FONT};font-size:14px">` +
    `<ul style="margin:0;padding:0 0 0 18px">${items.join("")}</ul></div>`
  );
}

function chartImage(image: EmailImage): string {
  const alt = `${image.title}: ${image.description}`;
  return (
    heading(image.title) +
    `<img src="cid:${esc(image.cid)}" width="${image.width}" height="${image.height}" alt="${esc(alt)}" ` +
    `style="display:block;width:100%;max-width:${image.width}px;height:auto;border:0;background-color:#ffffff">`
  );
}

interface ShortTable {
  title: string;
  header: string[];
  numeric: boolean[];
  rows: string[][];
  more: number;
}

function shortTable(spec: ReportSpec, summary: Summary, email: EmailSpec): ShortTable | undefined {
  if (email.table === undefined) return undefined;
  const loc = { locale: spec.locale, currency: spec.currency };
  const titled = spec.sections.find((s) => s.kind === "table" && s.query === email.table?.query);
  const block = tableBlock(
    spec,
    summary,
    {
      kind: "table",
      query: email.table.query,
      limit: email.table.rows,
      path: ["email", "table"],
      ...(titled?.kind === "table" && titled.title !== undefined && { title: titled.title }),
    },
    0,
    loc,
  );
  return {
    title: block.title,
    header: block.columns.map((c) => c.title),
    numeric: block.columns.map((c) => c.numeric),
    rows: block.rows.map((row) => row.map((cell) => cell.text)),
    more: block.totalRows - block.rows.length,
  };
}

function tableHtml(table: ShortTable): string {
  const cell = (text: string, i: number, tag: "th" | "td") =>
    `<${tag} style="padding:5px 6px;border-bottom:1px solid ${LINE};text-align:${table.numeric[i] ? "right" : "left"};font-family:${FONT};font-size:12px;color:${tag === "th" ? MUTED : INK}${tag === "th" ? ";font-weight:bold" : ""}">${esc(text)}</${tag}>`;
  return (
    heading(table.title) +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse">` +
    `<tr>${table.header.map((h, i) => cell(h, i, "th")).join("")}</tr>` +
    table.rows.map((r) => `<tr>${r.map((c, i) => cell(c, i, "td")).join("")}</tr>`).join("") +
    `</table>` +
    (table.more > 0
      ? `<p style="margin:8px 0 0;font-family:${FONT};font-size:13px;color:${MUTED}">and ${table.more} more rows in the full report</p>`
      : "")
  );
}

/** Compose the message for this summary: subject, HTML, text, images and the send decision. */
export function composeEmail(input: ComposeInput): EmailMessage {
  const { spec, summary } = input;
  const email = emailOf(spec);
  const loc: FormatLocale = { locale: spec.locale, currency: spec.currency };
  const subject = fillSubject(email.subject, { title: spec.title, now: input.now, summary, loc });
  const date = formatDate(input.now.toISOString().slice(0, 10), loc);
  const table = shortTable(spec, summary, email);
  const footer = [
    `${formatInteger(summary.rows, loc)} rows${input.source ? ` from ${input.source}` : ""}; built ${formatDateTime(input.now, loc)}.`,
  ];

  const html: string[] = [];
  const text: string[] = [];
  const markdown = markdownOf(spec, summary, loc, MARKDOWN_STYLES);
  const fill = inlineFill(spec, summary, loc);
  const description =
    spec.description === undefined
      ? undefined
      : {
          html: markdown(spec.description, ["description"]),
          text: fillText(spec.description, fill(["description"])),
        };
  html.push(
    row(
      `<h1 style="margin:0 0 4px;font-family:${FONT};font-size:22px;line-height:1.3;font-weight:bold;color:${INK}">${esc(spec.title)}</h1>` +
        `<p style="margin:0;font-family:${FONT};font-size:14px;color:${MUTED}">${esc(date)}</p>` +
        (description ? `<div style="margin:8px 0 0">${description.html}</div>` : ""),
      `24px ${EMAIL_PADDING}px 8px`,
    ),
  );
  text.push(spec.title, date);
  if (description) text.push("", description.text);
  if (input.link) {
    html.push(row(button(input.link), `8px ${EMAIL_PADDING}px 8px`));
    text.push("", `Open the full report: ${input.link}`);
  }
  const notable = input.changes?.notable ?? [];
  if (input.changes !== undefined && notable.length > 0) {
    // What changed leads: the reader saw the last one.
    const sentences = notable.map((change) => describeChange(change, loc));
    html.push(
      row(
        `<h2 style="margin:0 0 6px;font-family:${FONT};font-size:16px;font-weight:bold;color:${INK}">Since the last run</h2>` +
          `<p style="margin:0 0 6px;font-family:${FONT};font-size:14px;color:${INK}">${esc(changesHeadline(input.changes))}</p>` +
          `<ul style="margin:0;padding-left:20px;font-family:${FONT};font-size:14px;line-height:1.5;color:${INK}">${sentences.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>`,
      ),
    );
    text.push(
      "",
      "Since the last run",
      changesHeadline(input.changes),
      ...sentences.map((s) => `- ${s}`),
    );
  }
  if (email.kpis && summary.kpis.length > 0) {
    html.push(row(kpiTiles(summary.kpis, loc)));
    text.push("", "Key figures");
    for (const kpi of summary.kpis) {
      const change = kpiChange(kpi, loc);
      text.push(
        `  ${kpi.label}: ${formatKpi(kpiHeadline(kpi), kpi.format, loc)}${change ? ` (${change.text})` : ""}`,
      );
    }
  }
  if (email.alerts && summary.alerts.length > 0) {
    const count = summary.alerts.length;
    const title = `Data quality: ${count} alert${count === 1 ? "" : "s"}`;
    html.push(row(heading(title) + alertList(summary)));
    text.push("", title);
    for (const a of summary.alerts.slice(0, MAX_ALERTS)) {
      text.push(`  - ${a.message}`);
    }
    if (count > MAX_ALERTS) text.push(`  and ${count - MAX_ALERTS} more in the full report`);
  }
  for (const image of input.images) {
    html.push(row(chartImage(image)));
    text.push("", image.title, `  ${image.description}`);
  }
  if (table) {
    html.push(row(tableHtml(table)));
    text.push("", table.title, `  ${table.header.join(" | ")}`);
    for (const r of table.rows) text.push(`  ${r.join(" | ")}`);
    if (table.more > 0) text.push(`  and ${table.more} more rows in the full report`);
  }
  if (email.text) {
    html.push(row(markdown(email.text, ["email", "text"])));
    text.push("", fillText(email.text, fill(["email", "text"])).trim());
  }
  const links: string[] = [];
  if (input.latest && input.latest !== input.link) {
    links.push(
      `Latest version: <a href="${esc(input.latest)}" style="color:${ACCENT}">${esc(input.latest)}</a>`,
    );
    text.push("", `Latest version: ${input.latest}`);
  }
  if (input.unsubscribe) {
    links.push(
      `To stop these emails, <a href="${esc(input.unsubscribe)}" style="color:${ACCENT}">unsubscribe here</a>.`,
    );
    text.push("", `Unsubscribe: ${input.unsubscribe}`);
  }
  text.push("", "--", ...footer);
  html.push(
    row(
      [...footer.map(esc), ...links]
        .map(
          (line) =>
            `<p style="margin:0 0 6px;font-family:${FONT};font-size:12px;line-height:1.5;color:${MUTED}">${line}</p>`,
        )
        .join(""),
      `16px ${EMAIL_PADDING}px 24px`,
    ),
  );

  const body =
    `<!DOCTYPE html><html lang="${esc(spec.locale)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light">` +
    `<title>${esc(subject)}</title></head>` +
    `<body style="margin:0;padding:0;background-color:${PAGE};color:${INK}">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:${PAGE}"><tr><td align="center" style="padding:16px 8px">` +
    `<table role="presentation" width="${EMAIL_WIDTH}" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:${EMAIL_WIDTH}px;background-color:${CARD};border:1px solid ${LINE}">` +
    html.join("") +
    `</table></td></tr></table></body></html>`;

  return {
    subject,
    html: body,
    text: `${text.join("\n")}\n`,
    images: input.images,
    decision: decideSend(email.send, summary, input.changes),
  };
}

/** The HTML with every `cid:` image inlined as a data URL, for output/email.html. */
export function inlineImages(html: string, images: readonly EmailImage[]): string {
  const byCid = new Map(images.map((image) => [image.cid, image]));
  return html.replace(/src="cid:([^"]+)"/g, (whole, cid: string) => {
    const image = byCid.get(cid.replace(/&amp;/g, "&"));
    return image
      ? `src="data:image/png;base64,${Buffer.from(image.png).toString("base64")}"`
      : whole;
  });
}
