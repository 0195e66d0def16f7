// A content item's environment variables (docs/design/connect-api.md §2.3, §5.2): set by name and
// value, read back as names only. Values come from the command line or the publishing
// environment and are never printed; messages name the variables.
import { ReportError } from "../errors.ts";
import type { ConnectClient } from "./client.ts";

/** One `--env` setting. */
export interface EnvSetting {
  name: string;
  value: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `--env NAME=VALUE`, or `--env NAME` to send this machine's value of NAME. The value never
 * appears in an error.
 */
export function parseEnvFlag(
  flag: string,
  env: Readonly<Record<string, string | undefined>>,
): EnvSetting {
  const eq = flag.indexOf("=");
  const name = (eq < 0 ? flag : flag.slice(0, eq)).trim();
  if (!NAME.test(name)) {
    throw new ReportError(
      `--env needs NAME=VALUE with a variable name of letters, digits and _ (got a name of ${name.length} characters that is not one)`,
      {
        hint: "e.g. --env AWS_BUCKET_NAME=my-bucket, or --env AWS_BUCKET_NAME to send this shell's value.",
      },
    );
  }
  if (eq >= 0) return { name, value: flag.slice(eq + 1) };
  const value = env[name];
  if (value === undefined || value === "") {
    throw new ReportError(`--env ${name}: ${name} is not set in this environment`, {
      hint: `Give the value (--env ${name}=...) or export ${name} before publishing.`,
    });
  }
  return { name, value };
}

/** Set (or replace) these variables on the content; others are left as they are. */
export async function setContentEnv(
  client: ConnectClient,
  guid: string,
  settings: readonly EnvSetting[],
): Promise<void> {
  await client.request("PATCH", `v1/content/${guid}/environment`, {
    json: settings.map(({ name, value }) => ({ name, value })),
    idempotent: true,
    secrets: settings.map((s) => s.value),
  });
}

/** The names of the variables set on the content (Connect never returns the values). */
export async function contentEnvNames(client: ConnectClient, guid: string): Promise<string[]> {
  const names = await client.request<unknown>("GET", `v1/content/${guid}/environment`);
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
}
