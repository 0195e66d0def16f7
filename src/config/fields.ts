// Typed reading of YNode maps with errors that point at file:line:column and the field path.
import { ReportError } from "../errors.ts";
import { didYouMean } from "./closest.ts";
import { hideEnvValues } from "./env.ts";
import type { FieldPath } from "./spec.ts";
import {
  envInserts,
  locatedMessage,
  nodeAt,
  type Position,
  type YMap,
  type YNode,
} from "./yaml-tree.ts";

/**
 * Thrown by `Checker.fail` to abandon the field being read; the problem itself is already
 * recorded. Caught only by `Checker.attempt`, so one run reports every independent problem.
 */
class FieldAbandoned extends Error {}

/**
 * Collects located errors for one definition file. A failed field abandons only itself
 * (`attempt` marks where reading resumes: each top-level field, query, section and KPI), and
 * `finish` throws one error listing every problem in file order.
 */
export class Checker {
  private readonly problems: DefinitionProblem[] = [];
  /** Names that failed to read (`query:by_region`), so references to them add no second error. */
  readonly broken = new Set<string>();

  constructor(
    readonly file: string,
    readonly root: YNode | undefined,
  ) {}

  /** Where the field at `path` sits (1:1 when it does not exist). */
  pos(path: FieldPath): Position {
    return nodeAt(this.root, path)?.pos ?? { line: 1, column: 1 };
  }

  /**
   * Record the error `<file>:<line>:<col>: <path>: <message>` and abandon the field. Whatever
   * the environment put into the field reads as `${NAME}` in the message and hint, however the
   * message quoted it.
   */
  fail(pos: Position, path: FieldPath, message: string, hint?: string): never {
    this.note(pos, path, message, hint);
    throw new FieldAbandoned();
  }

  /** Record an error and go on reading (the field is still usable, e.g. an unknown key). */
  note(pos: Position, path: FieldPath, message: string, hint?: string): void {
    const fromEnv = envInserts(nodeAt(this.root, path));
    const error = new ReportError(
      locatedMessage(this.file, pos, path, hideEnvValues(message, fromEnv)),
      { hint: hint === undefined ? undefined : hideEnvValues(hint, fromEnv) },
    );
    this.problems.push({ pos, error });
  }

  /**
   * Fail like `fail` for a reference to something missing, unless one of `dependsOn` (e.g.
   * `query:by_region`, `sections`) failed to read: then abandon quietly, since the reference
   * is wrong only because of that error, which is already reported.
   */
  failReference(
    dependsOn: readonly string[],
    pos: Position,
    path: FieldPath,
    message: string,
    hint?: string,
  ): never {
    if (this.isBroken(dependsOn)) throw new FieldAbandoned();
    return this.fail(pos, path, message, hint);
  }

  /** Whether one of `dependsOn` failed to read (a reference to it is then not checked). */
  isBroken(dependsOn: readonly string[]): boolean {
    return dependsOn.some((name) => this.broken.has(name));
  }

  /**
   * Run `read`; if it fails, its problem is kept, the names in `broken` are marked as failed
   * (see failReference), and the result is undefined.
   */
  attempt<T>(read: () => T, broken: string | readonly string[] = []): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof FieldAbandoned)) throw error;
      for (const name of typeof broken === "string" ? [broken] : broken) this.broken.add(name);
      return undefined;
    }
  }

  /** Whether any problem was recorded so far. */
  get failed(): boolean {
    return this.problems.length > 0;
  }

  /**
   * Throw the recorded problems, if any: one as itself, several as one error listing each
   * (sorted by line and column) with its hint.
   */
  finish(): void {
    const error = combinedError(this.file, this.problems);
    if (error !== undefined) throw error;
  }
}

/** What references to the KPI labelled `label` depend on (for Checker.failReference). */
export function kpiDependencies(label: string): string[] {
  return [`kpi:${label}`, "kpis", "sections"];
}

/** What references to the chart titled `title` depend on (for Checker.failReference). */
export function chartDependencies(title: string): string[] {
  return [`chart:${title}`, "charts", "sections"];
}

/** A located problem in a definition: where it is, and the error that says so. */
export interface DefinitionProblem {
  pos: Position;
  error: ReportError;
}

/**
 * The one error to throw for `problems` (none: undefined): a single problem as itself,
 * several as one error listing each with its hint, sorted by line and column.
 */
export function combinedError(
  file: string,
  problems: readonly DefinitionProblem[],
): ReportError | undefined {
  if (problems.length === 0) return undefined;
  const sorted = [...problems].sort(
    (a, b) => a.pos.line - b.pos.line || a.pos.column - b.pos.column,
  );
  if (sorted.length === 1) return sorted[0].error;
  const listed = sorted.map(({ error }) =>
    error.hint === undefined
      ? error.message
      : `${error.message}\n${error.hint.replace(/^/gm, "    ")}`,
  );
  return new ReportError(
    `${file}: ${sorted.length} problems in the report definition:\n\n${listed.join("\n\n")}`,
    { hint: "Fix them all, then run `connect-s3-report check` again." },
  );
}

/** How a node reads in a message; strings as written (before `${VAR}` substitution). */
export function describe(node: YNode): string {
  if (node.kind === "map") return "a map";
  if (node.kind === "seq") return "a list";
  if (node.value === null) return "nothing";
  if (typeof node.value === "string") {
    if (node.substituted) {
      return node.value === ""
        ? `'${node.written}' (empty after substituting environment variables)`
        : `'${node.written}' (from the environment)`;
    }
    return `'${node.written}'`;
  }
  return String(node.value);
}

/** A value as written in the file (before substitution), for messages. */
export function written(node: YNode): string {
  return node.kind === "scalar" ? node.written : describe(node);
}

/** `'name'` for a message, or the text as written when it came from the environment. */
export function quoted(node: YNode, name: string): string {
  return node.kind === "scalar" && node.substituted ? describe(node) : `'${name}'`;
}

/** Text of a scalar (numbers and booleans as written), or undefined for maps and lists. */
export function scalarText(node: YNode): string | undefined {
  if (node.kind !== "scalar" || node.value === null) return undefined;
  return typeof node.value === "string" ? node.value : node.written;
}

/** The fields of one YAML map, checked against the names it may have. */
export class Fields {
  readonly map: YMap;

  constructor(
    readonly checker: Checker,
    node: YNode,
    readonly path: FieldPath,
    readonly allowed: readonly string[],
    shapeHint?: string,
  ) {
    if (node.kind !== "map") {
      checker.fail(
        node.pos,
        path,
        `expected a map with fields ${allowed.join(", ")}; found ${describe(node)}`,
        shapeHint,
      );
    }
    this.map = node;
    for (const entry of node.entries) {
      if (!allowed.includes(entry.key)) {
        checker.note(
          entry.keyPos,
          [...path, entry.key],
          `unknown field '${entry.key}'${didYouMean(entry.key, allowed)}`,
          `Fields here: ${allowed.join(", ")}.`,
        );
      }
    }
  }

  /** The value of `key`; undefined when absent or empty (`key:` with nothing after it). */
  node(key: string): YNode | undefined {
    const value = this.map.entries.find((e) => e.key === key)?.value;
    return value?.kind === "scalar" && value.value === null ? undefined : value;
  }

  at(key: string): FieldPath {
    return [...this.path, key];
  }

  /** Where a missing field should go: the map itself. */
  missing(key: string, hint?: string): never {
    return this.checker.fail(this.map.pos, this.at(key), "required field is missing", hint);
  }

  /** Optional text; "" after substitution counts as absent. */
  text(key: string): string | undefined {
    const node = this.node(key);
    if (node === undefined) return undefined;
    if (node.kind !== "scalar" || typeof node.value === "boolean") {
      return this.checker.fail(node.pos, this.at(key), `expected text, found ${describe(node)}`);
    }
    const value = scalarText(node);
    return value === "" ? undefined : value;
  }

  requiredText(key: string, hint?: string): string {
    const value = this.text(key);
    if (value !== undefined) return value;
    const node = this.node(key);
    if (node === undefined) return this.missing(key, hint);
    return this.checker.fail(node.pos, this.at(key), `is empty: ${describe(node)}`, hint);
  }

  /** Optional whole number in [min, max]; a `${VAR}` that substitutes to digits also counts. */
  integer(key: string, min: number, max: number): number | undefined {
    const node = this.node(key);
    if (node === undefined || node.kind !== "scalar") {
      if (node !== undefined)
        this.checker.fail(
          node.pos,
          this.at(key),
          `expected a whole number, found ${describe(node)}`,
        );
      return undefined;
    }
    let value = node.value;
    if (typeof value === "string" && node.substituted) {
      if (value === "") return undefined;
      if (/^-?\d+$/.test(value.trim())) value = Number(value);
    }
    if (typeof value !== "number" || !Number.isInteger(value)) {
      return this.checker.fail(
        node.pos,
        this.at(key),
        `expected a whole number, found ${describe(node)}`,
      );
    }
    if (value < min || value > max) {
      return this.checker.fail(
        node.pos,
        this.at(key),
        `${written(node)} is out of range; use ${min} to ${max}`,
      );
    }
    return value;
  }

  /** Optional true/false. */
  flag(key: string): boolean | undefined {
    const node = this.node(key);
    if (node === undefined) return undefined;
    if (node.kind === "scalar" && typeof node.value === "boolean") return node.value;
    return this.checker.fail(
      node.pos,
      this.at(key),
      `expected true or false, found ${describe(node)}`,
    );
  }

  /** Optional value from a fixed set, suggesting the nearest on a typo. */
  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const text = this.text(key);
    if (text === undefined) return undefined;
    const found = values.find((v) => v === text.toLowerCase());
    if (found !== undefined) return found;
    const node = this.node(key) as YNode;
    const written = node.kind === "scalar" ? node.written : text;
    return this.checker.fail(
      node.pos,
      this.at(key),
      `'${written}' is not one of ${values.join(", ")}${didYouMean(text, values)}`,
    );
  }

  /**
   * A string or a list of strings, with each item's path (a single string keeps the field's
   * path). Items that are empty after substitution are left out.
   */
  textList(key: string): { text: string; path: FieldPath; node: YNode }[] {
    const node = this.node(key);
    if (node === undefined) return [];
    const items =
      node.kind === "seq"
        ? node.items.map((item, i) => ({ item, path: [...this.at(key), i] }))
        : [{ item: node, path: this.at(key) }];
    const list: { text: string; path: FieldPath; node: YNode }[] = [];
    for (const { item, path } of items) {
      const text = scalarText(item);
      if (text === undefined || item.kind !== "scalar" || typeof item.value === "boolean") {
        return this.checker.fail(item.pos, path, `expected text, found ${describe(item)}`);
      }
      // `filter: ${REGION_FILTER}` with the variable unset means: no such item.
      if (item.substituted && text.trim() === "") continue;
      list.push({ text, path, node: item });
    }
    return list;
  }
}
