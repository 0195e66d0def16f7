// summary.json in pieces. JSON.stringify makes one string, and V8 strings stop at 2^29 - 24
// characters: a large summary then fails with "Invalid string length". Limits bound the
// summary's parts (max_groups rows per query, max_text_chars per text) but not its whole: a
// query of 100,000 groups keyed by 1,000-character labels that JSON escapes to 6 characters
// each is 600 million characters. So the text is produced piece by piece instead, each piece
// about PIECE_CHARS long, with the same layout as JSON.stringify(value, null, 2).

/** Characters gathered before a piece is handed on. */
export const PIECE_CHARS = 1 << 16;

/**
 * Hands `emit` the text of `JSON.stringify(value, null, 2)` followed by a newline, in pieces
 * of about PIECE_CHARS characters (one string value longer than that is a piece of its own).
 */
export function jsonPieces(value: unknown, emit: (piece: string) => void): void {
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    if (size > 0) emit(parts.join(""));
    parts = [];
    size = 0;
  };
  const put = (text: string) => {
    // A long text (one long string value) goes on as its own piece, uncopied.
    if (text.length >= PIECE_CHARS) {
      flush();
      emit(text);
      return;
    }
    parts.push(text);
    size += text.length;
    if (size >= PIECE_CHARS) flush();
  };
  const write = (raw: unknown, indent: string): void => {
    const v = hasToJson(raw) ? raw.toJSON() : raw;
    if (typeof v !== "object" || v === null) {
      put(JSON.stringify(v) ?? "null");
      return;
    }
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) {
        put("[]");
        return;
      }
      put("[\n");
      v.forEach((item, i) => {
        put(i === 0 ? inner : `,\n${inner}`);
        if (omitted(item)) put("null");
        else write(item, inner);
      });
      put(`\n${indent}]`);
      return;
    }
    let first = true;
    for (const [key, item] of Object.entries(v)) {
      if (omitted(item)) continue;
      put(first ? `{\n${inner}` : `,\n${inner}`);
      first = false;
      put(`${JSON.stringify(key)}: `);
      write(item, inner);
    }
    put(first ? "{}" : `\n${indent}}`);
  };
  write(value, "");
  put("\n");
  flush();
}

/** Values JSON leaves out of objects (and writes as null in arrays). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

function hasToJson(value: unknown): value is { toJSON: () => unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  );
}
