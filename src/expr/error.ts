// The one error of the expression language: what is wrong, where in the text (a span), and
// what to write instead. Callers add the definition file's location and field path; the
// caret under the offending token comes from `caretLines`.
import type { Span } from "./ast.ts";

/** A syntax or type problem in one expression, at `span` of its text. */
export class ExprError extends Error {
  readonly span: Span;
  readonly hint: string | undefined;
  constructor(message: string, span: Span, hint?: string) {
    super(message);
    this.name = "ExprError";
    this.span = span;
    this.hint = hint;
  }
}

/**
 * The expression on one line and a caret line under `span`, each indented by two spaces:
 * `  revenue > 0 and regoin = 'x'` / `                  ^^^^^^`. Newlines in the text read as
 * spaces, so the caret stays under its token.
 */
export function caretLines(text: string, span: Span): string {
  const flat = text.replace(/[\r\n\t]/g, " ");
  const start = Math.min(Math.max(0, span.start), flat.length);
  const width = Math.max(1, Math.min(span.end, flat.length) - start);
  return `  ${flat}\n  ${" ".repeat(start)}${"^".repeat(width)}`;
}
