// Splits expression text into tokens, each with its span, for src/expr/parse.ts.
import type { Span } from "./ast.ts";
import { ExprError } from "./error.ts";

export type Token =
  /** A bare word: a keyword, function or column name; `text` as written. */
  | { kind: "word"; text: string; span: Span }
  /** A "double-quoted" (or `back-quoted`) identifier; `text` without quotes, doubled quotes undone. */
  | { kind: "quoted"; text: string; span: Span }
  /** A 'single-quoted' string; `text` without quotes, '' read as '. */
  | { kind: "string"; text: string; span: Span }
  /** A number as written: `integer` when it has no point and no exponent. */
  | { kind: "number"; text: string; value: number; integer: boolean; span: Span }
  | { kind: "symbol"; text: string; span: Span }
  | { kind: "end"; text: ""; span: Span };

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const SYMBOL = /<=|>=|<>|!=|==|\|\||[=<>(),*+\-/%]/y;

/** The tokens of `text`, ending with an `end` token. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") {
      const { value, end } = quotedText(text, i);
      const span = { start: i, end };
      tokens.push({ kind: ch === "'" ? "string" : "quoted", text: value, span });
      i = end;
      continue;
    }
    const number = sticky(NUMBER, text, i);
    if (number !== undefined) {
      const integer = /^\d+$/.test(number);
      const span = { start: i, end: i + number.length };
      tokens.push({ kind: "number", text: number, value: Number(number), integer, span });
      i += number.length;
      continue;
    }
    const word = sticky(WORD, text, i);
    if (word !== undefined) {
      tokens.push({ kind: "word", text: word, span: { start: i, end: i + word.length } });
      i += word.length;
      continue;
    }
    const symbol = sticky(SYMBOL, text, i);
    if (symbol !== undefined) {
      tokens.push({ kind: "symbol", text: symbol, span: { start: i, end: i + symbol.length } });
      i += symbol.length;
      continue;
    }
    throw new ExprError(
      `unexpected character '${ch}'`,
      { start: i, end: i + 1 },
      ch === ";" ? "An expression is one value or condition; it has no ';'." : undefined,
    );
  }
  tokens.push({ kind: "end", text: "", span: { start: text.length, end: text.length } });
  return tokens;
}

function sticky(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** The text between the quote at `start` and its closing quote; a doubled quote is one. */
function quotedText(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = "";
  let j = start + 1;
  for (;;) {
    if (j >= text.length) {
      throw new ExprError(
        `unclosed ${quote}`,
        { start, end: text.length },
        `Close it with ${quote}; a ${quote} inside is written twice (${quote}${quote}).`,
      );
    }
    if (text[j] === quote && text[j + 1] === quote) {
      value += quote;
      j += 2;
    } else if (text[j] === quote) {
      return { value, end: j + 1 };
    } else {
      value += text[j++];
    }
  }
}
