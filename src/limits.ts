// Every resource that input controls has a limit, so a hostile or broken file ends in a clear
// error instead of a hang or an out-of-memory crash. The limits are listed once here, with
// their defaults; a report raises one with `limits: { max_columns: 20000 }` in its definition,
// and any build (a `--source` profile too) with the environment variable
// CONNECT_S3_REPORT_MAX_COLUMNS=20000. docs/limits.md lists them for users.
import { ReportError } from "./errors.ts";

/** Each limit: its default and what it bounds, in the words error messages use. */
export const LIMITS = {
  max_input_bytes: {
    default: 4 * 1024 ** 3,
    what: "bytes of data read from one file, after decompression",
  },
  max_record_bytes: {
    default: 16 * 1024 ** 2,
    what: "bytes in one record (a CSV line or a JSON record)",
  },
  max_columns: { default: 10_000, what: "columns in the data" },
  max_nesting: { default: 100, what: "levels of nesting in a JSON value" },
  max_groups: { default: 100_000, what: "groups in one query's result" },
  max_chart_rows: {
    default: 10_000,
    what: "rows of a query drawn in one chart",
  },
  max_profile_charts: {
    default: 200,
    what: "columns drawn as a histogram in the profile (the rest are listed without one)",
  },
  max_text_chars: {
    default: 1_000,
    what: "characters of one text value shown in the report (longer ones are cut with …)",
  },
  download_timeout_seconds: {
    default: 1_800,
    what: "seconds one S3 object may take to download, retries included",
  },
  max_scanned_bytes: {
    default: 100 * 1000 ** 3,
    what: "bytes Amazon Athena may scan for one build (engine: athena)",
  },
} as const satisfies Record<string, { default: number; what: string }>;

export type LimitName = keyof typeof LIMITS;
export type Limits = Record<LimitName, number>;

/** Every limit's name, in the order of LIMITS. */
export const LIMIT_NAMES = Object.keys(LIMITS) as LimitName[];

/** The environment variable that overrides a limit, e.g. CONNECT_S3_REPORT_MAX_COLUMNS. */
export function limitEnvName(name: LimitName): string {
  return `CONNECT_S3_REPORT_${name.toUpperCase()}`;
}

/** The defaults, with any overrides from the environment. */
export function limitsFromEnv(env: Readonly<Record<string, string | undefined>>): Limits {
  const limits = {} as Limits;
  for (const name of LIMIT_NAMES) {
    const variable = limitEnvName(name);
    const text = env[variable]?.trim();
    if (text === undefined || text === "") {
      limits[name] = LIMITS[name].default;
      continue;
    }
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ReportError(`${variable}=${JSON.stringify(text)} is not a whole number above 0`, {
        hint: `Set ${variable} to a limit for ${LIMITS[name].what}, or unset it for the default (${LIMITS[name].default}).`,
      });
    }
    limits[name] = value;
  }
  return limits;
}

/**
 * The error for input that goes past a limit: `what` says where (file, line), then which
 * limit, its value, and how to raise it.
 */
export function limitExceeded(name: LimitName, limit: number, what: string): ReportError {
  return new ReportError(
    `${what}: more than ${limit.toLocaleString("en-US")} ${LIMITS[name].what} (limit ${name})`,
    {
      hint: `If the data is right, raise the limit: \`limits: { ${name}: ${suggestRaise(limit)} }\` in the report definition, or ${limitEnvName(name)}=${suggestRaise(limit)} in the environment.`,
    },
  );
}

/** A round figure above the limit, for the hint. */
function suggestRaise(limit: number): number {
  return limit * 4;
}
