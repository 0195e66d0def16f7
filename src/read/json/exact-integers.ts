// JSON.parse rounds integers beyond 2^53. For the rare record that has a long digit run,
// this parser reads the (already validated) text again, giving such integers as BigInt.
// Every loop moves forward through the text and stops at its end, so no input can make it
// spin, and nesting deeper than `maxDepth` is an error rather than a stack overflow.

export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Integers up to this many digits become exact BigInts (nested values keep them exactly in
 * their JSON text); longer ones are numbers, as JSON.parse gives them: BigInt parsing costs
 * quadratic time (a quarter of a second for a million digits, minutes for a record's worth).
 */
const EXACT_DIGITS = 1_000;

/**
 * Parses JSON text that JSON.parse accepted; integers beyond 2^53 become BigInt (up to
 * EXACT_DIGITS digits). Throws SyntaxError on what JSON.parse would refuse, and on nesting
 * deeper than `maxDepth`.
 */
export function parseJsonExact(text: string, maxDepth: number): JsonValue {
  const n = text.length;
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${at}`);
  };
  const space = () => {
    while (at < n) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else return;
    }
  };
  const string = (): string => {
    const start = at;
    at++;
    while (at < n) {
      const c = text.charCodeAt(at);
      if (c === 0x5c) at += 2;
      else if (c === 0x22) {
        at++;
        return JSON.parse(text.slice(start, at)) as string;
      } else at++;
    }
    return fail("unterminated string");
  };
  const digits = (): number => {
    const from = at;
    for (let c = text.charCodeAt(at); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++at));
    return at - from;
  };
  const number = (): number | bigint => {
    const start = at;
    if (text.charCodeAt(at) === 0x2d) at++;
    const whole = digits();
    if (whole === 0) fail("unexpected character");
    let integer = true;
    if (text.charCodeAt(at) === 0x2e) {
      at++;
      if (digits() === 0) fail("expected a digit");
      integer = false;
    }
    const e = text.charCodeAt(at);
    if (e === 0x65 || e === 0x45) {
      at++;
      const sign = text.charCodeAt(at);
      if (sign === 0x2b || sign === 0x2d) at++;
      if (digits() === 0) fail("expected a digit");
      integer = false;
    }
    const token = text.slice(start, at);
    const value = Number(token);
    if (integer && !Number.isSafeInteger(value) && whole <= EXACT_DIGITS) return BigInt(token);
    return value;
  };
  const literal = (word: string, result: JsonValue): JsonValue => {
    if (!text.startsWith(word, at)) fail("unexpected character");
    at += word.length;
    return result;
  };
  const value = (depth: number): JsonValue => {
    space();
    const c = text.charCodeAt(at);
    if (c === 0x7b || c === 0x5b) {
      if (depth >= maxDepth) fail(`nested more than ${maxDepth} levels deep`);
      at++;
      space();
      return c === 0x7b ? object(depth + 1) : array(depth + 1);
    }
    if (c === 0x22) return string();
    if (c === 0x74) return literal("true", true);
    if (c === 0x66) return literal("false", false);
    if (c === 0x6e) return literal("null", null);
    return number();
  };
  /** After the `{`; ends after the `}`. */
  const object = (depth: number): JsonValue => {
    const result: { [key: string]: JsonValue } = {};
    if (text.charCodeAt(at) === 0x7d) {
      at++;
      return result;
    }
    for (;;) {
      space();
      if (text.charCodeAt(at) !== 0x22) fail("expected a key");
      const key = string();
      space();
      if (text.charCodeAt(at++) !== 0x3a) fail("expected ':'");
      // As JSON.parse does: "__proto__" is an ordinary key, not the prototype.
      Object.defineProperty(result, key, {
        value: value(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      space();
      const next = text.charCodeAt(at++);
      if (next === 0x7d) return result;
      if (next !== 0x2c) fail("expected ',' or '}'");
    }
  };
  /** After the `[`; ends after the `]`. */
  const array = (depth: number): JsonValue => {
    const result: JsonValue[] = [];
    if (text.charCodeAt(at) === 0x5d) {
      at++;
      return result;
    }
    for (;;) {
      result.push(value(depth));
      space();
      const next = text.charCodeAt(at++);
      if (next === 0x5d) return result;
      if (next !== 0x2c) fail("expected ',' or ']'");
    }
  };
  const result = value(0);
  space();
  if (at < n) fail("unexpected text after the value");
  return result;
}
