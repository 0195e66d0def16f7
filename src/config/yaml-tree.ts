// The report definition's YAML as a small tree that keeps every node's line:column, with
// `${VAR}` already substituted in string values (keys are never substituted).
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import { ReportError } from "../errors.ts";
import { hasEnvReference, SubstitutionError, substituteEnv } from "./env.ts";
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
  pos: Position;
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
  return convert(doc, doc.contents, [], position, file, env, undefined);
}

function convert(
  doc: Document,
  node: Node | null,
  path: FieldPath,
  position: (offset: number | undefined) => Position,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  fallbackPos: Position | undefined,
): YNode {
  let target: unknown = node;
  let pos = fallbackPos ?? { line: 1, column: 1 };
  if (isAlias(node)) {
    pos = position(node.range?.[0]);
    target = node.resolve(doc);
  } else if (node?.range) {
    pos = position(node.range[0]);
  }
  // An empty value (`key:`) has a zero-width range just after the colon; the key's position reads better.
  if (node === null || (isScalar(target) && target.value === null && fallbackPos !== undefined)) {
    return { kind: "scalar", value: null, written: "", substituted: false, pos };
  }
  if (isScalar(target)) {
    const value = target.value;
    if (typeof value === "string") {
      try {
        return {
          kind: "scalar",
          value: substituteEnv(value, env),
          written: value,
          substituted: hasEnvReference(value),
          pos,
        };
      } catch (error) {
        if (!(error instanceof SubstitutionError)) throw error;
        throw new ReportError(locatedMessage(file, pos, path, error.message), { hint: error.hint });
      }
    }
    if (value === null || typeof value === "number" || typeof value === "boolean") {
      return { kind: "scalar", value, written: String(value), substituted: false, pos };
    }
    // Dates, binary and other tagged values: keep their text.
    const written = String(target.source ?? value);
    return { kind: "scalar", value: written, written, substituted: false, pos };
  }
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
      const value = convert(
        doc,
        pair.value as Node | null,
        [...path, key],
        position,
        file,
        env,
        keyPos,
      );
      entries.push({ key, keyPos, value });
    }
    return { kind: "map", entries, pos };
  }
  if (isSeq(target)) {
    const items = target.items.map((item, index) =>
      convert(
        doc,
        item as Node | null,
        [...path, index],
        position,
        file,
        env,
        item ? undefined : pos,
      ),
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

/** A `locate` function for ReportSpec: where the field at a path sits in the file. */
export function locator(root: YNode | undefined, file: string) {
  return (path: FieldPath): SourceLocation | undefined => {
    const node = nodeAt(root, path);
    return node === undefined ? undefined : { file, ...node.pos };
  };
}
