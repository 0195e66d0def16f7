// Matching field bytes against the null tokens without decoding them.

/** The tokens read as missing when none are configured (CsvOptions.nullValues). */
export const DEFAULT_NULL_VALUES: readonly string[] = ["", "NA", "N/A", "null", "NULL", "NaN", "-"];

const SPACE = 0x20;
const TAB = 0x09;

/**
 * Tests byte ranges against a fixed set of null tokens. The empty field is always null, and
 * spaces or tabs around a token (or a field of blanks only) still mean missing: padded
 * exports (SAS, fixed-width conversions) would otherwise turn number columns into text.
 */
export class NullMatcher {
  private readonly tokens: Uint8Array[];
  /** 1 for each byte a null field can start with: most fields are ruled out by their first byte. */
  readonly firstBytes = new Uint8Array(256);
  /** Fields longer than this are never null; unbounded, since padding has no length limit. */
  readonly maxLength = Number.MAX_SAFE_INTEGER;
  /** The longest token's length in bytes. */
  private readonly longest: number;

  constructor(values: readonly string[] = DEFAULT_NULL_VALUES) {
    const encoder = new TextEncoder();
    this.tokens = values.filter((value) => value !== "").map((value) => encoder.encode(value));
    for (const token of this.tokens) this.firstBytes[token[0]] = 1;
    this.firstBytes[SPACE] = 1;
    this.firstBytes[TAB] = 1;
    this.longest = Math.max(0, ...this.tokens.map((token) => token.length));
  }

  /** True when buf[start, end), without surrounding blanks, is empty or one of the tokens. */
  matches(buf: Uint8Array, start: number, end: number): boolean {
    while (start < end && (buf[start] === SPACE || buf[start] === TAB)) start++;
    while (end > start && (buf[end - 1] === SPACE || buf[end - 1] === TAB)) end--;
    const length = end - start;
    if (length === 0) return true;
    if (length > this.longest) return false;
    outer: for (const token of this.tokens) {
      if (token.length !== length) continue;
      for (let k = 0; k < length; k++) if (token[k] !== buf[start + k]) continue outer;
      return true;
    }
    return false;
  }
}
