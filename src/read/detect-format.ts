// Which reader a file needs. The declared format (the definition's `format:`, else the file
// extension, else the Content-Type) is used unless the first bytes prove a binary format
// (Parquet, Arrow IPC): those magic numbers cannot be text, so they win, with a notice.
// Without any declaration, the first bytes decide (`[` JSON array, `{` NDJSON, else CSV).
import type { DataFormat } from "../config/spec.ts";
import { COMPRESSED_SUFFIX } from "./bytes/decompress.ts";

/** The Arrow IPC stream format is read by the same reader as the file format. */
export type DetectedFormat = DataFormat;

export interface Detection {
  format: DetectedFormat;
  /** Why: "definition", "extension .parquet", "Content-Type …", "content". */
  reason: string;
  /** Set when the content contradicts the declared format (log it as a warning). */
  notice?: string;
}

const EXTENSIONS: Record<string, DataFormat> = {
  csv: "csv",
  tsv: "tsv",
  tab: "tsv",
  parquet: "parquet",
  pq: "parquet",
  arrow: "arrow",
  arrows: "arrow",
  feather: "arrow",
  ipc: "arrow",
  ndjson: "ndjson",
  jsonl: "ndjson",
  json: "json",
};

const CONTENT_TYPES: Record<string, DataFormat> = {
  "text/csv": "csv",
  "application/csv": "csv",
  "text/tab-separated-values": "tsv",
  "application/vnd.apache.parquet": "parquet",
  "application/x-parquet": "parquet",
  "application/parquet": "parquet",
  "application/vnd.apache.arrow.file": "arrow",
  "application/vnd.apache.arrow.stream": "arrow",
  "application/x-ndjson": "ndjson",
  "application/ndjson": "ndjson",
  "application/jsonl": "ndjson",
  "application/x-jsonlines": "ndjson",
  "application/json": "json",
};

const NAMES: Record<DataFormat, string> = {
  csv: "CSV",
  tsv: "TSV",
  parquet: "Parquet",
  arrow: "Arrow IPC",
  ndjson: "NDJSON",
  json: "JSON",
};

/** The format named by a file name's extension (after any .gz/.zst), if any. */
export function formatFromName(name: string): DataFormat | undefined {
  const base = name.replace(/[?#].*$/, "").replace(COMPRESSED_SUFFIX, "");
  const match = /\.([A-Za-z0-9]+)$/.exec(base);
  return match ? EXTENSIONS[match[1].toLowerCase()] : undefined;
}

/** The format named by a Content-Type header, if any (generic types name none). */
export function formatFromContentType(contentType: string | undefined): DataFormat | undefined {
  if (!contentType) return undefined;
  return CONTENT_TYPES[contentType.split(";")[0].trim().toLowerCase()];
}

/** A binary format proven by its magic number, or a guess for text. */
export function formatFromContent(head: Uint8Array): { format: DataFormat; proven: boolean } {
  if (startsWith(head, PAR1)) return { format: "parquet", proven: true };
  if (startsWith(head, ARROW1)) return { format: "arrow", proven: true };
  // An IPC stream starts with the continuation marker, then a positive metadata length.
  if (startsWith(head, CONTINUATION) && head.length >= 8 && head[7] < 0x80) {
    return { format: "arrow", proven: true };
  }
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (
    i < head.length &&
    (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)
  ) {
    i++;
  }
  if (head[i] === 0x5b) return { format: "json", proven: false };
  if (head[i] === 0x7b) return { format: "ndjson", proven: false };
  return { format: "csv", proven: false };
}

const PAR1 = [0x50, 0x41, 0x52, 0x31];
const ARROW1 = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];
const CONTINUATION = [0xff, 0xff, 0xff, 0xff];

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((byte, k) => head[k] === byte);
}

/** Decide the format of one file from what is declared about it and its first bytes. */
export function detectFormat(options: {
  label: string;
  name: string;
  contentType?: string;
  declared?: DataFormat;
  head: Uint8Array;
}): Detection {
  const content = formatFromContent(options.head);
  const byName = formatFromName(options.name);
  const byType = formatFromContentType(options.contentType);
  const declared: { format: DataFormat; reason: string } | undefined = options.declared
    ? { format: options.declared, reason: "the definition's format" }
    : byName
      ? { format: byName, reason: `its extension` }
      : byType
        ? { format: byType, reason: `its Content-Type ${options.contentType}` }
        : undefined;
  if (!declared) return { format: content.format, reason: "content" };
  const binary = (format: DataFormat) => format === "parquet" || format === "arrow";
  if (content.proven && content.format !== declared.format) {
    return {
      format: content.format,
      reason: "content",
      notice: `${options.label} is ${NAMES[declared.format]} by ${declared.reason}, but its bytes are ${NAMES[content.format]}: reading it as ${NAMES[content.format]}.`,
    };
  }
  if (binary(declared.format) && !content.proven && looksLikeText(options.head)) {
    return {
      format: content.format,
      reason: "content",
      notice: `${options.label} is ${NAMES[declared.format]} by ${declared.reason}, but it does not start with the ${NAMES[declared.format]} magic bytes: reading it as ${NAMES[content.format]} text.`,
    };
  }
  return { format: declared.format, reason: declared.reason };
}

/** No control bytes other than tab and line breaks: text, not a damaged binary file. */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  }
  return true;
}

/** The reader's name of a format, for messages. */
export function formatName(format: DataFormat): string {
  return NAMES[format];
}
