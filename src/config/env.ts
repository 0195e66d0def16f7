// `${VAR}` substitution in the report definition's string values.

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

/**
 * Replace `${VAR}` with env.VAR ("" when unset), `${VAR:-default}` with the default when
 * VAR is unset or empty, and `$${` with a literal `${`. Anything else is left as written.
 */
export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>) {
  let out = "";
  let i = 0;
  for (;;) {
    const start = text.indexOf("$", i);
    if (start < 0) return out + text.slice(i);
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
    else out += value ?? "";
    i = end + 1;
  }
}

/** True when `text` refers to at least one variable (so its value came from the environment). */
export function hasEnvReference(text: string): boolean {
  return /(^|[^$])\$\{/.test(text);
}
