// Whether this process runs on Posit Connect, and what Connect hands it there: the server,
// an API key and the content session token used for OAuth credential exchanges.
import { readFile } from "node:fs/promises";
import { ReportError } from "../errors.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Environment variable naming the OAuth integration (its GUID) to exchange for, when several
 * are associated with the content. `source.audience` in the report definition wins over it.
 */
export const AUDIENCE_ENV = "CONNECT_AWS_INTEGRATION_GUID";

/** What Connect provides to the content it runs (docs/design/connect-api.md §4). */
export interface ConnectEnvironment {
  /** POSIT_PRODUCT (or the older RSTUDIO_PRODUCT) is CONNECT. */
  onConnect: boolean;
  server: string | undefined;
  apiKey: string | undefined;
  /** CONNECT_CONTENT_SESSION_TOKEN_FILE: re-read before every exchange, Connect refreshes it. */
  sessionTokenFile: string | undefined;
  /** CONNECT_CONTENT_SESSION_TOKEN, used when no token file is named. */
  sessionToken: string | undefined;
  /** CONNECT_AWS_INTEGRATION_GUID. */
  audience: string | undefined;
}

const nonEmpty = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** True when the process runs on Posit Connect, as posit-sdk-py and connectapi decide it. */
export function isOnConnect(env: Env): boolean {
  return (env.POSIT_PRODUCT ?? env.RSTUDIO_PRODUCT ?? "").trim().toUpperCase() === "CONNECT";
}

/** Read Connect's variables from `env`; nothing is read from files yet. */
export function connectEnvironment(env: Env): ConnectEnvironment {
  return {
    onConnect: isOnConnect(env),
    server: nonEmpty(env.CONNECT_SERVER),
    apiKey: nonEmpty(env.CONNECT_API_KEY),
    sessionTokenFile: nonEmpty(env.CONNECT_CONTENT_SESSION_TOKEN_FILE),
    sessionToken: nonEmpty(env.CONNECT_CONTENT_SESSION_TOKEN),
    audience: nonEmpty(env[AUDIENCE_ENV]),
  };
}

/**
 * The content session token: the file named by CONNECT_CONTENT_SESSION_TOKEN_FILE (read now,
 * trimmed), else CONNECT_CONTENT_SESSION_TOKEN, else undefined.
 */
export async function readContentSessionToken(
  environment: ConnectEnvironment,
): Promise<string | undefined> {
  if (environment.sessionTokenFile) {
    let text: string;
    try {
      text = await readFile(environment.sessionTokenFile, "utf8");
    } catch (error) {
      throw new ReportError(
        `Could not read the content session token file named by CONNECT_CONTENT_SESSION_TOKEN_FILE (${environment.sessionTokenFile}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        {
          hint: "Connect writes this file for content with an associated integration; unset the variable to use CONNECT_CONTENT_SESSION_TOKEN instead.",
          cause: error,
        },
      );
    }
    const token = text.trim();
    if (token) return token;
  }
  return environment.sessionToken;
}
