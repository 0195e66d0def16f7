// The render stage: ReportModel + Handlebars templates → one self-contained HTML page (inline
// CSS with the embedded font, inline SVG, no script). A file in the report's own templates
// folder replaces the default file of the same relative path.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Handlebars from "handlebars";
import { FONT_FAMILY, FONT_FILES } from "../chart/text-metrics.ts";
import { ReportError } from "../errors.ts";
import { listFiles } from "../list-files.ts";
import { registerHelpers } from "./helpers.ts";
import type { ReportModel } from "./model.ts";
import { type PartialCalls, type PartialUse, partialUses } from "./partial-uses.ts";
import {
  COMPILE_OPTIONS,
  loadPrecompiled,
  type PrecompiledTemplate,
  type PrecompiledTemplates,
} from "./precompiled.ts";

export interface RenderOptions {
  /** The report's own templates folder (ReportSpec.templates); its files win. */
  templatesDir?: string;
  /** The default templates (the repository's templates/), with fonts/ and theme.css. */
  defaultsDir: string;
  locale: string;
  currency: string;
}

const LAYOUT = "layout.hbs";
const THEME = "theme.css";
const PARTIALS = "partials/";

/** Relative path ("partials/kpis.hbs", with /) → absolute path, for .hbs and .css files. */
async function listTemplates(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  try {
    for (const path of await listFiles(dir)) {
      if (path.endsWith(".hbs") || path.endsWith(".css")) files.set(path, join(dir, path));
    }
  } catch (error) {
    throw new ReportError(`Templates folder not found: ${dir}`, {
      hint: "Check `templates:` in the report definition.",
      cause: error,
    });
  }
  return files;
}

/** "Parse error on line 3: ..." → 3 */
function lineOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const line = (error as { lineNumber?: unknown }).lineNumber;
  if (typeof line === "number") return line;
  const match = /on line (\d+)/.exec(String((error as { message?: unknown }).message));
  return match === null ? undefined : Number(match[1]);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const fontCss = new Map<string, Promise<string>>();

/** @font-face rules with the shipped .woff files as data: URIs (the page names no URL). */
export function fontFaces(defaultsDir: string): Promise<string> {
  let css = fontCss.get(defaultsDir);
  if (css === undefined) {
    css = (async () => {
      const rules: string[] = [];
      for (const [weight, file] of Object.entries(FONT_FILES)) {
        const bytes = await readFile(join(defaultsDir, "fonts", file));
        rules.push(
          `@font-face{font-family:"${FONT_FAMILY}";font-style:normal;font-weight:${weight};` +
            `font-display:swap;src:url(data:font/woff;base64,${bytes.toString("base64")}) format("woff")}`,
        );
      }
      return rules.join("\n");
    })();
    fontCss.set(defaultsDir, css);
    css.catch(() => fontCss.delete(defaultsDir));
  }
  return css;
}

/**
 * One template, ready to run: the precompiled one when `ready` was compiled from exactly
 * `source`, else compiled here (on first use) from one parse, which also gives its partial calls.
 */
function templateOf(
  env: typeof Handlebars,
  source: string,
  path: string,
  ready: PrecompiledTemplate | undefined,
): { template: HandlebarsTemplateDelegate; calls: PartialCalls } {
  if (ready !== undefined && ready.source === source) {
    try {
      return {
        template: env.template(ready.spec),
        calls: { uses: ready.uses, inline: new Set(ready.inline) },
      };
    } catch {
      // Precompiled by another Handlebars version (a stale dist/): compiled here instead.
    }
  }
  let ast: hbs.AST.Program;
  try {
    // Compile applies the whitespace control that parse would, so the tree is parsed once.
    ast = env.parseWithoutProcessing(source);
  } catch (error) {
    const line = lineOf(error);
    throw new ReportError(`${path}${line === undefined ? "" : `:${line}`}: template syntax error`, {
      hint: messageOf(error).split("\n").slice(1).join("\n") || messageOf(error),
      cause: error,
    });
  }
  return { template: env.compile(ast, COMPILE_OPTIONS), calls: partialUses(ast) };
}

/** Render the report page: layout.hbs with every partial, theme.css inlined. */
export async function renderReport(model: ReportModel, options: RenderOptions): Promise<string> {
  return (await pageRenderer(options))(model);
}

/**
 * Read, check and compile the templates once; the result renders one page per model (a
 * report with `pages:` renders each page from the same compiled templates).
 */
export async function pageRenderer(
  options: RenderOptions,
  precompiled?: PrecompiledTemplates,
): Promise<(model: ReportModel) => string> {
  const ready = precompiled ?? (await loadPrecompiled());
  const files = await listTemplates(options.defaultsDir);
  if (options.templatesDir !== undefined) {
    for (const [rel, path] of await listTemplates(options.templatesDir)) files.set(rel, path);
  }
  const layoutPath = files.get(LAYOUT);
  if (layoutPath === undefined) {
    throw new ReportError(`No ${LAYOUT} in ${options.defaultsDir}`, {
      hint: "The default templates folder is incomplete; reinstall or restore templates/.",
    });
  }

  const env = Handlebars.create();
  registerHelpers(env, { locale: options.locale, currency: options.currency });
  const templates = new Map<string, HandlebarsTemplateDelegate>();
  const partialNames = new Set<string>();
  const uses: { file: string; use: PartialUse }[] = [];
  const inline = new Set<string>();
  for (const [rel, path] of files) {
    if (!rel.endsWith(".hbs")) continue;
    const source = await readFile(path, "utf8");
    const { template, calls } = templateOf(env, source, path, ready.get(rel));
    for (const use of calls.uses) uses.push({ file: path, use });
    for (const name of calls.inline) inline.add(name);
    templates.set(rel, template);
    if (rel.startsWith(PARTIALS)) {
      const name = rel.slice(PARTIALS.length, -".hbs".length);
      partialNames.add(name);
      env.registerPartial(name, template);
    }
  }
  for (const { file, use } of uses) {
    if (partialNames.has(use.name) || inline.has(use.name) || use.name === "@partial-block")
      continue;
    throw new ReportError(`${file}:${use.line}:${use.column}: partial '${use.name}' not found`, {
      hint: `Add ${PARTIALS}${use.name}.hbs to the templates folder. Available partials: ${[...partialNames].sort().join(", ")}.`,
    });
  }

  const themePath = files.get(THEME);
  const theme = themePath === undefined ? "" : await readFile(themePath, "utf8");
  const css = `${await fontFaces(options.defaultsDir)}\n${theme}`;
  const layout = templates.get(LAYOUT)!;
  return (model) => {
    try {
      return layout({ ...model, css });
    } catch (error) {
      const line = lineOf(error);
      throw new ReportError(
        `${layoutPath}${line === undefined ? "" : `:${line}`}: template error: ${messageOf(error)}`,
        {
          hint: "Check the layout and the partials it uses (templates/partials/).",
          cause: error,
        },
      );
    }
  };
}
