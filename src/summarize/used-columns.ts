// Which columns a report can touch, so a columnar reader (Parquet) decodes only those. The
// rule is deliberately generous: a column is used when its name appears anywhere in the
// definition's queries, sections, email, derived and declared columns (an expression, a group-by, a
// histogram, a profile list). Reading a column too many costs a little time; reading one
// too few would break the report. A `profile: all` section needs every column.
import type { ReportSpec } from "../config/spec.ts";
import type { ColumnPicker } from "../read/arrow/read-parquet.ts";

/** Every string and key in a definition value (objects, arrays), skipping source positions. */
function collectTexts(value: unknown, out: Set<string>, seen = new WeakSet<object>()): void {
  if (typeof value === "string") out.add(value);
  else if (value !== null && typeof value === "object") {
    if (seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) for (const item of value) collectTexts(item, out, seen);
    else {
      for (const [key, item] of Object.entries(value)) {
        if (key === "path") continue;
        out.add(key);
        collectTexts(item, out, seen);
      }
    }
  }
}

/** The columns the report needs, as a picker for the reader; undefined when it needs all. */
export function columnPicker(spec: ReportSpec): ColumnPicker | undefined {
  if (spec.sections.some((section) => section.kind === "profile" && section.columns === "all")) {
    return undefined;
  }
  const texts = new Set<string>();
  collectTexts(spec.queries, texts);
  collectTexts(spec.sections, texts);
  collectTexts(spec.email, texts);
  collectTexts(spec.source.columns, texts);
  collectTexts(spec.columns, texts);
  const mentions = [...texts].sort();
  return {
    key: JSON.stringify(mentions),
    pick(names) {
      const used = names.filter((name) => mentions.some((text) => text.includes(name)));
      // At least one column, so the table still knows its row count.
      return used.length > 0 ? used : names.slice(0, 1);
    },
  };
}
