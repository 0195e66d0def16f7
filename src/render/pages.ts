// A report with `pages:` becomes several HTML files: each page carries the header, the
// navigation between pages (the current one marked aria-current), its own sections and the
// footer, with the CSS inlined, so every page stands alone and offline. The first page is
// index.html; "Since the last run" shown without being placed goes there; the data-quality
// alerts go with the column profiles (or on the first page when there are none), linking to
// each column's card on whichever page it is.
import type { PageSpec } from "../config/spec.ts";
import type { PageInfo, ReportModel } from "./model.ts";
import { pageRenderer, type RenderOptions } from "./report.ts";

/** One HTML file of the report. */
export interface RenderedPage {
  /** Relative to the output folder: "index.html", "products.html". */
  path: string;
  html: string;
}

/** Render the report: index.html alone, or one file per page of `pages`. */
export async function renderPages(
  model: ReportModel,
  pages: readonly PageSpec[] | undefined,
  options: RenderOptions,
): Promise<RenderedPage[]> {
  const render = await pageRenderer(options);
  if (pages === undefined || pages.length === 0)
    return [{ path: "index.html", html: render(model) }];
  return pageModels(model, pages).map((page) => ({ path: page.page.file, html: render(page) }));
}

/** The model of each page: its sections, the navigation, and the alerts where they belong. */
export function pageModels(
  model: ReportModel,
  pages: readonly PageSpec[],
): (ReportModel & { page: PageInfo })[] {
  const pageOf = new Map<number, number>();
  pages.forEach((page, p) => {
    for (const index of page.sections) pageOf.set(index, p);
  });
  // The page of each profile card, by card id, for alert links across pages.
  const cardPage = new Map<string, number>();
  for (const block of model.sections) {
    if (block.kind !== "profile") continue;
    for (const card of block.cards) cardPage.set(card.id, pageOf.get(block.index) ?? 0);
  }
  const firstProfile = model.sections.find((block) => block.kind === "profile");
  const alertsPage = firstProfile === undefined ? 0 : (pageOf.get(firstProfile.index) ?? 0);
  return pages.map((page, p) => {
    const alerts =
      p !== alertsPage
        ? []
        : model.alerts.map((alert) => {
            if (alert.anchor === undefined) return alert;
            const home = cardPage.get(alert.anchor) ?? p;
            const href = home === p ? `#${alert.anchor}` : `${pages[home].file}#${alert.anchor}`;
            return { ...alert, href };
          });
    return {
      ...model,
      // Sections not placed on any page (index -1, "Since the last run") open the first.
      sections: model.sections.filter((block) => (pageOf.get(block.index) ?? 0) === p),
      alerts,
      tableAlerts: alerts.filter((alert) => alert.column === undefined),
      pages: pages.map((other) => ({
        title: other.title,
        href: other.file,
        current: other === page,
      })),
      page: { title: page.title, file: page.file, first: p === 0 },
    };
  });
}
