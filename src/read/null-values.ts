// Matching field bytes against the null tokens without decoding them.

/** The tokens read as missing when none are configured (CsvOptions.nullValues). */
export const DEFAULT_NULL_VALUES: readonly string[] = ["", "NA", "N/A", "null", "NULL", "NaN", "-"];

/** Tests byte ranges against a fixed set of null tokens; the empty field is always null. */
export class NullMatcher {
  private readonly tokens: Uint8Array[];
  /** 1 for each byte a token starts with: most fields are ruled out by their first byte. */
  readonly firstBytes = new Uint8Array(256);
  /** The longest token's length in bytes. */
  readonly maxLength: number;

  constructor(values: readonly string[] = DEFAULT_NULL_VALUES) {
    const encoder = new TextEncoder();
    this.tokens = values.filter((value) => value !== "").map((value) => encoder.encode(value));
    for (const token of this.tokens) this.firstBytes[token[0]] = 1;
    this.maxLength = Math.max(0, ...this.tokens.map((token) => token.length));
  }

  /** True when buf[start, end) is empty or equals one of the tokens. */
  matches(buf: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (length === 0) return true;
    if (length > this.maxLength || this.firstBytes[buf[start]] === 0) return false;
    outer: for (const token of this.tokens) {
      if (token.length !== length) continue;
      for (let k = 1; k < length; k++) if (token[k] !== buf[start + k]) continue outer;
      if (token[0] === buf[start]) return true;
    }
    return false;
  }
}
