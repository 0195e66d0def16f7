// `${VAR}` substitution in the report definition's string values, and the way back: what the
// environment put into a value is remembered, so a message can show `${VAR}` as written instead
// of the value (which may be a secret).

/** What went wrong in a substitution, without the variables' values (they may be secrets). */
export class SubstitutionError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.name = "SubstitutionError";
    this.hint = hint;
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One variable's value put into a string by substitution. */
export interface EnvInsert {
  /** The variable, e.g. "AWS_BUCKET_NAME". */
  name: string;
  /** Its value as inserted (never empty). */
  value: string;
}

/**
 * Replace `${VAR}` with env.VAR ("" when unset), `${VAR:-default}` with the default when
 * VAR is unset or empty, and `$${` with a literal `${`. Anything else is left as written.
 */
export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>) {
  return substituteEnvTracked(text, env).text;
}

/** `substituteEnv`, also listing the values the environment inserted (defaults are not). */
export function substituteEnvTracked(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): { text: string; inserted: EnvInsert[] } {
  const inserted: EnvInsert[] = [];
  let out = "";
  let i = 0;
  for (;;) {
    const start = text.indexOf("$", i);
    if (start < 0) return { text: out + text.slice(i), inserted };
    out += text.slice(i, start);
    if (text.startsWith("$${", start)) {
      out += "${";
      i = start + 3;
      continue;
    }
    if (!text.startsWith("${", start)) {
      out += "$";
      i = start + 1;
      continue;
    }
    const end = text.indexOf("}", start + 2);
    if (end < 0) {
      throw new SubstitutionError(
        `unclosed '\${' in '${text}'`,
        `Close the variable with '}', e.g. \${AWS_REGION}, or write $\${ for a literal \${.`,
      );
    }
    const body = text.slice(start + 2, end);
    const colon = body.indexOf(":-");
    const name = colon < 0 ? body : body.slice(0, colon);
    if (!NAME.test(name)) {
      throw new SubstitutionError(
        `'\${${body}}' is not a variable reference`,
        `Write \${NAME} or \${NAME:-default}; names are letters, digits and _ (not starting with a digit).`,
      );
    }
    const value = env[name];
    if (colon >= 0 && (value === undefined || value === "")) out += body.slice(colon + 2);
    else {
      out += value ?? "";
      if (value) inserted.push({ name, value });
    }
    i = end + 1;
  }
}

const WORD = /[\p{L}\p{N}]/u;

/** From this length on, a value is hidden wherever it appears; shorter ones only as whole words. */
export const ANYWHERE = 8;

/**
 * `text` with every value the environment inserted shown as `${NAME}` again, for messages.
 * Long values (likely secrets) are replaced wherever they appear; a short one only where it
 * is a whole word (`_` and punctuation end a word), so "5" does not turn "q5" into "q${N}".
 */
export function hideEnvValues(text: string, inserted: readonly EnvInsert[]): string {
  const longestFirst = [...inserted].sort((a, b) => b.value.length - a.value.length);
  let out = text;
  for (const { name, value } of longestFirst) {
    const edge = (char: string | undefined) => char === undefined || !WORD.test(char);
    let result = "";
    let from = 0;
    for (let at = out.indexOf(value); at >= 0; at = out.indexOf(value, at + 1)) {
      if (at < from) continue;
      const whole = edge(out[at - 1]) && edge(out[at + value.length]);
      if (value.length < ANYWHERE && !whole) continue;
      result += `${out.slice(from, at)}\${${name}}`;
      from = at + value.length;
    }
    out = result + out.slice(from);
  }
  return out;
}

/** True when `text` refers to at least one variable (so its value came from the environment). */
export function hasEnvReference(text: string): boolean {
  return /(^|[^$])\$\{/.test(text);
}

/** One `${NAME}` reference in a definition's text. */
export interface EnvReference {
  name: string;
  /** Written as `${NAME:-default}`, so an unset variable is not an error. */
  hasDefault: boolean;
}

/** The `${NAME}` and `${NAME:-default}` references in `text` (not `$${`), each name once. */
export function envReferences(text: string): EnvReference[] {
  const out = new Map<string, EnvReference>();
  for (const match of text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g)) {
    const seen = out.get(match[1]);
    const hasDefault = match[2] !== undefined;
    out.set(match[1], { name: match[1], hasDefault: (seen?.hasDefault ?? true) && hasDefault });
  }
  return [...out.values()];
}
