// The `source:` block: where the data comes from.
import { isAbsolute, resolve } from "node:path";
import type { ColumnType } from "../column-type.ts";
import { compileFormat, DIRECTIVE_MEANINGS, FormatError } from "../strptime.ts";
import {
  DATA_FORMATS,
  DECLARED_TYPES,
  type DeclaredType,
  isOneOf,
  ON_ERROR_ACTIONS,
} from "../vocabulary.ts";
import { didYouMean } from "./closest.ts";
import { type Checker, describe, Fields } from "./fields.ts";
import { parseS3Url } from "./s3-url.ts";
import type { ColumnDeclaration, FieldPath, S3Location, SourceSpec } from "./spec.ts";
import { formatPath, type YEntry, type YNode } from "./yaml-tree.ts";

const SOURCE_HINT =
  "source: { s3: { bucket, key, region }, fallback: data/orders.csv } or source: data/orders.csv";

/** Read `source:`; relative paths resolve against `dir`, the definition's folder. */
export function readSource(checker: Checker, node: YNode, dir: string): SourceSpec {
  const path = ["source"];
  if (node.kind === "scalar" && typeof node.value === "string" && node.value !== "") {
    const url = parseS3Url(node.value);
    if (url !== undefined) return { s3: url.bucket === "" ? undefined : url, csv: {} };
    return { file: resolvePath(dir, node.value), csv: {} };
  }
  const fields = new Fields(
    checker,
    node,
    path,
    ["s3", "file", "fallback", "format", "csv", "columns", "audience"],
    SOURCE_HINT,
  );
  const s3Node = fields.node("s3");
  const s3 = s3Node === undefined ? undefined : readS3(checker, s3Node);
  const file = fields.text("file");
  const fallback = fields.text("fallback");
  if (s3 !== undefined && file !== undefined) {
    checker.fail(
      fields.node("file")!.pos,
      fields.at("file"),
      "set either s3 or file, not both",
      "Use `fallback:` for a local file to read when no bucket is configured.",
    );
  }
  if (s3 === undefined && file === undefined && fallback === undefined) {
    checker.fail(
      node.pos,
      path,
      s3Node === undefined
        ? "no data: set s3, file or fallback"
        : "no data: the s3 bucket is empty and there is no fallback file",
      "Set the bucket (e.g. export AWS_BUCKET_NAME=...) or add `fallback: data/sample.csv`.",
    );
  }
  const source: SourceSpec = { csv: readCsv(checker, fields) };
  if (s3 !== undefined) source.s3 = s3;
  if (file !== undefined) source.file = resolvePath(dir, file);
  if (fallback !== undefined) source.fallback = resolvePath(dir, fallback);
  const format = fields.oneOf("format", DATA_FORMATS);
  if (format !== undefined) source.format = format;
  const audience = fields.text("audience");
  if (audience !== undefined) source.audience = audience;
  const columns = readColumns(checker, fields);
  if (columns.length > 0) source.columns = columns;
  return source;
}

function resolvePath(dir: string, file: string): string {
  return isAbsolute(file) ? file : resolve(dir, file);
}

/** `s3:` as a map or an s3:// URL; undefined when the bucket is empty (not configured). */
function readS3(checker: Checker, node: YNode): S3Location | undefined {
  const path = ["source", "s3"];
  if (node.kind === "scalar" && typeof node.value === "string") {
    const url = parseS3Url(node.value);
    if (url === undefined) {
      checker.fail(
        node.pos,
        path,
        `'${node.written}' is not an s3:// URL`,
        "Write s3://bucket/key or a map { bucket, key, region }.",
      );
    }
    return url.bucket === "" ? undefined : url;
  }
  const fields = new Fields(checker, node, path, ["bucket", "key", "prefix", "region", "endpoint"]);
  const bucket = fields.text("bucket");
  if (bucket === undefined) {
    if (
      fields.node("bucket") === undefined &&
      !fields.map.entries.some((e) => e.key === "bucket")
    ) {
      fields.missing(
        "bucket",
        `bucket: "\${AWS_BUCKET_NAME}" (an empty value means: use the fallback file)`,
      );
    }
    return undefined;
  }
  const key = fields.text("key");
  const prefix = fields.text("prefix");
  if (key !== undefined && prefix !== undefined) {
    checker.fail(
      fields.node("prefix")!.pos,
      fields.at("prefix"),
      "set either key (one object) or prefix (many objects), not both",
    );
  }
  if (key === undefined && prefix === undefined) {
    const written = fields.node("key") ?? fields.node("prefix");
    checker.fail(
      written?.pos ?? fields.map.pos,
      fields.at(written === fields.node("prefix") && written !== undefined ? "prefix" : "key"),
      written === undefined
        ? "required field is missing"
        : "is empty after substituting environment variables",
      "Name the object: key: orders.csv (or prefix: sales/2025/ for a partitioned dataset).",
    );
  }
  const location: S3Location = { bucket };
  if (key !== undefined) location.key = key.replace(/^\/+/, "");
  if (prefix !== undefined) location.prefix = prefix.replace(/^\/+/, "");
  const region = fields.text("region");
  if (region !== undefined) location.region = region;
  const endpoint = fields.text("endpoint");
  if (endpoint !== undefined) {
    if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
      checker.fail(
        fields.node("endpoint")!.pos,
        fields.at("endpoint"),
        "expected an http(s) URL such as http://127.0.0.1:9000",
      );
    }
    location.endpoint = endpoint;
  }
  return location;
}

function readCsv(checker: Checker, source: Fields): SourceSpec["csv"] {
  const node = source.node("csv");
  if (node === undefined) return {};
  const fields = new Fields(checker, node, source.at("csv"), ["delimiter", "null_values"]);
  const csv: SourceSpec["csv"] = {};
  const delimiter = fields.text("delimiter");
  if (delimiter !== undefined) {
    const value = delimiter === "\\t" || delimiter.toLowerCase() === "tab" ? "\t" : delimiter;
    if ([...value].length !== 1) {
      checker.fail(
        fields.node("delimiter")!.pos,
        fields.at("delimiter"),
        "expected one character such as ',' ';' '|' or \"\\t\"",
      );
    }
    csv.delimiter = value;
  }
  if (fields.node("null_values") !== undefined) {
    csv.nullValues = fields.textList("null_values").map((item) => item.text);
  }
  return csv;
}

/** The column type a declared type word stands for (`text` is string, `number` float). */
const DECLARED_AS: Record<DeclaredType, ColumnType> = {
  integer: "integer",
  float: "float",
  number: "float",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp",
  string: "string",
  text: "string",
};

const COLUMNS_HINT =
  'source: { columns: { order_date: { type: date, format: "%d/%m/%Y" }, zip: text } }';

/** `source.columns`: `name: type` or `name: { type, format, on_error }` per column. */
function readColumns(checker: Checker, source: Fields): ColumnDeclaration[] {
  const node = source.node("columns");
  if (node === undefined) return [];
  const path = source.at("columns");
  if (node.kind !== "map") {
    checker.fail(
      node.pos,
      path,
      `expected a map of column names, found ${describe(node)}`,
      COLUMNS_HINT,
    );
  }
  // Each column on its own: one run reports every bad declaration (Checker.attempt).
  return node.entries.flatMap((entry) => {
    const declaration = checker.attempt(() => readColumn(checker, entry, path));
    return declaration === undefined ? [] : [declaration];
  });
}

/** One `name: type` or `name: { type, format, on_error }` entry of `source.columns`. */
function readColumn(checker: Checker, entry: YEntry, path: FieldPath): ColumnDeclaration {
  const at = [...path, entry.key];
  const where = `${checker.file}:${entry.keyPos.line}:${entry.keyPos.column}: ${formatPath(at)}`;
  const value = entry.value;
  if (value.kind === "scalar") {
    return { name: entry.key, type: declaredType(checker, value, at), onError: "fail", where };
  }
  const fields = new Fields(checker, value, at, ["type", "format", "on_error"], COLUMNS_HINT);
  const typeNode =
    fields.node("type") ?? fields.missing("type", `type: one of ${DECLARED_TYPES.join(", ")}`);
  const type = declaredType(checker, typeNode, fields.at("type"));
  const declaration: ColumnDeclaration = {
    name: entry.key,
    type,
    onError: onError(checker, fields),
    where,
  };
  const format = fields.text("format");
  if (format !== undefined) {
    const formatAt = fields.at("format");
    const formatPos = fields.node("format")!.pos;
    if (type !== "date" && type !== "timestamp") {
      checker.fail(
        formatPos,
        formatAt,
        `a format applies to date and timestamp columns, not ${type}`,
        "Remove format:, or declare type: date (or timestamp).",
      );
    }
    try {
      compileFormat(format);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      checker.fail(
        formatPos,
        formatAt,
        `'${format}' is not a usable date format: ${error.message}`,
        `Write the format with strptime directives, e.g. "%d/%m/%Y" or "%b %d %Y %H:%M". Directives: ${Object.keys(
          DIRECTIVE_MEANINGS,
        )
          .map((d) => `%${d}`)
          .join(" ")}.`,
      );
    }
    declaration.format = format;
  }
  return declaration;
}

/** A declared type word as the column type it stands for. */
function declaredType(
  checker: Checker,
  node: YNode,
  path: readonly (string | number)[],
): ColumnType {
  const text =
    node.kind === "scalar" && typeof node.value === "string" ? node.value.toLowerCase() : undefined;
  if (isOneOf(DECLARED_TYPES, text)) return DECLARED_AS[text];
  return checker.fail(
    node.pos,
    path,
    `${describe(node)} is not a column type${text === undefined ? "" : didYouMean(text, DECLARED_TYPES)}`,
    `Types: ${DECLARED_TYPES.join(", ")}.`,
  );
}

/** `on_error: null` (YAML's null or the word) or `fail` (the default). */
function onError(checker: Checker, fields: Fields): ColumnDeclaration["onError"] {
  const entry = fields.map.entries.find((e) => e.key === "on_error");
  if (entry === undefined) return "fail";
  const node = entry.value;
  if (node.kind === "scalar" && node.value === null) return "null";
  const text =
    node.kind === "scalar" && typeof node.value === "string" ? node.value.toLowerCase() : undefined;
  if (isOneOf(ON_ERROR_ACTIONS, text)) return text;
  return checker.fail(
    node.pos,
    fields.at("on_error"),
    `expected null or fail, found ${describe(node)}`,
    "on_error: null reads a value that does not parse as missing (the build log counts them); fail (the default) stops the build at it.",
  );
}
