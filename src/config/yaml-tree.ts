// The report definition's YAML as a small tree that keeps every node's line:column, with
// `${VAR}` already substituted in string values (keys are never substituted).
//
// Aliases (`*name`) are expanded into copies, so a few lines of YAML can name an enormous tree
// (an "alias bomb": 9 levels of `&a [*b, *b, …]` is ~10^9 values) or one that contains itself.
// Expansion is therefore bounded: at most MAX_ALIAS_VALUES values reached through aliases, and
// an alias may not refer to a value that contains it (docs/limits.md, "Definition files").
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
  visit,
} from "yaml";
import { ReportError } from "../errors.ts";
import {
  ANYWHERE,
  type EnvInsert,
  hasEnvReference,
  SubstitutionError,
  substituteEnvTracked,
} from "./env.ts";
import type { FieldPath, SourceLocation } from "./spec.ts";

/** 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

export interface YScalar {
  kind: "scalar";
  value: string | number | boolean | null;
  /** For strings: the text as written, before substitution (safe to show in messages). */
  written: string;
  /** The value came (partly) from the environment. */
  substituted: boolean;
  /** What the environment put into the value: messages show `${NAME}` in place of each. */
  fromEnv: readonly EnvInsert[];
  pos: Position;
  /** For strings with inline values (`{{ kpi.Revenue }}`): the scalar as written in the file, from `pos`. */
  raw?: string;
  /**
   * Where the text itself starts, when each of its characters sits one column after the one
   * before (a one-line plain or quoted string without escapes or `${VAR}`); an expression's
   * error adds its offset to this.
   */
  textPos?: Position;
}

export interface YEntry {
  key: string;
  keyPos: Position;
  value: YNode;
}

export interface YMap {
  kind: "map";
  entries: YEntry[];
  pos: Position;
}

export interface YSeq {
  kind: "seq";
  items: YNode[];
  pos: Position;
}

export type YNode = YScalar | YMap | YSeq;

/** `queries.by_region.group_by[0]`, as error messages name a field. */
export function formatPath(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

/** `<file>:<line>:<column>: <path>: <message>`, the shape of every definition error. */
export function locatedMessage(file: string, pos: Position, path: FieldPath, message: string) {
  const field = path.length > 0 ? `${formatPath(path)}: ` : "";
  return `${file}:${pos.line}:${pos.column}: ${field}${message}`;
}

/**
 * Parse YAML text into a YNode tree, substituting `${VAR}` from env in string values.
 * `file` names the definition in messages. Returns undefined for an empty document.
 */
export function parseYamlTree(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): YNode | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const at = problem.linePos?.[0] ?? { line: 1, col: 1 };
    const [headline, ...frame] = problem.message.split("\n");
    const message = headline.replace(/ at line \d+, column \d+:?$/, "");
    throw new ReportError(`${file}:${at.line}:${at.col}: invalid YAML: ${message}`, {
      hint: `${frame.filter((l) => l.trim() !== "").join("\n")}\nCheck the indentation and quote values that contain ': ' or start with a special character.`,
    });
  }
  if (doc.contents === null) return undefined;
  const position = (offset: number | undefined): Position => {
    const at = lineCounter.linePos(offset ?? 0);
    return { line: at.line, column: at.col };
  };
  const context: Context = {
    text,
    targets: aliasTargets(doc),
    position,
    file,
    env,
    open: new Set(),
    aliasValues: 0,
  };
  return convert(context, doc.contents, [], undefined, 0);
}

/**
 * Values that aliases may expand to in one definition. A real report has a few hundred values;
 * a definition over this is almost certainly an alias bomb.
 */
export const MAX_ALIAS_VALUES = 100_000;

interface Context {
  /** The file's text. */
  text: string;
  /** What each alias refers to: the last node before it with that anchor, as YAML says. */
  targets: Map<Node, Node | undefined>;
  position: (offset: number | undefined) => Position;
  file: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The collections being converted (the ancestors of the current node). */
  open: Set<Node>;
  /** Values made so far while expanding aliases. */
  aliasValues: number;
}

/**
 * Resolve every alias in one pass over the document (the `yaml` package's own `resolve` walks
 * the whole document for each alias, which is quadratic in the number of aliases).
 */
function aliasTargets(doc: ReturnType<typeof parseDocument>): Map<Node, Node | undefined> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Node, Node | undefined>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

/** Where a one-line string scalar's text starts, when its characters map one to one. */
function textStart(
  scalar: Scalar<unknown>,
  pos: Position,
  position: (offset: number | undefined) => Position,
): Position | undefined {
  const value = String(scalar.value);
  const end = scalar.range?.[1];
  if (end === undefined || position(end).line !== pos.line || /\p{Cc}/u.test(value))
    return undefined;
  if (scalar.type === "PLAIN") return pos;
  const inside = { line: pos.line, column: pos.column + 1 };
  if (scalar.type === "QUOTE_SINGLE" && !value.includes("'")) return inside;
  if (scalar.type === "QUOTE_DOUBLE" && !/["\\]/.test(value)) return inside;
  return undefined;
}

/** `aliasDepth` > 0 while converting what an alias refers to. */
function convert(
  context: Context,
  node: Node | null,
  path: FieldPath,
  fallbackPos: Position | undefined,
  aliasDepth: number,
): YNode {
  const { position, file, env } = context;
  let target: unknown = node;
  let pos = fallbackPos ?? { line: 1, column: 1 };
  if (isAlias(node)) {
    pos = position(node.range?.[0]);
    target = context.targets.get(node);
    if (target !== undefined && context.open.has(target as Node)) {
      throw new ReportError(
        locatedMessage(
          file,
          pos,
          path,
          `the alias *${node.source} refers to a value that contains it, so it would never end`,
        ),
        { hint: `Point *${node.source} at a value outside &${node.source}, or write it out.` },
      );
    }
    aliasDepth++;
  } else if (node?.range) {
    pos = position(node.range[0]);
  }
  if (aliasDepth > 0 && ++context.aliasValues > MAX_ALIAS_VALUES) {
    throw new ReportError(
      locatedMessage(
        file,
        pos,
        path,
        `aliases expand to more than ${MAX_ALIAS_VALUES.toLocaleString("en-US")} values (nested *aliases multiply)`,
      ),
      {
        hint: "Write the repeated part out instead of nesting aliases; this limit is fixed (docs/limits.md, Definition files).",
      },
    );
  }
  // An empty value (`key:`) has a zero-width range just after the colon; the key's position reads better.
  if (node === null || (isScalar(target) && target.value === null && fallbackPos !== undefined)) {
    return { kind: "scalar", value: null, written: "", substituted: false, fromEnv: [], pos };
  }
  if (isScalar(target)) {
    const value = target.value;
    if (typeof value === "string") {
      try {
        const substituted = substituteEnvTracked(value, env);
        const scalar: YScalar = {
          kind: "scalar",
          value: substituted.text,
          written: value,
          substituted: hasEnvReference(value),
          fromEnv: substituted.inserted,
          pos,
        };
        // An alias's value is written elsewhere: its placeholders are located at the alias.
        if (value.includes("{{") && !isAlias(node) && target.range)
          scalar.raw = context.text.slice(target.range[0], target.range[1]);
        const textPos =
          aliasDepth === 0 && !scalar.substituted ? textStart(target, pos, position) : undefined;
        if (textPos !== undefined) scalar.textPos = textPos;
        return scalar;
      } catch (error) {
        if (!(error instanceof SubstitutionError)) throw error;
        throw new ReportError(locatedMessage(file, pos, path, error.message), { hint: error.hint });
      }
    }
    if (value === null || typeof value === "number" || typeof value === "boolean") {
      return {
        kind: "scalar",
        value,
        written: String(value),
        substituted: false,
        fromEnv: [],
        pos,
      };
    }
    // Dates, binary and other tagged values: keep their text.
    const written = String(target.source ?? value);
    return { kind: "scalar", value: written, written, substituted: false, fromEnv: [], pos };
  }
  if (isMap(target) || isSeq(target)) {
    context.open.add(target);
    try {
      return convertCollection(context, target, path, pos, aliasDepth);
    } finally {
      context.open.delete(target);
    }
  }
  throw new ReportError(locatedMessage(file, pos, path, "unsupported YAML value"));
}

function convertCollection(
  context: Context,
  target: Node,
  path: FieldPath,
  pos: Position,
  aliasDepth: number,
): YNode {
  const { position, file } = context;
  if (isMap(target)) {
    const entries: YEntry[] = [];
    for (const pair of target.items) {
      const keyNode = pair.key as Node | null;
      const keyPos = keyNode?.range ? position(keyNode.range[0]) : pos;
      if (
        !isScalar(keyNode) ||
        (typeof keyNode.value !== "string" && typeof keyNode.value !== "number")
      ) {
        throw new ReportError(
          locatedMessage(file, keyPos, path, "field names must be plain text"),
          {
            hint: "Write keys as simple words such as `title:`.",
          },
        );
      }
      const key = String(keyNode.value);
      const value = convert(context, pair.value as Node | null, [...path, key], keyPos, aliasDepth);
      entries.push({ key, keyPos, value });
    }
    return { kind: "map", entries, pos };
  }
  if (isSeq(target)) {
    const items = target.items.map((item, index) =>
      convert(context, item as Node | null, [...path, index], item ? undefined : pos, aliasDepth),
    );
    return { kind: "seq", items, pos };
  }
  throw new ReportError(locatedMessage(file, pos, path, "unsupported YAML value"));
}

/** The node at `path`, or undefined when the definition has no such field. */
export function nodeAt(root: YNode | undefined, path: FieldPath): YNode | undefined {
  let node = root;
  for (const part of path) {
    if (node === undefined) return undefined;
    if (typeof part === "number") node = node.kind === "seq" ? node.items[part] : undefined;
    else node = node.kind === "map" ? node.entries.find((e) => e.key === part)?.value : undefined;
  }
  return node;
}

/**
 * The node at `path`, also when the path leaves out a section's kind: stages name a chart's
 * field `["sections", 0, "x"]` (or `["pages", 1, "sections", 0, "x"]`) where the file has
 * `sections[0].chart.x`.
 */
function fieldAt(root: YNode | undefined, path: FieldPath): YNode | undefined {
  const node = nodeAt(root, path);
  if (node !== undefined) return node;
  const at = path[0] === "pages" ? 2 : 0;
  if (path[at] !== "sections" || typeof path[at + 1] !== "number") return undefined;
  const section = nodeAt(root, path.slice(0, at + 2));
  if (section?.kind !== "map" || section.entries.length !== 1) return undefined;
  return nodeAt(root, [...path.slice(0, at + 2), section.entries[0].key, ...path.slice(at + 2)]);
}

/**
 * What the environment inserted into a field, for hiding it in the field's messages: all of a
 * value's inserts; for a map or list, the long ones (likely secrets) anywhere inside it, as a
 * message about the whole may still quote a part, while short ones would only garble it.
 */
export function envInserts(node: YNode | undefined): EnvInsert[] {
  if (node === undefined) return [];
  if (node.kind === "scalar") return [...node.fromEnv];
  const children = node.kind === "map" ? node.entries.map((e) => e.value) : node.items;
  return children.flatMap(envInserts).filter((insert) => insert.value.length >= ANYWHERE);
}

/** A `locate` function for ReportSpec: where the field at a path sits in the file. */
export function locator(root: YNode | undefined, file: string) {
  return (path: FieldPath): SourceLocation | undefined => {
    const node = fieldAt(root, path);
    if (node === undefined) return undefined;
    const fromEnv = envInserts(node);
    const location: SourceLocation = { file, ...node.pos };
    if (fromEnv.length > 0) location.fromEnv = fromEnv;
    if (node.kind === "scalar" && node.raw !== undefined) location.raw = node.raw;
    if (node.kind === "scalar" && node.textPos !== undefined) location.textPos = node.textPos;
    return location;
  };
}

/**
 * Where the `nth` (0-based) occurrence of `needle` sits inside a scalar written as `raw` from
 * `start`; `start` itself when the file does not hold it verbatim (an escape or a line fold).
 */
export function positionWithin(
  start: Position,
  raw: string | undefined,
  needle: string,
  nth: number,
): Position {
  let at = -1;
  for (let i = 0; i <= nth && raw !== undefined; i++) {
    at = raw.indexOf(needle, at + 1);
    if (at < 0) break;
  }
  if (raw === undefined || at < 0) return start;
  const before = raw.slice(0, at);
  const lastBreak = before.lastIndexOf("\n");
  if (lastBreak < 0) return { line: start.line, column: start.column + at };
  return {
    line: start.line + before.split("\n").length - 1,
    column: at - lastBreak,
  };
}
