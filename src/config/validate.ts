// The YAML tree of a report definition → the typed ReportSpec.
import { dirname, isAbsolute, resolve } from "node:path";
import { limitEnvName } from "../limits.ts";
import { BUDGET_ACTIONS } from "../vocabulary.ts";
import { readDerivedColumns } from "./derived.ts";
import { readEmail } from "./email.ts";
import { readEngine } from "./engine.ts";
import { Checker, Fields, quoted } from "./fields.ts";
import { readHistory } from "./history.ts";
import { checkMarkdownTexts } from "./inline-values.ts";
import { readLimits } from "./limits.ts";
import { readPages } from "./pages.ts";
import { readQueries } from "./query.ts";
import { readSections } from "./sections.ts";
import { readSource } from "./source.ts";
import type { PageSpec, QuerySpec, ReportSpec, SectionSpec } from "./spec.ts";
import { locator, type YNode } from "./yaml-tree.ts";

const ROOT_FIELDS = [
  "title",
  "description",
  "source",
  "columns",
  "queries",
  "sections",
  "pages",
  "locale",
  "currency",
  "templates",
  "limits",
  "history",
  "page_budget",
  "email",
  "engine",
  "athena",
] as const;

/**
 * Validate a parsed definition. `file` names it in messages (as the user wrote it);
 * `absoluteFile` is where it lives, so relative paths resolve against its folder.
 */
export function buildSpec(
  root: YNode | undefined,
  file: string,
  absoluteFile: string,
  env: Readonly<Record<string, string | undefined>> = {},
): ReportSpec {
  const checker: Checker = new Checker(file, root);
  if (root === undefined) {
    checker.note(
      { line: 1, column: 1 },
      [],
      "the report definition is empty",
      "Start with:\ntitle: My report\nsource: data/my.csv\nsections:\n  - profile: all",
    );
    checker.finish();
  }
  const rootFields = checker.attempt(
    () =>
      new Fields(
        checker,
        root as YNode,
        [],
        ROOT_FIELDS,
        "A report definition is a map: title, source, sections, ...",
      ),
  );
  if (rootFields === undefined) checker.finish();
  const fields = rootFields as Fields;
  const dir = dirname(absoluteFile);
  // Each top-level field is read on its own, so one run reports every problem; a field that
  // fails yields a placeholder that is never used, since finish() then throws.
  const attempt = <T>(read: () => T, fallback: T): T => checker.attempt(read) ?? fallback;
  const title = attempt(() => fields.requiredText("title", "title: Sales overview"), "");
  const source = attempt(() => {
    const sourceNode =
      fields.node("source") ??
      fields.missing(
        "source",
        "source: { s3: { bucket, key, region }, fallback: data/orders.csv }",
      );
    return readSource(checker, sourceNode, dir);
  }, undefined);
  const columns = attempt(() => readDerivedColumns(checker, fields.node("columns")), []);
  const queries = readQueries(checker, fields.node("queries"));
  const paged = attempt(() => readLayout(checker, fields, queries), undefined);
  const sections = paged?.sections ?? [];
  const locale = attempt(() => readLocale(checker, fields), "en-US");
  const currency = attempt(() => readCurrency(checker, fields), "USD");
  const limits = attempt(() => readLimits(checker, fields.node("limits"), env), undefined);
  const email = attempt(
    () => readEmail(checker, fields.node("email"), sections, queries),
    undefined,
  );
  const history = attempt(() => readHistory(checker, historyNode(fields), dir), undefined);
  const budget = attempt(() => readPageBudget(checker, fields), undefined);
  const description = attempt(() => fields.text("description"), undefined);
  const templates = attempt(() => fields.text("templates"), undefined);
  const engine = attempt(() => readEngine(checker, fields), { engine: "local" as const });
  checkMarkdownTexts(checker, { description, sections, email, queries });
  checker.finish();
  const spec: ReportSpec = {
    title,
    source: source!,
    columns,
    queries,
    sections,
    locale,
    currency,
    limits: limits!,
    email: email!,
    file: absoluteFile,
    locate: locator(root, file),
  };
  if (paged?.pages !== undefined) spec.pages = paged.pages;
  if (engine.athena !== undefined) {
    spec.engine = engine.engine;
    spec.athena = engine.athena;
    // athena.max_scanned_bytes sets the limit; the environment's override still wins.
    const { maxScannedBytes } = engine.athena;
    if (maxScannedBytes !== undefined && !env[limitEnvName("max_scanned_bytes")]?.trim())
      spec.limits.max_scanned_bytes = maxScannedBytes;
  }
  if (history !== undefined) spec.history = history;
  if (budget !== undefined) spec.pageBudget = budget;
  if (description !== undefined) spec.description = description;
  if (templates !== undefined)
    spec.templates = isAbsolute(templates) ? templates : resolve(dir, templates);
  return spec;
}

/** `sections:` for one page, or `pages:` each with its own sections; not both. */
function readLayout(
  checker: Checker,
  fields: Fields,
  queries: Record<string, QuerySpec>,
): { sections: SectionSpec[]; pages?: PageSpec[] } {
  const pagesNode = fields.node("pages");
  const sectionsNode = fields.node("sections");
  if (pagesNode === undefined) {
    const node =
      sectionsNode ??
      fields.missing("sections", "sections:\n  - profile: all\n(or pages: for several pages)");
    return { sections: readSections(checker, node, queries) };
  }
  if (sectionsNode !== undefined) {
    checker.fail(
      fields.map.entries.find((e) => e.key === "sections")!.keyPos,
      ["sections"],
      "a report has either sections (one page) or pages (each with its sections), not both",
      "Move these sections into the pages, e.g. into the first page's sections.",
    );
  }
  return readPages(checker, pagesNode, queries);
}

/** `page_budget: { max_kb: 1000, exceed: warn | fail }` (exceed defaults to warn). */
function readPageBudget(checker: Checker, fields: Fields): ReportSpec["pageBudget"] {
  const node = fields.node("page_budget");
  if (node === undefined) return undefined;
  const budget = new Fields(
    checker,
    node,
    fields.at("page_budget"),
    ["max_kb", "exceed"],
    "page_budget: { max_kb: 1000, exceed: fail }",
  );
  const maxKb =
    budget.integer("max_kb", 1, 1_000_000) ??
    budget.missing("max_kb", "The most index.html may weigh, in kB, e.g. max_kb: 1000.");
  return { maxKb, exceed: budget.oneOf("exceed", BUDGET_ACTIONS) ?? "warn" };
}

function readLocale(checker: Checker, fields: Fields): string {
  const locale = fields.text("locale");
  if (locale === undefined) return "en-US";
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    return checker.fail(
      fields.node("locale")!.pos,
      fields.at("locale"),
      `${quoted(fields.node("locale")!, locale)} is not a locale tag`,
      "Use a BCP 47 tag such as en-US, de-DE or fr-CA.",
    );
  }
}

function readCurrency(checker: Checker, fields: Fields): string {
  const currency = fields.text("currency");
  if (currency === undefined) return "USD";
  if (!/^[A-Za-z]{3}$/.test(currency)) {
    checker.fail(
      fields.node("currency")!.pos,
      fields.at("currency"),
      `${quoted(fields.node("currency")!, currency)} is not a currency code`,
      "Use a three-letter ISO 4217 code such as USD, EUR or JPY.",
    );
  }
  return currency.toUpperCase();
}

/** The `history:` node as written, `false` included (absent: undefined, the default). */
function historyNode(fields: Fields): YNode | undefined {
  return fields.map.entries.find((e) => e.key === "history")?.value;
}
