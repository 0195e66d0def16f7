// `pages:` — a long report split into several HTML pages with shared navigation. Each page
// has a title and its own sections; the sections of all pages, in page order, form the
// report's one list of sections (ReportSpec.sections), so queries, KPIs, charts and the email
// address a section by one index whatever page it is on. The first page is index.html; the
// others are named after their titles.
import { slug } from "../markup.ts";
import { type Checker, describe, Fields } from "./fields.ts";
import { readSections } from "./sections.ts";
import type { FieldPath, PageSpec, QuerySpec, SectionSpec } from "./spec.ts";
import type { YNode } from "./yaml-tree.ts";

export const PAGES_HINT =
  "pages:\n  - title: Overview\n    sections: [...]\n  - title: Products\n    sections: [...]";

/** Files the build writes beside the pages: a page is never named like one of them. */
const TAKEN_NAMES = ["index", "email", "summary"] as const;

/** File names for page titles: the first index.html, the others `<slug>.html`, unique. */
export function pageFiles(titles: readonly string[]): string[] {
  const used = new Set<string>(TAKEN_NAMES);
  return titles.map((title, i) => {
    if (i === 0) return "index.html";
    const base = slug(title, 60) || `page-${i + 1}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return `${name}.html`;
  });
}

/** Read `pages:`: the pages, and all their sections in order (paths `pages[i].sections[j]`). */
export function readPages(
  checker: Checker,
  node: YNode,
  queries: Record<string, QuerySpec>,
): { pages: PageSpec[]; sections: SectionSpec[] } {
  if (node.kind !== "seq" || node.items.length === 0) {
    checker.fail(
      node.pos,
      ["pages"],
      `expected a list of pages, found ${node.kind === "seq" ? "an empty list" : describe(node)}`,
      PAGES_HINT,
    );
  }
  const sections: SectionSpec[] = [];
  const read: { title: string; sections: number[]; path: FieldPath }[] = [];
  node.items.forEach((item, index) => {
    const path: FieldPath = ["pages", index];
    const page = checker.attempt(() => {
      const fields = new Fields(checker, item, path, ["title", "sections"], PAGES_HINT);
      const title = fields.requiredText("title", "Each page has a title: title: Products");
      const list =
        fields.node("sections") ?? fields.missing("sections", "sections:\n      - chart: { ... }");
      return { title, own: readSections(checker, list, queries, [...path, "sections"]) };
    }, "sections");
    if (page === undefined) return;
    read.push({
      title: page.title,
      sections: page.own.map((_, j) => sections.length + j),
      path,
    });
    sections.push(...page.own);
  });
  const files = pageFiles(read.map((page) => page.title));
  return { pages: read.map((page, i) => ({ ...page, file: files[i] })), sections };
}
