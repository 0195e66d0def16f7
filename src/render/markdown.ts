// Markdown in text sections and descriptions, rendered once at build time into the static page
// (and the email): CommonMark with tables through markdown-it. Raw HTML is escaped, links may
// only be http(s), mailto, relative or fragments, links that leave the report get
// rel="noopener noreferrer", and images are not rendered (the page makes no outside request).
// Headings start below the page's title (`#` is an h2, as a section's title).
//
// Inline values (`{{ kpi.Revenue }}`) are swapped for private-use markers before markdown-it
// sees the text and for the escaped values after, so a value reads as itself: `**x**` or
// `<b>` in the data stays literal, whatever Markdown or HTML it holds.
import MarkdownIt from "markdown-it";
import { type Placeholder, placeholders } from "../config/inline-values.ts";
import { escapeMarkup } from "../markup.ts";

/** Fills in one placeholder: the value as text (escaped here). */
export type FillValue = (placeholder: Placeholder) => string;

/** Inline styles per tag, for mail clients that ignore <style> (src/email/compose.ts). */
export type TagStyles = Readonly<Record<string, string>>;

/** Link targets kept: http(s), mailto, and scheme-less ones (relative paths, fragments). */
export function isAllowedLink(url: string): boolean {
  const href = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href);
  return scheme === null ? true : ["http", "https", "mailto"].includes(scheme[1].toLowerCase());
}

/** A link that opens another site rather than a page or place of this report. */
function leavesReport(href: string): boolean {
  return /^(?:https?:)?\/\//i.test(href.trim());
}

type Markdown = InstanceType<typeof MarkdownIt>;

/** Headings of the text: `#` becomes h2, as a section's title (the page's h1 is the report's). */
const HEADING_SHIFT = 1;

function markdownIt(styles?: TagStyles): Markdown {
  const md = new MarkdownIt("default", { html: false, linkify: false, typographer: false });
  md.disable("image");
  md.validateLink = isAllowedLink;
  md.core.ruler.push("report_tokens", (state) => {
    const walk = (tokens: typeof state.tokens) => {
      for (const token of tokens) {
        if (token.type === "heading_open" || token.type === "heading_close") {
          token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + HEADING_SHIFT)}`;
        }
        if (token.type === "link_open" && leavesReport(String(token.attrGet("href") ?? "")))
          token.attrSet("rel", "noopener noreferrer");
        const style = styles?.[token.tag];
        if (style !== undefined && token.nesting >= 0) token.attrSet("style", style);
        if (token.children) walk(token.children);
      }
    };
    walk(state.tokens);
  });
  if (styles === undefined) {
    // Wide tables scroll inside the section instead of widening a phone's page.
    md.renderer.rules.table_open = () => '<div class="md-table"><table>\n';
    md.renderer.rules.table_close = () => "</table></div>\n";
  }
  return md;
}

const pageMarkdown = markdownIt();
const emailMarkdowns = new WeakMap<TagStyles, Markdown>();

/** Markers around a placeholder's number: private-use characters, inert to Markdown. */
const OPEN = "\uE000";
const CLOSE = "\uE001";
const MARKER = new RegExp(`${OPEN}(\\d+)${CLOSE}`, "g");
/** The same markers inside a link target, which markdown-it percent-encodes. */
const ENCODED_MARKER = new RegExp(
  `${encodeURIComponent(OPEN)}(\\d+)${encodeURIComponent(CLOSE)}`,
  "g",
);

/**
 * `text` as HTML: Markdown rendered, placeholders filled by `fill`. With `styles`, every
 * element of a listed tag carries that inline style (for email).
 */
export function renderMarkdown(text: string, fill: FillValue, styles?: TagStyles): string {
  let md = pageMarkdown;
  if (styles !== undefined) {
    md = emailMarkdowns.get(styles) ?? markdownIt(styles);
    emailMarkdowns.set(styles, md);
  }
  const found = placeholders(text);
  const values = found.map(fill);
  // Marker characters in the text itself are not ours: they are dropped.
  const plain = (from: number, to?: number) => text.slice(from, to).replace(/[\uE000\uE001]/g, "");
  let source = "";
  let from = 0;
  found.forEach((placeholder, i) => {
    source += `${plain(from, placeholder.start)}${OPEN}${i}${CLOSE}`;
    from = placeholder.start + placeholder.text.length;
  });
  source += plain(from);
  return md
    .render(source)
    .replace(MARKER, (_: string, i: string) => escapeMarkup(values[Number(i)]))
    .replace(ENCODED_MARKER, (_: string, i: string) =>
      escapeMarkup(encodeURIComponent(values[Number(i)])),
    );
}

/** `text` with its placeholders filled, Markdown left as written (the email's plain-text part). */
export function fillText(text: string, fill: FillValue): string {
  let out = "";
  let from = 0;
  for (const placeholder of placeholders(text)) {
    out += text.slice(from, placeholder.start) + fill(placeholder);
    from = placeholder.start + placeholder.text.length;
  }
  return out + text.slice(from);
}

/** Plain text of rendered HTML (tags dropped, entities read), e.g. for <meta name="description">. */
export function htmlToText(html: string): string {
  return html
    .replace(
      /<\/?(?:p|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|th|td|div|hr|br)\b[^>]*>/g,
      " ",
    )
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}
