// No silent sample data on Connect: a rendered report whose S3 source is not configured
// (its bucket variable is empty on the content) must fail the render and say which
// variables to set, instead of publishing the bundled fallback's numbers as if they were
// real. The fallback serves local builds; on Connect it is used only when the publisher
// uploaded it on purpose (`publish --rendered --include-fallback`).

import { envReferences } from "../config/env.ts";
import type { ReportSpec } from "../config/index.ts";
import { isOnConnect } from "../connect/environment.ts";
import { ReportError } from "../errors.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Throws when running on Connect with no S3 location and no local file configured, unless
 * the fallback was bundled on purpose. `definitionText` is the definition as written, for
 * the names of the variables it reads.
 */
export function requireConfiguredSource(
  spec: ReportSpec,
  definitionText: string,
  env: Env,
  fallbackBundled: boolean,
): void {
  if (!isOnConnect(env) || spec.source.s3 || spec.source.file) return;
  if (fallbackBundled && spec.source.fallback) return;
  const references = envReferences(definitionText);
  const missing = references.filter((r) => !r.hasDefault && !env[r.name]).map((r) => r.name);
  const optional = references.filter((r) => r.hasDefault && !env[r.name]).map((r) => r.name);
  const names = missing.length ? missing : ["AWS_BUCKET_NAME"];
  const also = optional.length
    ? ` (optional, with defaults in the definition: ${optional.join(", ")})`
    : "";
  throw new ReportError(
    `The report's S3 source is not configured on Connect: set ${names.join(", ")}${also} in the content's Vars panel`,
    {
      hint: `Or publish again with ${names.map((n) => `--env ${n}=...`).join(" ")}. The bundled sample data is not used on Connect unless published with --include-fallback.`,
    },
  );
}
