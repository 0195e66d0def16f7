// JSON.parse rounds integers beyond 2^53. For the rare record that has a long digit run,
// this parser reads the (already validated) text again, giving such integers as BigInt.

export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Parses JSON text that JSON.parse accepted; unsafe integers become BigInt. */
export function parseJsonExact(text: string): JsonValue {
  let at = 0;
  const space = () => {
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else return;
    }
  };
  const string = (): string => {
    const start = at;
    at++;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x5c) at += 2;
      else if (c === 0x22) break;
      else at++;
    }
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (): JsonValue => {
    space();
    const c = text.charCodeAt(at);
    if (c === 0x7b) {
      at++;
      const object: { [key: string]: JsonValue } = {};
      space();
      if (text.charCodeAt(at) === 0x7d) {
        at++;
        return object;
      }
      for (;;) {
        space();
        const key = string();
        space();
        at++; // :
        object[key] = value();
        space();
        if (text.charCodeAt(at++) === 0x7d) return object;
      }
    }
    if (c === 0x5b) {
      at++;
      const array: JsonValue[] = [];
      space();
      if (text.charCodeAt(at) === 0x5d) {
        at++;
        return array;
      }
      for (;;) {
        array.push(value());
        space();
        if (text.charCodeAt(at++) === 0x5d) return array;
      }
    }
    if (c === 0x22) return string();
    const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?|^true|^false|^null/.exec(text.slice(at, at + 400));
    if (!match) throw new SyntaxError(`unexpected character at position ${at}`);
    at += match[0].length;
    const token = match[0];
    if (token === "true") return true;
    if (token === "false") return false;
    if (token === "null") return null;
    const number = Number(token);
    if (match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(number)) {
      return BigInt(token);
    }
    return number;
  };
  return value();
}
