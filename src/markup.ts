// Text made safe for markup (HTML pages, SVG charts, emails): escaping, and slugs for element
// ids. Shared by chart, render and rendered, so each does not grow its own copy.

/** Escape text for HTML or XML text and double-quoted attributes (SVG, emails). */
export function escapeMarkup(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/**
 * Lowercase letters and digits joined by single dashes, for element ids ("Order date" →
 * "order-date"); "" when `text` has none. `maxLength` cuts the result (after the trim).
 */
export function slug(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, maxLength);
}
